"""The exceptions every silkgate package builds on.

SilkgateError
├── InvalidInput          the caller's fault: exit code 2, HTTP 4xx
│   ├── NotFound          a named thing does not exist (HTTP 404)
│   └── Conflict          the request clashes with what is stored (HTTP 409)
├── AccessDenied          authenticated but not allowed (HTTP 403)
│   └── Unauthenticated   no or unknown credentials (HTTP 401)
└── (anything else)       ours or the environment's: exit code 1, HTTP 5xx
"""

from __future__ import annotations


class SilkgateError(Exception):
    """Root of every error silkgate raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        if self.field and not self.message.startswith(f"{self.field}:"):
            return f"{self.field}: {self.message}"
        return self.message


class InvalidInput(SilkgateError, ValueError):
    """The caller sent something we cannot accept; the message says what and what would be.

    It is a ValueError so that pydantic validators raising it report a validation error.
    """


class NotFound(InvalidInput):
    """A named object (party, dataset, token, file) does not exist."""


class Conflict(InvalidInput):
    """The request contradicts stored state (duplicate id, stale version)."""


class AccessDenied(SilkgateError):
    """The caller is known but lacks the role or scope for this action."""


class Unauthenticated(AccessDenied):
    """The caller presented no credentials, or ones we do not know."""
