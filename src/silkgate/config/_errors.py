"""Configuration errors.

SilkgateError
└── InvalidInput
    └── ConfigError   the config file or a SILKGATE_* variable is wrong
"""

from __future__ import annotations

from silkgate.domain import InvalidInput


class ConfigError(InvalidInput):
    """A setting could not be read; the message names the file or variable and the key."""
