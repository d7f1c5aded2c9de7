"""JSON Schema for every serialised domain model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from silkgate.domain._parties import Dataset, Party
from silkgate.domain._transfer import Decision, Obligation, TransferRequest

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "Dataset": Dataset,
    "Decision": Decision,
    "Obligation": Obligation,
    "Party": Party,
    "TransferRequest": TransferRequest,
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """Name → JSON Schema (draft 2020-12) of each model other programs exchange."""
    return {name: model.model_json_schema() for name, model in SCHEMA_MODELS.items()}
