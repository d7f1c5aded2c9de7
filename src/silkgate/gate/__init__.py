"""The one path every request takes: classify → rules.assess → ledger ABAC → decision.

``Platform`` is the runtime of one installation; ``platform.gate.decide(AccessRequest)``
gives a ``GateDecision`` (allowed, conditional, compute_only or denied) recorded on the
ledger; ``platform.download`` and ``platform.compute`` act on an agreed order.
"""

from silkgate.gate._actions import ComputePlane
from silkgate.gate._explorer import ledger_blocks, ledger_proof
from silkgate.gate._gate import Gate, dataset_from_report, route, transfer_request
from silkgate.gate._grants import LedgerGrants
from silkgate.gate._models import (
    GATE_VERDICTS,
    AbacOutcome,
    AccessRequest,
    ComputeOutcome,
    Download,
    GateDecision,
    GateVerdict,
    ObligationStatus,
    Want,
)
from silkgate.gate._platform import Platform

__all__ = [
    "GATE_VERDICTS",
    "AbacOutcome",
    "AccessRequest",
    "ComputeOutcome",
    "ComputePlane",
    "Download",
    "Gate",
    "GateDecision",
    "GateVerdict",
    "LedgerGrants",
    "ObligationStatus",
    "Platform",
    "Want",
    "dataset_from_report",
    "ledger_blocks",
    "ledger_proof",
    "route",
    "transfer_request",
]
