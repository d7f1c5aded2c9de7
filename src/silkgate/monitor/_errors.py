"""The exceptions the monitor raises.

SilkgateError
├── InvalidInput
│   └── IngestError        a log or table that cannot be read as the format named or detected
│       └── UnknownFormat  ``--format auto`` found no reader that accepts the file
└── MonitorError           ours or the environment's: a model that cannot be fitted, a stream down
    └── StreamError        NATS / JetStream refused or timed out
"""

from __future__ import annotations

from silkgate.domain import InvalidInput, SilkgateError


class IngestError(InvalidInput):
    """The input is not what its format says; the message names the file and the problem."""


class UnknownFormat(IngestError):
    """No reader recognises the file; the message lists the formats tried."""


class MonitorError(SilkgateError):
    """The monitor could not do its work for a reason that is not the caller's input."""


class StreamError(MonitorError):
    """The telemetry stream (NATS JetStream) could not be reached or used."""
