"""Parties and datasets as stored: domain values in, domain values out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from silkgate.domain import Column, Conflict, Dataset, NotFound, Party
from silkgate.store._database import Database
from silkgate.store._tables import DatasetRow, PartyRow


class Registry:
    """The consortium's members and the datasets they registered."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add_parties(self, parties: Sequence[Party]) -> None:
        """Store all of ``parties`` or, if any id is taken or repeated, none of them."""
        ids = [p.id for p in parties]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise Conflict(f"party ids repeated in the request: {repeated}", field="id")
        with self._db.transaction() as session:
            taken = session.scalars(select(PartyRow.id).where(PartyRow.id.in_(ids))).all()
            if taken:
                raise Conflict(f"parties already registered: {sorted(taken)}", field="id")
            session.add_all(_party_row(p) for p in parties)

    def parties(self) -> list[Party]:
        with self._db.transaction() as session:
            rows = session.scalars(select(PartyRow).order_by(PartyRow.id)).all()
            return [_party(r) for r in rows]

    def party(self, party_id: str) -> Party:
        with self._db.transaction() as session:
            row = session.get(PartyRow, party_id)
            if row is None:
                raise NotFound(f"no party {party_id!r}", field="party")
            return _party(row)

    def add_dataset(self, dataset: Dataset, *, uri: str | None = None) -> None:
        with self._db.transaction() as session:
            if session.get(PartyRow, dataset.owner) is None:
                raise NotFound(f"owner {dataset.owner!r} is not a registered party", field="owner")
            if session.get(DatasetRow, dataset.id) is not None:
                raise Conflict(f"dataset {dataset.id!r} already registered", field="id")
            session.add(_dataset_row(dataset, uri))
            try:
                session.flush()
            except IntegrityError:
                raise Conflict(f"dataset {dataset.id!r} already registered", field="id") from None

    def datasets(self, owner: str | None = None) -> list[Dataset]:
        query = select(DatasetRow).order_by(DatasetRow.id)
        if owner is not None:
            query = query.where(DatasetRow.owner == owner)
        with self._db.transaction() as session:
            return [_dataset(r) for r in session.scalars(query).all()]

    def dataset_uri(self, dataset_id: str) -> str | None:
        with self._db.transaction() as session:
            row = session.get(DatasetRow, dataset_id)
            if row is None:
                raise NotFound(f"no dataset {dataset_id!r}", field="dataset")
            return row.uri


def _party_row(party: Party) -> PartyRow:
    return PartyRow(
        id=party.id,
        name=party.name,
        jurisdiction=party.jurisdiction,
        roles=sorted(party.roles),
        certifications=sorted(party.certifications),
    )


def _party(row: PartyRow) -> Party:
    return Party(
        id=row.id,
        name=row.name,
        jurisdiction=row.jurisdiction,
        roles=frozenset(row.roles),
        certifications=frozenset(row.certifications),
    )


def _dataset_row(dataset: Dataset, uri: str | None) -> DatasetRow:
    return DatasetRow(
        id=dataset.id,
        name=dataset.name,
        owner=dataset.owner,
        location=dataset.location,
        format=dataset.format,
        uri=uri,
        columns=[c.model_dump(mode="json") for c in dataset.columns],
        rows=dataset.rows,
        subjects=dataset.subjects,
        sensitive_subjects=dataset.sensitive_subjects,
        categories=sorted(dataset.categories),
        grade=dataset.grade,
        content_hash=dataset.content_hash,
    )


def _dataset(row: DatasetRow) -> Dataset:
    return Dataset.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "owner": row.owner,
            "location": row.location,
            "format": row.format,
            "columns": [Column.model_validate(c) for c in row.columns],
            "rows": row.rows,
            "subjects": row.subjects,
            "sensitive_subjects": row.sensitive_subjects,
            "categories": frozenset(row.categories),
            "grade": row.grade,
            "content_hash": row.content_hash,
        }
    )
