"""The facts a clause condition can read: a TransferRequest flattened into CEL variables.

Every name here is documented in docs/rules.md; `SCHEMA` is what conditions are checked
against when a rulebook is loaded, so a misspelt field fails at load, not at assessment.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from silkgate.domain import SENSITIVE_KINDS, TransferRequest, jurisdiction

_SENSITIVE = frozenset(SENSITIVE_KINDS)

# Variable → field → None (a leaf). Values are plain bool, int, str or lists of str.
SCHEMA: dict[str, Any] = {
    "exporter": {
        "jurisdiction": None,
        "country": None,
        "blocs": None,
        "ciio": None,
        "public_sector": None,
        "role": None,
    },
    "importer": {
        "jurisdiction": None,
        "country": None,
        "blocs": None,
        "certifications": None,
        "related_entity": None,
        "same_controller": None,
    },
    "data": {
        "personal": None,
        "subjects": None,
        "sensitive_subjects": None,
        "sensitive": None,
        "important_data": None,
        "core_data": None,
        "collected_abroad": None,
        "categories": None,
    },
    "purpose": None,
    "mode": None,
    "mechanisms": None,
    "as_of": None,
}


@lru_cache(maxsize=512)
def _place(code: str) -> tuple[str, list[str]]:
    """(country, sorted blocs) of a jurisdiction code; the EU has country "EU"."""
    place = jurisdiction(code)
    return place.country or place.code, sorted(place.memberships)


def activation(request: TransferRequest, as_of: dt.date) -> dict[str, Any]:
    """The CEL variables for one request on the day ``as_of``."""
    exporter, importer, data = request.exporter, request.importer, request.data
    exporter_country, exporter_blocs = _place(exporter.jurisdiction)
    importer_country, importer_blocs = _place(importer.jurisdiction)
    categories = sorted(data.categories)
    return {
        "exporter": {
            "jurisdiction": exporter.jurisdiction,
            "country": exporter_country,
            "blocs": exporter_blocs,
            "ciio": exporter.ciio,
            "public_sector": exporter.public_sector,
            "role": exporter.role,
        },
        "importer": {
            "jurisdiction": importer.jurisdiction,
            "country": importer_country,
            "blocs": importer_blocs,
            "certifications": sorted(importer.certifications),
            "related_entity": importer.related_entity,
            "same_controller": importer.same_controller,
        },
        "data": {
            "personal": data.personal,
            "subjects": data.subjects,
            "sensitive_subjects": data.sensitive_subjects,
            "sensitive": data.personal
            and (data.sensitive_subjects > 0 or not _SENSITIVE.isdisjoint(categories)),
            "important_data": data.important_data,
            "core_data": data.core_data,
            "collected_abroad": data.collected_abroad,
            "categories": categories,
        },
        "purpose": request.purpose,
        "mode": request.mode,
        "mechanisms": sorted(request.mechanisms),
        "as_of": as_of.isoformat(),
    }


def sample_activation() -> dict[str, Any]:
    """A typical activation, used to check at load time that each condition gives a bool."""
    request = TransferRequest.model_validate(
        {
            "exporter": {"jurisdiction": "CN"},
            "importer": {"jurisdiction": "SG"},
            "data": {"personal": True, "subjects": 10, "categories": ["contact"]},
        }
    )
    return activation(request, dt.date(2025, 1, 1))
