"""The gate: the one path every request to move or use data takes.

``decide``: the dataset's cached classification → ``rules.assess`` on the transfer it
would be → the ledger's ABAC (an ``access.request`` transaction by the requester, which
the owner's Cedar policies answer scope by scope: ``download`` and ``view``, or one
``compute:<kind>`` scope per compute kind the offer permits; the agreement grants only the
scopes Cedar allowed) → a ``GateDecision``:

- ``denied``: Cedar denied, or the law prohibits the flow and computing on it is no help;
- ``compute_only``: the requester asked for computation, or the law requires a security
  assessment (which takes months) or prohibits the transfer while privacy computing
  would meet the purpose: tasks run at the owners' nodes and only results leave;
- ``conditional``: the law requires one of some mechanisms first; each is a blocking
  obligation tracked with its deadline until met;
- ``allowed``: the data may go now (vault re-encryption and download); the rules'
  obligations are tracked, not blocking.

The decision's document (request, assessment with why-trace and citations, ABAC outcome)
is anchored on the ledger by its hash; with an ``offer_id`` it also opens an order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from silkgate.domain import (
    CATEGORIES,
    AccessDenied,
    Column,
    Conflict,
    DataCategory,
    Dataset,
    Decision,
    InvalidInput,
    NotFound,
    Obligation,
    TransferRequest,
    grade_of,
    jurisdiction,
)
from silkgate.exchange import (
    TASK_SCOPES,
    AccessAnswer,
    CatalogEntry,
    Exchange,
    Offer,
    document_hash,
)
from silkgate.gate._models import (
    AbacOutcome,
    AccessRequest,
    GateDecision,
    GateVerdict,
    ObligationStatus,
)
from silkgate.rules import assess
from silkgate.store import DecisionRow, ObligationRow

if TYPE_CHECKING:
    from silkgate.gate._platform import Platform

DEFAULT_DEADLINE_DAYS = 30


def dataset_from_report(
    dataset_id: str, name: str, owner: str, location: str, path: Path, report: dict[str, Any],
    content_hash: str,
) -> Dataset:  # fmt: skip
    """A Dataset described by its classification report (a table's)."""
    if report.get("kind") != "table":
        raise InvalidInput("only tables (CSV, Parquet, JSON Lines) can be published", field="path")
    columns = report["columns"]
    categories: set[DataCategory] = {c["category"] for c in columns.values()}
    suffix = path.suffix.lstrip(".").lower()
    return Dataset.model_validate(
        {"id": dataset_id, "name": name, "owner": owner, "location": location,
         "format": suffix if suffix in ("csv", "parquet", "jsonl") else "table",
         "columns": [Column(name=n, category=c["category"]) for n, c in columns.items()],
         "rows": report["rows"], "subjects": report["subjects"],
         "sensitive_subjects": report["sensitive_subjects"],
         "categories": frozenset(categories), "grade": grade_of(frozenset(categories)),
         "content_hash": content_hash}
    )  # fmt: skip


def transfer_request(
    entry: CatalogEntry, report: dict[str, Any], importer_jurisdiction: str,
    certifications: frozenset[str], request: AccessRequest,
) -> TransferRequest:  # fmt: skip
    """The cross-border transfer the request would be, with facts from the classification."""
    dataset = entry.dataset
    columns = report.get("columns", {})
    found = {c["category"] for c in columns.values()} if columns else set(dataset.categories)
    personal = sorted(c for c in found if CATEGORIES[c].is_personal)
    return TransferRequest.model_validate(
        {"exporter": {"jurisdiction": dataset.location},
         "importer": {"jurisdiction": importer_jurisdiction,
                      "certifications": sorted(certifications)},
         "data": {"personal": bool(personal),
                  "subjects": int(report.get("subjects", dataset.subjects)),
                  "sensitive_subjects": int(report.get("sensitive_subjects",
                                                       dataset.sensitive_subjects)),
                  "important_data": entry.important_data, "categories": personal},
         "purpose": request.purpose, "mode": "transfer",
         "mechanisms": sorted(request.mechanisms)}
    )  # fmt: skip


def route(assessment: Decision, request: AccessRequest) -> tuple[GateVerdict, list[str]]:
    """The verdict the law leaves (before ABAC), and why."""
    can_compute = "compute_only" in assessment.alternatives
    if assessment.verdict == "prohibited":
        if can_compute or request.want == "compute":
            return "compute_only", ["the transfer is prohibited; computing where the data lives "
                                    "meets the purpose"]  # fmt: skip
        return "denied", ["no mechanism makes this transfer lawful"]
    if request.want == "compute":
        return "compute_only", ["computation was asked for: only results leave"]
    needs = set(assessment.required_any_of)
    if assessment.verdict == "conditional" and "security_assessment" in needs and can_compute:
        return "compute_only", [
            "the transfer needs a CAC security assessment; until it is passed only "
            "computation at the owner's node is possible"
        ]
    if assessment.verdict == "conditional":
        return "conditional", [
            f"may go once one of {', '.join(assessment.required_any_of)} is in place"
        ]
    return "allowed", ["the transfer may go now"]


def _status(row: ObligationRow, now: dt.datetime) -> ObligationStatus:
    due = (
        row.due_at if row.due_at is None or row.due_at.tzinfo else row.due_at.replace(tzinfo=dt.UTC)
    )
    met = (
        row.met_at if row.met_at is None or row.met_at.tzinfo else row.met_at.replace(tzinfo=dt.UTC)
    )
    status = row.status
    if status == "open" and due is not None and due < now:
        status = "overdue"
    return ObligationStatus(id=row.id, obligation=row.obligation, what=row.what,
                            authority=row.authority, citation=row.citation,
                            blocking=row.blocking, due_at=due, status=status,
                            met_at=met)  # fmt: skip


class Gate:
    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    @property
    def _exchange(self) -> Exchange:
        return self._platform.exchange

    # decide --------------------------------------------------------------------------------
    def decide(self, request: AccessRequest, *, actor: str | None = None) -> GateDecision:
        """Classify → assess → ABAC → decision, recorded; open an order under ``offer_id``."""
        if actor is not None and actor != request.requester:
            raise AccessDenied(f"a token of {actor} cannot ask on behalf of {request.requester}")
        platform = self._platform
        exchange = self._exchange
        entry: CatalogEntry = exchange.catalog.entry(request.dataset_id)
        requester = platform.registry.party(request.requester)
        owner = entry.dataset.owner
        if requester.id == owner:
            raise InvalidInput("the owner does not ask the gate for its own data",
                               field="requester")  # fmt: skip
        offer: Offer | None = None
        if request.offer_id is not None:
            offer = exchange.orders.check_request(request.offer_id, requester.id, request.purpose)
            if offer.dataset_id != request.dataset_id:
                raise InvalidInput(f"offer {offer.id} is not for {request.dataset_id}",
                                   field="offer_id")  # fmt: skip
        report = platform.classified(entry)
        transfer = transfer_request(entry, report, requester.jurisdiction,
                                    requester.certifications, request)  # fmt: skip
        assessment = assess(transfer)
        verdict, reasons = route(assessment, request)
        scopes = self._asked_scopes(offer, "compute" if verdict == "compute_only" else "download")
        answer: AccessAnswer | None = None
        if verdict != "denied":
            recipient = platform.vault_keys(requester.id).public_hex if "download" in scopes else ""
            answer = exchange.ledger.request(
                requester.id, entry.dataset.id, scopes=scopes, purpose=request.purpose,
                destination=requester.jurisdiction, recipient_key=recipient,
            )  # fmt: skip
            if not answer.allowed:
                verdict = "denied"
                reasons = [f"the owner's Cedar policies deny {', '.join(scopes)} to "
                           f"{requester.id}"]  # fmt: skip
        return self._record(request, entry, transfer, assessment, verdict, reasons, answer,
                            scopes, offer)  # fmt: skip

    def _record(
        self, request: AccessRequest, entry: CatalogEntry, transfer: TransferRequest,
        assessment: Decision, verdict: GateVerdict, reasons: list[str],
        answer: AccessAnswer | None, scopes: list[str], offer: Offer | None,
    ) -> GateDecision:  # fmt: skip
        exchange = self._exchange
        now = dt.datetime.now(dt.UTC)
        decision_id = f"d-{uuid.uuid4().hex[:12]}"
        abac = None if answer is None else AbacOutcome(
            request_id=answer.request_id, scope=scopes[0], scopes=tuple(scopes),
            allowed_scopes=answer.allowed_scopes, allowed=answer.allowed,
            policies=answer.reasons, tx_id=answer.tx_id)  # fmt: skip
        obligations = self._obligations(assessment, verdict)
        document = {
            "id": decision_id, "dataset_id": entry.dataset.id, "requester": request.requester,
            "verdict": verdict, "reasons": reasons,
            "request": transfer.model_dump(mode="json"),
            "assessment": assessment.model_dump(mode="json"),
            "abac": None if abac is None else abac.model_dump(mode="json"),
        }  # fmt: skip
        digest, anchor_tx = exchange.ledger.anchor(
            entry.dataset.owner,
            entry.dataset.id,
            "decision",
            decision_id,
            document,
            party=request.requester,
        )
        txs = [t for t in (answer.tx_id if answer else None, anchor_tx) if t]
        order_id = None
        if offer is not None and answer is not None:
            order = exchange.orders.open(offer, request.requester, request.purpose, answer)
            order_id = order.id
        full = {**document, "owner": entry.dataset.owner, "purpose": request.purpose,
                "want": request.want, "offer_id": request.offer_id, "order_id": order_id,
                "citations": list(assessment.citations)}  # fmt: skip
        with self._platform.database.transaction() as session:
            session.add(
                DecisionRow(
                    id=decision_id,
                    dataset_id=entry.dataset.id,
                    requester=request.requester,
                    verdict=verdict,
                    document=full,
                    document_hash=digest,
                    ledger_txs=txs,
                    created_at=now,
                )
            )
            session.flush()
            for obligation, blocking in obligations:
                due = (
                    None
                    if obligation.deadline_days is None
                    else now + dt.timedelta(days=obligation.deadline_days)
                )
                session.add(ObligationRow(
                    decision_id=decision_id, party=entry.dataset.owner
                    if obligation.id.startswith(entry.dataset.location.lower() + ".")
                    else request.requester, obligation=obligation.id, what=obligation.what,
                    authority=obligation.authority, citation=obligation.citation,
                    blocking=blocking, due_at=due, status="open"))  # fmt: skip
        if order_id is not None:
            exchange.orders.attach_decision(order_id, decision_id)
            if verdict == "denied":
                exchange.orders.terminate(order_id, "; ".join(reasons))
            else:
                exchange.orders.make_offer(order_id)
                if verdict in ("allowed", "compute_only") and answer is not None:
                    exchange.orders.agree(order_id, scopes=list(answer.allowed_scopes))
        if verdict == "denied":
            self._exchange.trust.recompute(request.requester)
        return self.decision(decision_id)

    @staticmethod
    def _asked_scopes(offer: Offer | None, want: str) -> list[str]:
        """The scopes to ask Cedar for, one per compute kind: those the agreement would grant."""
        kinds = sorted(offer.policy.compute_kinds) if offer is not None else sorted(TASK_SCOPES)
        compute = sorted({TASK_SCOPES[k] for k in kinds})
        if want == "compute":
            return compute
        return ["download", "view"] if offer is None or offer.policy.download else compute

    @staticmethod
    def _obligations(assessment: Decision, verdict: GateVerdict) -> list[tuple[Obligation, bool]]:
        if verdict == "denied":
            return []
        found = [(o, False) for o in assessment.obligations]
        if verdict == "conditional":
            needs = assessment.required_any_of
            clause = next((s for s in assessment.trace if "require" in s.effect), None)
            found.insert(0, (Obligation(
                id="gate.mechanism", what=f"put one of {', '.join(needs)} in place",
                deadline_days=DEFAULT_DEADLINE_DAYS,
                citation=clause.citation if clause else "; ".join(assessment.citations[:1]),
            ), True))  # fmt: skip
            # the rules' obligations that attach to a required mechanism block too
            found = [(o, b or o.id.endswith(("filing", "dossier-filing"))) for o, b in found]
        return found

    # read ----------------------------------------------------------------------------------
    def decision(self, decision_id: str) -> GateDecision:
        now = dt.datetime.now(dt.UTC)
        with self._platform.database.transaction() as session:
            row = session.get(DecisionRow, decision_id)
            if row is None:
                raise NotFound(f"no decision {decision_id!r}", field="decision_id")
            obligations = session.scalars(
                select(ObligationRow)
                .where(ObligationRow.decision_id == decision_id)
                .order_by(ObligationRow.id)
            ).all()
            doc = dict(row.document)
            statuses = tuple(_status(o, now) for o in obligations)
            created = (
                row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
            )
            hash_, txs = row.document_hash, tuple(row.ledger_txs)
        return GateDecision.model_validate(
            {"id": decision_id, "dataset_id": doc["dataset_id"], "owner": doc["owner"],
             "requester": doc["requester"], "purpose": doc["purpose"], "want": doc["want"],
             "verdict": doc["verdict"], "reasons": doc["reasons"], "request": doc["request"],
             "assessment": doc["assessment"], "abac": doc["abac"],
             "citations": doc["citations"], "obligations": statuses,
             "offer_id": doc["offer_id"], "order_id": doc["order_id"],
             "document_hash": hash_, "ledger_txs": txs, "created_at": created}
        )  # fmt: skip

    def decisions(
        self, *, party: str | None = None, dataset_id: str | None = None
    ) -> list[GateDecision]:
        query = select(DecisionRow.id).order_by(DecisionRow.created_at)
        if dataset_id is not None:
            query = query.where(DecisionRow.dataset_id == dataset_id)
        with self._platform.database.transaction() as session:
            ids = list(session.scalars(query))
        found = [self.decision(i) for i in ids]
        return [d for d in found if party is None or party in (d.requester, d.owner)]

    def meet_obligation(
        self, obligation_id: int, *, evidence: str, actor: str | None = None
    ) -> GateDecision:
        """Mark an obligation met with evidence (its hash is kept); an order whose blocking
        obligations are all met is then agreed (the owner's grant on the ledger)."""
        if not evidence.strip():
            raise InvalidInput("evidence is needed (a filing number, a contract reference)",
                               field="evidence")  # fmt: skip
        with self._platform.database.transaction() as session:
            row = session.get(ObligationRow, obligation_id)
            if row is None:
                raise NotFound(f"no obligation {obligation_id}", field="obligation_id")
            decision = session.get(DecisionRow, row.decision_id)
            assert decision is not None
            if actor is not None and actor not in (decision.requester, decision.document["owner"]):
                raise AccessDenied(f"{actor} takes no part in decision {decision.id}")
            if row.status == "met":
                raise Conflict(f"obligation {obligation_id} is already met", field="status")
            row.status, row.met_at = "met", dt.datetime.now(dt.UTC)
            row.evidence_hash = document_hash({"evidence": evidence})
            decision_id = decision.id
        result = self.decision(decision_id)
        open_blocking = [o for o in result.obligations if o.blocking and o.status != "met"]
        if result.verdict == "conditional" and not open_blocking and result.order_id:
            order = self._exchange.orders.order(result.order_id)
            if order.state == "offered" and result.abac is not None:
                self._exchange.orders.agree(order.id, scopes=list(result.abac.allowed_scopes))
        return result


def check_data_path(home: Path, owner: str, path: Path) -> Path:
    """``path`` resolved, if it lies in the owner's data directory ``HOME/data/OWNER``."""
    root = (home / "data" / owner).resolve()
    resolved = (path if path.is_absolute() else root / path).resolve()
    if not resolved.is_relative_to(root) or not resolved.is_file():
        raise InvalidInput(f"{path} is not a file in {owner}'s data directory {root}",
                           field="path")  # fmt: skip
    return resolved


def location_of(code: str) -> str:
    return jurisdiction(code).code
