"""A readable why-trace of a Decision, for `silkgate assess --explain`."""

from __future__ import annotations

from silkgate.domain import Decision

_HEADLINE = {
    "allowed": "ALLOWED: the transfer may go now",
    "conditional": "CONDITIONAL: the transfer may go once a required mechanism is in place",
    "prohibited": "PROHIBITED: no mechanism makes this transfer lawful",
}


def explain(decision: Decision) -> str:
    """Lines a person reads: verdict, what is required, obligations, then each clause why."""
    if not decision.is_transfer:
        lines = ["NOT A CROSS-BORDER TRANSFER: the transfer rules do not apply"]
    else:
        lines = [_HEADLINE[decision.verdict]]
    if decision.required_any_of:
        lines.append(f"Required, any one of: {', '.join(decision.required_any_of)}")
    if decision.obligations:
        lines.append("Obligations:")
        for obligation in decision.obligations:
            parts = [obligation.what]
            if obligation.authority:
                parts.append(f"authority: {obligation.authority}")
            if obligation.deadline_days is not None:
                parts.append(f"deadline_days: {obligation.deadline_days}")
            lines.append(f"  - [{obligation.id}] {'; '.join(parts)} ({obligation.citation})")
    if decision.alternatives:
        lines.append(
            f"Alternatives: {', '.join(decision.alternatives)} "
            "(run the computation where the data lives; only results leave)"
        )
    lines.append("Why:")
    for number, step in enumerate(decision.trace, start=1):
        lines.append(f"  {number}. {step.clause}: {step.effect} [{step.citation}]")
    return "\n".join(lines)
