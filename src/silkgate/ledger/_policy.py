"""Endorsement policies: which organisations' peers must sign a transaction's results.

Three forms, written as short strings in the consortium configuration:

- ``"majority"``: more than half of the member organisations;
- ``"any:K"``: any K distinct organisations (``"any:2"`` with three members is 2-of-3);
- ``"owner+K"``: the organisation owning the dataset the transaction touches and K others.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from silkgate.domain import InvalidInput

_FORM = re.compile(r"^(majority|any:(\d+)|owner\+(\d+))$")


@dataclass(frozen=True, slots=True)
class EndorsementPolicy:
    kind: Literal["majority", "any", "owner"]
    count: int = 0

    @classmethod
    def parse(cls, text: str) -> EndorsementPolicy:
        return _parse(text)

    @property
    def needs_owner(self) -> bool:
        return self.kind == "owner"

    def is_satisfied(self, orgs: set[str], members: int, owner: str | None) -> bool:
        """Whether endorsements from ``orgs`` (distinct, valid) meet the policy."""
        if self.kind == "majority":
            return len(orgs) * 2 > members
        if self.kind == "any":
            return len(orgs) >= self.count
        return owner is not None and owner in orgs and len(orgs - {owner}) >= self.count

    def __str__(self) -> str:
        return {"majority": "majority", "any": f"any:{self.count}", "owner": f"owner+{self.count}"}[
            self.kind
        ]


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> EndorsementPolicy:
    """Parsed once per text: every validated transaction asks for its contract's policy."""
    match = _FORM.match(text.strip())
    if match is None:
        raise InvalidInput(
            f"{text!r} is not an endorsement policy; use majority, any:K or owner+K",
            field="policies",
        )
    if match.group(2) is not None:
        return EndorsementPolicy("any", int(match.group(2)))
    if match.group(3) is not None:
        return EndorsementPolicy("owner", int(match.group(3)))
    return EndorsementPolicy("majority")
