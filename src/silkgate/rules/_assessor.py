"""The assessor: applies the rulebooks in force on a day to one TransferRequest.

How clauses combine (docs/rules.md has the long form):
1. `not_transfer` clauses are tried first, in order; the first that holds ends the
   assessment: not a cross-border transfer, allowed.
2. Every other clause in force whose condition holds fires. A `prohibit` makes the verdict
   prohibited. An `allow` waives the exemptible `require` clauses of its own rulebook. A
   `require` not waived is met when one of its mechanisms is in place; otherwise it is
   pending and the verdict is conditional.
3. `required_any_of` lists mechanisms any one of which meets every pending requirement
   (their intersection); when no single mechanism does, the first pending requirement's
   mechanisms are listed and the trace names the others that follow.
4. Obligations come from the clauses that fired and were not waived; one tied to a
   mechanism is kept only when that mechanism is in place or required.
5. When the verdict is not allowed, `alternative` clauses decide `alternatives`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from silkgate.domain import (
    Alternative,
    Decision,
    Mechanism,
    Obligation,
    TraceStep,
    TransferRequest,
    Verdict,
)
from silkgate.rules._cel import Condition, ConditionEvalError, ConditionSyntaxError
from silkgate.rules._errors import EvaluationError, RulebookError
from silkgate.rules._facts import activation
from silkgate.rules._loader import compile_clause_condition, load_rulebooks
from silkgate.rules._model import Clause, Rulebook, Side

_WILDCARD = "*"
_PLAN_CACHE_SIZE = 4096


@dataclass(slots=True)
class _Compiled:
    """A clause with its compiled condition and the trace values it can produce."""

    clause: Clause
    rulebook: str
    condition: Condition
    obligations: tuple[tuple[Obligation, Mechanism | None], ...]
    _steps: dict[str, TraceStep] = field(default_factory=dict)

    def holds(self, facts: dict[str, Any]) -> bool:
        try:
            return self.condition(facts)
        except ConditionEvalError as exc:
            raise EvaluationError(str(exc), clause=self.clause.id) from exc

    def step(self, effect: str) -> TraceStep:
        cached = self._steps.get(effect)
        if cached is None:
            text = f"{effect}: {self.clause.title}"
            if self.clause.note:
                text = f"{text} (note: {self.clause.note})"
            cached = TraceStep(clause=self.clause.id, effect=text, citation=self.clause.citation)
            self._steps[effect] = cached
        return cached


def _compile(clause: Clause, rulebook: Rulebook) -> _Compiled:
    obligations = tuple(
        (
            Obligation(
                id=rule.id,
                what=rule.what,
                authority=rule.authority,
                deadline_days=rule.deadline_days,
                citation=rule.citation or clause.citation,
            ),
            rule.mechanism,
        )
        for rule in clause.obligations
    )
    try:
        condition = compile_clause_condition(clause.condition)
    except ConditionSyntaxError as exc:
        raise RulebookError(
            f"condition: {exc}", path=f"rulebook {rulebook.id}", clause=clause.id
        ) from exc
    return _Compiled(
        clause=clause, rulebook=rulebook.id, condition=condition, obligations=obligations
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    """The clauses in force for one exporter, importer and day, split by phase."""

    scope: tuple[_Compiled, ...]
    main: tuple[_Compiled, ...]
    alternative: tuple[_Compiled, ...]


class Assessor:
    """Assesses TransferRequests against a fixed set of rulebooks, compiled once.

    Build one and reuse it: construction parses every rulebook and compiles every
    condition; `assess` then only evaluates the clauses that apply to the request.
    """

    def __init__(self, rulebooks: Iterable[Rulebook] | None = None) -> None:
        books = load_rulebooks() if rulebooks is None else tuple(rulebooks)
        self.rulebooks: tuple[Rulebook, ...] = books
        owner: dict[str, str] = {}
        self._index: dict[tuple[Side, str], list[_Compiled]] = {}
        self._fallback: dict[Side, list[_Compiled]] = {"exporter": [], "importer": []}
        for book in books:
            for clause in book.clauses:
                if clause.id in owner:
                    raise RulebookError(
                        f"clause id already used in rulebook {owner[clause.id]}",
                        path=f"rulebook {book.id}",
                        clause=clause.id,
                    )
                owner[clause.id] = book.id
                compiled = _compile(clause, book)
                if book.fallback:
                    self._fallback[clause.side].append(compiled)
                    continue
                for code in book.jurisdictions:
                    self._index.setdefault((clause.side, code), []).append(compiled)
        self._covered = {
            code for book in books if not book.fallback for code in book.jurisdictions
        } - {_WILDCARD}
        # Days on which some clause starts or stops: between two, the clauses in force are
        # the same, so plans are cached per period rather than per day.
        self._changes = sorted(
            {c.effective_from for b in books for c in b.clauses if c.effective_from}
            | {
                c.effective_to + dt.timedelta(days=1)
                for b in books
                for c in b.clauses
                if c.effective_to and c.effective_to < dt.date.max
            }
        )
        self._plans: dict[tuple[str, str, int], _Plan] = {}

    @classmethod
    def from_directory(cls, directory: Path, *, with_packaged: bool = True) -> Assessor:
        """An assessor over the YAML rulebooks in ``directory`` (plus the packaged ones)."""
        extra = load_rulebooks(directory)
        return cls((*load_rulebooks(), *extra) if with_packaged else extra)

    def _clauses(self, side: Side, code: str) -> list[_Compiled]:
        specific = self._index.get((side, code), [])
        if code not in self._covered:
            specific = self._fallback[side] + specific
        return specific + self._index.get((side, _WILDCARD), [])

    def _plan(self, exporter: str, importer: str, day: dt.date) -> _Plan:
        key = (exporter, importer, bisect.bisect_right(self._changes, day))
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        clauses = [
            c
            for c in self._clauses("exporter", exporter) + self._clauses("importer", importer)
            if c.clause.in_force(day)
        ]
        plan = _Plan(
            scope=tuple(c for c in clauses if c.clause.effect == "not_transfer"),
            main=tuple(
                c for c in clauses if c.clause.effect not in ("not_transfer", "alternative")
            ),
            alternative=tuple(c for c in clauses if c.clause.effect == "alternative"),
        )
        if len(self._plans) >= _PLAN_CACHE_SIZE:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    def assess(self, request: TransferRequest, *, as_of: dt.date | None = None) -> Decision:
        """Decide ``request`` under the law in force on ``as_of`` (default: its date, else today).

        Raises EvaluationError if a clause cannot be evaluated on this request.
        """
        day = as_of or request.date or dt.date.today()
        facts = activation(request, day)
        plan = self._plan(request.exporter.jurisdiction, request.importer.jurisdiction, day)

        for compiled in plan.scope:
            if compiled.holds(facts):
                step = compiled.step("not a cross-border transfer")
                return Decision(
                    is_transfer=False,
                    verdict="allowed",
                    citations=(step.citation,),
                    trace=(step,),
                )

        fired = [c for c in plan.main if c.holds(facts)]
        allowing = {c.rulebook for c in fired if c.clause.effect == "allow"}
        in_place = request.mechanisms
        trace: list[TraceStep] = []
        pending: list[_Compiled] = []
        kept: list[_Compiled] = []
        prohibited = False
        for compiled in fired:
            clause = compiled.clause
            if clause.effect == "require":
                if clause.exemptible and compiled.rulebook in allowing:
                    trace.append(compiled.step("waived by an exemption of this rulebook"))
                    continue
                met = [m for m in clause.mechanisms + clause.also_met_by if m in in_place]
                if met:
                    trace.append(compiled.step(f"met by {met[0]}"))
                else:
                    pending.append(compiled)
                    trace.append(compiled.step(f"requires one of {', '.join(clause.mechanisms)}"))
            elif clause.effect == "prohibit":
                prohibited = True
                trace.append(compiled.step("prohibits"))
            elif clause.effect == "allow":
                trace.append(compiled.step("allows"))
            elif clause.effect == "obligation":
                trace.append(compiled.step("obliges"))
            else:
                trace.append(compiled.step("notes"))
            kept.append(compiled)

        verdict: Verdict
        required: tuple[Mechanism, ...] = ()
        if prohibited:
            verdict = "prohibited"
        elif pending:
            verdict = "conditional"
            required = _any_of(pending)
        else:
            verdict = "allowed"

        obligations: dict[str, Obligation] = {}
        for compiled in kept:
            for obligation, mechanism in compiled.obligations:
                if mechanism is None or mechanism in in_place or mechanism in required:
                    obligations.setdefault(obligation.id, obligation)

        alternatives: tuple[Alternative, ...] = ()
        if verdict != "allowed":
            for compiled in plan.alternative:
                if compiled.holds(facts):
                    trace.append(compiled.step("alternative: compute_only"))
                    alternatives = ("compute_only",)
                    break

        citations = dict.fromkeys(
            [step.citation for step in trace] + [o.citation for o in obligations.values()]
        )
        return Decision(
            is_transfer=True,
            verdict=verdict,
            required_any_of=required,
            obligations=tuple(obligations.values()),
            citations=tuple(citations),
            alternatives=alternatives,
            trace=tuple(trace),
        )


def _any_of(pending: list[_Compiled]) -> tuple[Mechanism, ...]:
    first = pending[0].clause.mechanisms
    common = [m for m in first if all(m in p.clause.mechanisms for p in pending[1:])]
    return tuple(common) if common else first
