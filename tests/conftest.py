from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from silkgate.config import Settings, load_settings
from silkgate.gate import Platform

from ._servers import postgres


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SILKGATE_* variable of the machine leaks into a test; each runs in its own cwd."""
    import os

    for name in list(os.environ):
        if name.startswith("SILKGATE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    # Not under pytest's basetemp: pytest resets that to mode 0700, and the server runs as
    # an unprivileged user when the tests run as root.
    directory = Path(tempfile.mkdtemp(prefix="silkgate-pg-"))
    try:
        with postgres(directory) as url:
            yield url
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.multiprocess)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store test runs on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    from sqlalchemy import create_engine, text

    name = f"t_{abs(hash(request.node.nodeid)) % 10**12}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "home")


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    with Platform(settings) as opened:
        yield opened
