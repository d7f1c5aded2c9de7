"""Fixtures for silkgate.rules tests: one assessor over the packaged rulebooks, a request maker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from silkgate.domain import TransferRequest
from silkgate.rules import Assessor

MakeRequest = Callable[..., TransferRequest]


@pytest.fixture(scope="session")
def assessor() -> Assessor:
    return Assessor()


def make_request(
    exporter: str = "CN",
    importer: str = "SG",
    *,
    subjects: int = 1000,
    sensitive: int = 0,
    personal: bool = True,
    important: bool = False,
    core: bool = False,
    collected_abroad: bool = False,
    categories: tuple[str, ...] = ("contact",),
    ciio: bool = False,
    public_sector: bool = False,
    role: str = "controller",
    certifications: tuple[str, ...] = (),
    related_entity: bool = False,
    same_controller: bool = False,
    purpose: str = "business",
    mode: str = "transfer",
    mechanisms: tuple[str, ...] = (),
    date: str | None = "2025-06-01",
) -> TransferRequest:
    """A TransferRequest as `silkgate assess` would read it, with keyword overrides."""
    raw: dict[str, Any] = {
        "exporter": {
            "jurisdiction": exporter,
            "ciio": ciio,
            "public_sector": public_sector,
            "role": role,
        },
        "importer": {
            "jurisdiction": importer,
            "certifications": list(certifications),
            "related_entity": related_entity,
            "same_controller": same_controller,
        },
        "data": {
            "personal": personal,
            "subjects": subjects,
            "sensitive_subjects": sensitive,
            "important_data": important,
            "core_data": core,
            "collected_abroad": collected_abroad,
            "categories": list(categories),
        },
        "purpose": purpose,
        "mode": mode,
        "mechanisms": list(mechanisms),
        "date": date,
    }
    return TransferRequest.model_validate(raw)


@pytest.fixture
def request_for() -> MakeRequest:
    return make_request
