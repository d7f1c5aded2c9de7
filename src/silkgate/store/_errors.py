"""Store errors.

SilkgateError
├── InvalidInput
│   └── Conflict (domain)       duplicate id or stale write: nothing was written
└── StoreError                  the database could not be reached or migrated
"""

from __future__ import annotations

from silkgate.domain import SilkgateError


class StoreError(SilkgateError):
    """The database failed us (unreachable, wrong schema); the message hides credentials."""
