"""Jurisdictions: ISO 3166-1 countries plus the EU/EEA and California, with their blocs."""

from __future__ import annotations

from typing import Literal

import pycountry
from pydantic import Field

from silkgate.domain._base import DomainModel
from silkgate.domain._errors import InvalidInput

Bloc = Literal["ASEAN", "RCEP", "APEC", "GLOBAL_CBPR", "EU", "EEA"]

ASEAN = frozenset({"BN", "KH", "ID", "LA", "MM", "MY", "PH", "SG", "TH", "VN"})
RCEP = ASEAN | {"CN", "JP", "KR", "AU", "NZ"}
APEC = frozenset(
    {"AU", "BN", "CA", "CL", "CN", "HK", "ID", "JP", "KR", "MY", "MX", "NZ", "PG", "PE", "PH",
     "RU", "SG", "TW", "TH", "US", "VN"}
)  # fmt: skip
# Members of the Global CBPR Forum (full members; associates do not certify companies).
GLOBAL_CBPR = frozenset({"AU", "CA", "JP", "KR", "MX", "PH", "SG", "TW", "US"})
EU_MEMBERS = frozenset(
    {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
     "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
)  # fmt: skip
EEA_MEMBERS = EU_MEMBERS | {"IS", "LI", "NO"}

_SPECIAL_NAMES = {"EU": "European Union / EEA", "US-CA": "California (United States)"}


class Jurisdiction(DomainModel):
    """A legal order whose transfer law applies: a country, the EU/EEA, or California."""

    code: str = Field(description="ISO 3166-1 alpha-2, 'EU' or 'US-CA'", examples=["CN", "SG"])
    name: str
    memberships: frozenset[Bloc] = frozenset()

    def is_member_of(self, bloc: Bloc) -> bool:
        return bloc in self.memberships

    @property
    def country(self) -> str | None:
        """The ISO country whose territory this is (None for the EU as a whole)."""
        if self.code == "EU":
            return None
        return self.code.split("-")[0]


def _memberships(code: str) -> frozenset[Bloc]:
    blocs: set[Bloc] = set()
    country = "US" if code == "US-CA" else code
    for bloc, members in (
        ("ASEAN", ASEAN),
        ("RCEP", RCEP),
        ("APEC", APEC),
        ("GLOBAL_CBPR", GLOBAL_CBPR),
        ("EU", EU_MEMBERS),
        ("EEA", EEA_MEMBERS),
    ):
        if country in members:
            blocs.add(bloc)  # type: ignore[arg-type]
    if code == "EU":
        blocs |= {"EU", "EEA"}
    return frozenset(blocs)


def jurisdiction(code: str, *, field: str = "jurisdiction") -> Jurisdiction:
    """Return the Jurisdiction for ``code``, or raise InvalidInput naming what is accepted."""
    normalised = code.strip().upper() if isinstance(code, str) else ""
    if normalised in _SPECIAL_NAMES:
        name = _SPECIAL_NAMES[normalised]
    else:
        country = pycountry.countries.get(alpha_2=normalised) if len(normalised) == 2 else None
        if country is None:
            raise InvalidInput(f"{code!r} is not ISO 3166-1 alpha-2, EU or US-CA", field=field)
        name = country.name
    return Jurisdiction(code=normalised, name=name, memberships=_memberships(normalised))


def is_jurisdiction_code(code: str) -> bool:
    try:
        jurisdiction(code)
    except InvalidInput:
        return False
    return True
