"""A party's datasets as its node sees them: files and SQL tables under its data directory.

Layout of ``--data DIR``: ``DATASET.csv``, ``DATASET.parquet``, ``DATASET.jsonl``; every table
of ``*.sqlite`` / ``*.db`` files (named by table); and ``sources.json`` mapping further
dataset ids to SQL tables, ``{"id": {"url": "postgresql+psycopg://…", "table": "t"}}``.
Rows are read only inside the node, by engines; nothing here sends them anywhere.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from silkgate.domain import InvalidInput, NotFound

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_FILE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}


@dataclass(frozen=True, slots=True)
class SqlTable:
    url: str
    table: str


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """What a node may say about a dataset: its columns and row count, never its rows."""

    dataset: str
    format: str
    columns: tuple[str, ...]
    rows: int


class DataSource:
    """Resolves dataset ids to files or tables under one directory and reads columns."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _locate(self, dataset: str) -> Path | SqlTable:
        if not _SLUG.match(dataset):
            raise InvalidInput(f"{dataset!r} is not a dataset id", field="dataset")
        for suffix in _FILE_FORMATS:
            path = self.directory / f"{dataset}{suffix}"
            if path.is_file():
                return path
        mapping = self.directory / "sources.json"
        if mapping.is_file():
            entries = json.loads(mapping.read_text(encoding="utf-8"))
            if dataset in entries:
                return SqlTable(url=entries[dataset]["url"], table=entries[dataset]["table"])
        for database in sorted(self.directory.glob("*.sqlite")) + sorted(
            self.directory.glob("*.db")
        ):
            with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
                found = db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (dataset,)
                ).fetchone()
            if found:
                return SqlTable(url=f"sqlite:///{database.resolve()}", table=dataset)
        raise NotFound(f"this node holds no dataset {dataset!r}", field="dataset")

    def csv_path(self, dataset: str) -> Path | None:
        """The dataset's file when it is a CSV an engine can read in place."""
        where = self._locate(dataset)
        return where if isinstance(where, Path) and where.suffix == ".csv" else None

    def describe(self, dataset: str) -> DatasetInfo:
        where = self._locate(dataset)
        if isinstance(where, SqlTable):
            frame = self._read_sql(where, None, limit=0)
            rows = int(self._read_sql_scalar(where, "SELECT COUNT(*) FROM {t}"))
            return DatasetInfo(dataset, "table", tuple(map(str, frame.columns)), rows)
        fmt = _FILE_FORMATS[where.suffix]
        if fmt == "parquet":
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(where)
            return DatasetInfo(
                dataset, fmt, tuple(meta.schema_arrow.names), int(meta.metadata.num_rows)
            )
        if fmt == "csv":
            header = pd.read_csv(where, nrows=0)
            with where.open("rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            return DatasetInfo(dataset, fmt, tuple(map(str, header.columns)), max(lines - 1, 0))
        frame = pd.read_json(where, lines=True)
        return DatasetInfo(dataset, fmt, tuple(map(str, frame.columns)), len(frame))

    def read(self, dataset: str, columns: tuple[str, ...]) -> pd.DataFrame:
        """The named columns of a dataset, for an engine running inside this node."""
        info = self.describe(dataset)
        missing = [c for c in columns if c not in info.columns]
        if missing:
            raise InvalidInput(
                f"dataset {dataset!r} has no columns {missing}; it has {list(info.columns)}",
                field="columns",
            )
        where = self._locate(dataset)
        if isinstance(where, SqlTable):
            return self._read_sql(where, columns)
        if info.format == "parquet":
            return pd.read_parquet(where, columns=list(columns))
        if info.format == "csv":
            return pd.read_csv(where, usecols=list(columns))[list(columns)]
        return pd.read_json(where, lines=True)[list(columns)]

    @staticmethod
    def _read_sql(
        table: SqlTable, columns: tuple[str, ...] | None, *, limit: int | None = None
    ) -> pd.DataFrame:
        from sqlalchemy import create_engine, text

        engine = create_engine(table.url)
        try:
            with engine.connect() as connection:
                quote = engine.dialect.identifier_preparer.quote
                selected = ", ".join(quote(c) for c in columns) if columns else "*"
                query = f"SELECT {selected} FROM {quote(table.table)}"
                if limit is not None:
                    query += f" LIMIT {int(limit)}"
                return pd.read_sql_query(text(query), connection)
        finally:
            engine.dispose()

    @staticmethod
    def _read_sql_scalar(table: SqlTable, template: str) -> int:
        from sqlalchemy import create_engine, text

        engine = create_engine(table.url)
        try:
            with engine.connect() as connection:
                quote = engine.dialect.identifier_preparer.quote
                return int(
                    connection.execute(text(template.format(t=quote(table.table)))).scalar_one()
                )
        finally:
            engine.dispose()
