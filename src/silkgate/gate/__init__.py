"""The one path every request takes; for now, the platform runtime it runs in."""

from silkgate.gate._platform import Platform

__all__ = ["Platform"]
