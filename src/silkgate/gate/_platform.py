"""The runtime object of one silkgate installation: its settings, database and services."""

from __future__ import annotations

from silkgate.config import Settings
from silkgate.exchange import Accounts
from silkgate.store import Database, Registry


class Platform:
    """Opens the database (migrated to the newest schema) and the services built on it.

    Build one per process and pass it; ``close()`` (or ``with``) releases the database.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.database = Database(settings.sqlalchemy_url)
        self.database.migrate()
        self.registry = Registry(self.database)
        self.accounts = Accounts(self.database)

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
