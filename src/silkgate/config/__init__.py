"""Settings of a silkgate installation: data directory, database, API, ordering."""

from silkgate.config._errors import ConfigError
from silkgate.config._settings import (
    CONFIG_FILE_NAME,
    DEFAULT_HOME,
    ApiSettings,
    Settings,
    load_settings,
    write_settings_file,
)

__all__ = [
    "CONFIG_FILE_NAME",
    "DEFAULT_HOME",
    "ApiSettings",
    "ConfigError",
    "Settings",
    "load_settings",
    "write_settings_file",
]
