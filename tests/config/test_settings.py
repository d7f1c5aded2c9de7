from __future__ import annotations

from pathlib import Path

import pytest

from silkgate.config import ConfigError, load_settings, write_settings_file


def test_defaults_put_everything_under_dot_silkgate() -> None:
    settings = load_settings()
    assert settings.home == Path(".silkgate")
    assert settings.sqlalchemy_url.endswith("/.silkgate/silkgate.db")
    assert settings.ordering == "solo"


def test_toml_file_is_read_from_the_data_directory(tmp_path: Path) -> None:
    write_settings_file(
        tmp_path / "silkgate.toml", {"ordering": "jetstream", "api": {"port": 9001}}
    )
    settings = load_settings(tmp_path)
    assert settings.ordering == "jetstream"
    assert settings.api.port == 9001


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_settings_file(tmp_path / "silkgate.toml", {"api": {"port": 9001}})
    monkeypatch.setenv("SILKGATE_API__PORT", "9100")
    monkeypatch.setenv("SILKGATE_DATABASE_URL", "postgresql+psycopg://u:hunter2@db/silkgate")
    settings = load_settings(tmp_path)
    assert settings.api.port == 9100
    assert settings.sqlalchemy_url.startswith("postgresql+psycopg://")
    assert "hunter2" not in repr(settings)


def test_silkgate_home_variable_picks_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILKGATE_HOME", str(tmp_path / "elsewhere"))
    assert load_settings().home == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("ordering = 'raft'\n", "setting 'ordering'", id="value-not-allowed"),
        pytest.param("[api]\nport = 0\n", "setting 'api.port'", id="port-out-of-range"),
        pytest.param("colour = 'red'\n", "setting 'colour'", id="unknown-key"),
        pytest.param("ordering = \n", "not valid TOML", id="not-toml"),
    ],
)
def test_bad_config_names_the_file_and_key(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "silkgate.toml").write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(tmp_path)
    assert "silkgate.toml" in str(caught.value)


def test_bad_environment_variable_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILKGATE_API__PORT", "many")
    with pytest.raises(ConfigError, match="SILKGATE_API__PORT"):
        load_settings(tmp_path)


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path, tmp_path / "nope.toml")
