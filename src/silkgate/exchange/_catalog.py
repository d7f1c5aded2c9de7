"""The catalog: datasets their owners publish, with classification and ledger registration.

Publishing checks everything first (owner known, dataset not yet published, policies
given), then writes the registry row, the ledger registration and its Cedar policies, and
the catalog row. ``dcat()`` exports the catalog as DCAT 3 in JSON-LD, offers as ODRL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from silkgate.domain import CATEGORIES, Conflict, Dataset, InvalidInput, NotFound
from silkgate.exchange._ledgerlink import LedgerLink
from silkgate.exchange._models import CatalogEntry, Offer
from silkgate.exchange._odrl import odrl_offer
from silkgate.store import CatalogRow, Database, Registry

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "spdx": "http://spdx.org/rdf/terms#",
    "silkgate": "urn:silkgate:",
}


class Catalog:
    def __init__(self, database: Database, registry: Registry, ledger: LedgerLink) -> None:
        self._db = database
        self._registry = registry
        self._ledger = ledger

    def publish(
        self,
        dataset: Dataset,
        *,
        report: Mapping[str, Any],
        vault_ref: str,
        policies: Mapping[str, str],
        uri: str | None = None,
        important_data: bool = False,
        description: str = "",
        keywords: Sequence[str] = (),
    ) -> CatalogEntry:
        """Register ``dataset`` (if new), put it and its Cedar ``policies`` on the ledger."""
        self._registry.party(dataset.owner)
        if not policies:
            raise InvalidInput("at least one Cedar policy is needed", field="policies")
        with self._db.transaction() as session:
            if session.get(CatalogRow, dataset.id) is not None:
                raise Conflict(f"dataset {dataset.id!r} is already published", field="id")
        known = {d.id for d in self._registry.datasets(owner=dataset.owner)}
        if dataset.id not in known:
            self._registry.add_dataset(dataset, uri=uri)
        if self._ledger.is_registered(dataset.id):
            raise Conflict(f"dataset {dataset.id!r} is already on the ledger", field="id")
        tx_id = self._ledger.register(dataset, vault_ref=vault_ref)
        for policy_id, cedar in sorted(policies.items()):
            self._ledger.set_policy(dataset.owner, dataset.id, policy_id, cedar)
        now = dt.datetime.now(dt.UTC)
        with self._db.transaction() as session:
            session.add(
                CatalogRow(
                    dataset_id=dataset.id,
                    description=description,
                    keywords=list(keywords),
                    important_data=important_data,
                    report=dict(report),
                    vault_ref=vault_ref,
                    ledger_tx=tx_id,
                    published_at=now,
                )
            )
        return self.entry(dataset.id)

    def entry(self, dataset_id: str) -> CatalogEntry:
        with self._db.transaction() as session:
            row = session.get(CatalogRow, dataset_id)
            if row is None:
                raise NotFound(f"dataset {dataset_id!r} is not in the catalog", field="dataset")
            return self._entry(row)

    def _entry(self, row: CatalogRow) -> CatalogEntry:
        dataset = next(d for d in self._registry.datasets() if d.id == row.dataset_id)
        return CatalogEntry(
            dataset=dataset,
            description=row.description,
            keywords=tuple(row.keywords),
            important_data=row.important_data,
            report=row.report,
            vault_ref=row.vault_ref,
            ledger_tx=row.ledger_tx,
            published_at=row.published_at,
        )

    def entries(self) -> list[CatalogEntry]:
        with self._db.transaction() as session:
            rows = session.scalars(select(CatalogRow).order_by(CatalogRow.dataset_id)).all()
            return [self._entry(r) for r in rows]

    def search(
        self,
        q: str | None = None,
        *,
        location: str | None = None,
        category: str | None = None,
        owner: str | None = None,
    ) -> list[CatalogEntry]:
        """Entries whose id, name, description or keywords contain ``q`` (any case)."""
        needle = (q or "").strip().lower()
        found = []
        for entry in self.entries():
            d = entry.dataset
            text = " ".join([d.id, d.name, entry.description, *entry.keywords]).lower()
            if needle and needle not in text:
                continue
            if location and d.location != location.upper():
                continue
            if category and category not in d.categories:
                continue
            if owner and d.owner != owner:
                continue
            found.append(entry)
        return found

    def dcat(self, offers: Sequence[Offer] = ()) -> dict[str, Any]:
        """The catalog as a DCAT ``dcat:Catalog`` in JSON-LD, each offer as ``odrl:hasPolicy``."""
        datasets = []
        for entry in self.entries():
            d = entry.dataset
            datasets.append(
                {
                    "@id": f"urn:silkgate:dataset:{d.id}",
                    "@type": "dcat:Dataset",
                    "dct:identifier": d.id,
                    "dct:title": d.name,
                    "dct:description": entry.description,
                    "dct:publisher": {"@id": f"urn:silkgate:party:{d.owner}"},
                    "dct:spatial": d.location,
                    "dct:issued": entry.published_at.isoformat(),
                    "dcat:keyword": list(entry.keywords),
                    "dcat:theme": [CATEGORIES[c].label_en for c in sorted(d.categories)],
                    "silkgate:grade": d.grade,
                    "silkgate:subjects": d.subjects,
                    "silkgate:ledgerTx": entry.ledger_tx,
                    "odrl:hasPolicy": [odrl_offer(o) for o in offers if o.dataset_id == d.id],
                    "dcat:distribution": [
                        {
                            "@type": "dcat:Distribution",
                            "dct:format": d.format,
                            "dcat:byteSize": None,
                            "spdx:checksum": {
                                "spdx:algorithm": "spdx:checksumAlgorithm_sha256",
                                "spdx:checksumValue": d.content_hash,
                            },
                        }
                    ],
                }
            )
        return {
            "@context": DCAT_CONTEXT,
            "@id": "urn:silkgate:catalog",
            "@type": "dcat:Catalog",
            "dct:title": "silkgate data catalog",
            "dcat:dataset": datasets,
        }
