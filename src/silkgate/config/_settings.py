"""Settings: one `silkgate.toml` in the data directory, overridden by SILKGATE_* variables.

Precedence, highest first: explicit arguments, SILKGATE_* environment variables
(nested keys with a double underscore, e.g. SILKGATE_API__PORT), the TOML file, defaults.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from silkgate.config._errors import ConfigError

CONFIG_FILE_NAME = "silkgate.toml"
DEFAULT_HOME = Path(".silkgate")


class ApiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8700, ge=1, le=65535)


class Settings(BaseSettings):
    """Everything a silkgate process needs to know about where it runs."""

    model_config = SettingsConfigDict(
        env_prefix="SILKGATE_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    home: Path = Field(DEFAULT_HOME, description="data directory (SILKGATE_HOME)")
    database_url: SecretStr | None = Field(
        None, description="SQLAlchemy URL; default SQLite at HOME/silkgate.db"
    )
    ordering: Literal["solo", "jetstream"] = "solo"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    api: ApiSettings = ApiSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _CURRENT_TOML.get("path")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @property
    def config_file(self) -> Path:
        return self.home / CONFIG_FILE_NAME

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.home / 'silkgate.db').resolve()}"


# pydantic-settings builds sources from class state; this holds the file for one load() call.
_CURRENT_TOML: dict[str, Path | None] = {"path": None}


def load_settings(
    data_dir: Path | None = None,
    config_file: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Read settings; raise ConfigError naming the file, variable and key on any problem."""
    home = data_dir or Path(os.environ.get("SILKGATE_HOME") or DEFAULT_HOME)
    toml_path = config_file or home / CONFIG_FILE_NAME
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file {config_file} does not exist", field="--config")
    if toml_path.is_file():
        _check_toml(toml_path)
        _CURRENT_TOML["path"] = toml_path
    if data_dir is not None:
        overrides["home"] = data_dir
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, toml_path if toml_path.is_file() else None)) from None
    finally:
        _CURRENT_TOML["path"] = None


def _check_toml(path: Path) -> None:
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _describe(exc: ValidationError, toml_path: Path | None) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    env_name = "SILKGATE_" + key.upper().replace(".", "__")
    origin = f"{toml_path} or {env_name}" if toml_path else env_name
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"setting {key!r} from {origin}: {first['msg']}{more}"


def write_settings_file(path: Path, values: dict[str, Any]) -> None:
    """Write a silkgate.toml holding ``values`` (flat keys and one level of tables)."""
    lines: list[str] = ["# silkgate configuration; SILKGATE_* environment variables override it"]
    tables = {k: v for k, v in values.items() if isinstance(v, dict)}
    for key, value in values.items():
        if key not in tables:
            lines.append(f"{key} = {_toml_value(value)}")
    for table, entries in tables.items():
        lines.append(f"\n[{table}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in entries.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
