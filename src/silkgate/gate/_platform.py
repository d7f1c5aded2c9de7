"""The runtime object of one silkgate installation: its settings, database and services.

The consortium ledger (``HOME/ledger``), the vault (``HOME/vault``), the exchange and the
gate open on first use; the ledger is created then from the registered parties (its
organisations are fixed at creation: see docs/limitations.md).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from silkgate.compute import TaskSpec
from silkgate.config import Settings
from silkgate.domain import Dataset, InvalidInput
from silkgate.exchange import Accounts, CatalogEntry, Exchange, LedgerLink
from silkgate.gate._actions import ComputePlane, compute, download
from silkgate.gate._classified import ClassificationCache
from silkgate.gate._gate import Gate, check_data_path, dataset_from_report
from silkgate.gate._grants import LedgerGrants
from silkgate.gate._models import ComputeOutcome, Download
from silkgate.ledger import Consortium
from silkgate.store import Database, Registry
from silkgate.vault import Vault, VaultKeys


class Platform:
    """Opens the database (migrated to the newest schema) and the services built on it.

    Build one per process and pass it; ``close()`` (or ``with``) releases everything.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.database = Database(settings.sqlalchemy_url)
        self.database.migrate()
        self.registry = Registry(self.database)
        self.accounts = Accounts(self.database)
        self.vault = Vault(settings.home / "vault")
        self.classifications = ClassificationCache(self.database)
        self.gate = Gate(self)
        self._lock = threading.RLock()
        self._consortium: Consortium | None = None
        self._exchange: Exchange | None = None
        self._compute: ComputePlane | None = None

    @property
    def ledger_home(self) -> Path:
        return self.settings.home / "ledger"

    def has_ledger(self) -> bool:
        return self._consortium is not None or Consortium.exists(self.ledger_home)

    def consortium(self) -> Consortium:
        """The ledger, opened (or created from the registered parties) on first use."""
        with self._lock:
            if self._consortium is None:
                if Consortium.exists(self.ledger_home):
                    self._consortium = Consortium(self.ledger_home).start()
                else:
                    parties = self.registry.parties()
                    if not parties:
                        raise InvalidInput("register parties before using the ledger",
                                           field="parties")  # fmt: skip
                    self._consortium = Consortium.create(self.ledger_home, parties)
            return self._consortium

    @property
    def exchange(self) -> Exchange:
        with self._lock:
            if self._exchange is None:
                link = LedgerLink(self.consortium())
                self._exchange = Exchange(self.database, self.registry, link)
            return self._exchange

    def compute_plane(self) -> ComputePlane:
        with self._lock:
            if self._compute is None:
                self._compute = ComputePlane(self.settings.home, LedgerGrants(self.exchange.ledger))
            return self._compute

    def vault_keys(self, org: str) -> VaultKeys:
        """``org``'s umbral keys (made on first use, kept 0600 under the ledger home)."""
        self.registry.party(org)
        path = self.ledger_home / "orgs" / org / "vault.key"
        with self._lock:
            if path.is_file():
                return VaultKeys.load(path)
            keys = VaultKeys.generate()
            keys.save(path)
            return keys

    # the one path ------------------------------------------------------------------------
    def classified(self, entry: CatalogEntry) -> dict[str, Any]:
        """The cached classification report of a published dataset's current content."""
        if entry.report:
            return entry.report
        uri = self.registry.dataset_uri(entry.dataset.id)
        if uri is None:
            raise InvalidInput(f"{entry.dataset.id} has no file to classify", field="dataset")
        return self.classifications.report(entry.dataset.content_hash, Path(uri.removeprefix(
            "file://")))  # fmt: skip

    def publish(
        self,
        dataset: Dataset,
        path: Path,
        *,
        policies: Mapping[str, str],
        important_data: bool = False,
        description: str = "",
        keywords: Sequence[str] = (),
    ) -> CatalogEntry:
        """Classify (cached), seal in the vault and publish ``dataset`` held at ``path``."""
        report = self.classifications.report(dataset.content_hash, path)
        sealed = self.vault.seal(dataset.id, path, self.vault_keys(dataset.owner))
        if sealed.content_hash != dataset.content_hash:
            raise InvalidInput(f"{path} does not hash to the dataset's content_hash",
                               field="content_hash")  # fmt: skip
        return self.exchange.catalog.publish(
            dataset, report=report, vault_ref=sealed.ref, policies=policies,
            uri=path.resolve().as_uri(), important_data=important_data,
            description=description, keywords=keywords,
        )  # fmt: skip

    def publish_file(
        self,
        owner: str,
        dataset_id: str,
        name: str,
        path: Path,
        *,
        policies: Mapping[str, str],
        important_data: bool = False,
        description: str = "",
        keywords: Sequence[str] = (),
    ) -> CatalogEntry:
        """Publish a file from ``HOME/data/OWNER``, described by its classification."""
        party = self.registry.party(owner)
        resolved = check_data_path(self.settings.home, owner, path)
        import hashlib

        with resolved.open("rb") as content:
            content_hash = hashlib.file_digest(content, "sha256").hexdigest()
        report = self.classifications.report(content_hash, resolved)
        dataset = dataset_from_report(dataset_id, name, owner, party.jurisdiction, resolved,
                                      report, content_hash)  # fmt: skip
        return self.publish(dataset, resolved, policies=policies, important_data=important_data,
                            description=description, keywords=keywords)  # fmt: skip

    def download(self, order_id: str, *, actor: str | None = None) -> Download:
        return download(self, order_id, actor=actor)

    def compute(
        self, order_id: str, tasks: list[TaskSpec], *, actor: str | None = None
    ) -> list[ComputeOutcome]:
        return compute(self, order_id, tasks, actor=actor)

    def close(self) -> None:
        with self._lock:
            if self._compute is not None:
                self._compute.close()
                self._compute = None
            if self._consortium is not None:
                self._consortium.close()
                self._consortium = None
            self._exchange = None
        self.database.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
