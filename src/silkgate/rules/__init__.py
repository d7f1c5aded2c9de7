"""Cross-border transfer law as data: YAML rulebooks per jurisdiction, and the assessor.

>>> from silkgate.domain import TransferRequest
>>> from silkgate.rules import assess
>>> request = TransferRequest.model_validate({
...     "exporter": {"jurisdiction": "PH"}, "importer": {"jurisdiction": "JP"},
...     "data": {"personal": True, "subjects": 500}, "date": "2025-06-01"})
>>> assess(request).verdict
'allowed'
"""

from __future__ import annotations

import datetime as dt
import threading

from silkgate.domain import Decision, TransferRequest
from silkgate.rules._assessor import Assessor
from silkgate.rules._errors import EvaluationError, RulebookError, RulesError
from silkgate.rules._explain import explain
from silkgate.rules._loader import load_rulebooks, parse_rulebook
from silkgate.rules._model import Clause, Effect, ObligationRule, Rulebook, Side, Source

__all__ = [
    "Assessor",
    "Clause",
    "Effect",
    "EvaluationError",
    "ObligationRule",
    "Rulebook",
    "RulebookError",
    "RulesError",
    "Side",
    "Source",
    "assess",
    "default_assessor",
    "explain",
    "load_rulebooks",
    "parse_rulebook",
]

_default: Assessor | None = None
_default_lock = threading.Lock()


def default_assessor() -> Assessor:
    """The assessor over the packaged rulebooks, built on first use and then reused."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Assessor()
    return _default


def assess(request: TransferRequest, *, as_of: dt.date | None = None) -> Decision:
    """Assess ``request`` under the packaged rulebooks in force on ``as_of``.

    ``as_of`` defaults to the request's ``date``, else today.
    """
    return default_assessor().assess(request, as_of=as_of)
