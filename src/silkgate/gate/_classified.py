"""Classification reports cached by content hash: a dataset is read once per version."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from silkgate.classify import Classifier
from silkgate.store import ClassificationRow, Database


class ClassificationCache:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._classifier: Classifier | None = None
        self._lock = threading.Lock()

    def report(self, content_hash: str, path: Path) -> dict[str, Any]:
        """The report of the file at ``path`` whose SHA-256 is ``content_hash``."""
        with self._db.transaction() as session:
            row = session.get(ClassificationRow, content_hash)
            if row is not None:
                return dict(row.report)
        with self._lock:
            if self._classifier is None:
                self._classifier = Classifier()
            report = self._classifier.classify_path(path).model_dump(mode="json")
        with self._db.transaction() as session:
            if session.get(ClassificationRow, content_hash) is None:
                session.add(ClassificationRow(content_hash=content_hash, report=report,
                                              created_at=dt.datetime.now(dt.UTC)))  # fmt: skip
        return report
