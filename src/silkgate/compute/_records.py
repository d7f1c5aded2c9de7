"""Task records: state, result, errors and metering of every task, one JSON file each."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from silkgate.compute._metering import Metering
from silkgate.compute._spec import TaskSpec, TaskState
from silkgate.domain import NotFound


class TaskRecord(BaseModel):
    """What the scheduler knows about a task; ``result`` only once it succeeded."""

    model_config = ConfigDict(extra="forbid")

    spec: TaskSpec
    state: TaskState = "pending"
    attempts: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None
    metering: dict[str, Metering] = Field(default_factory=dict)
    submitted_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    log: list[str] = Field(default_factory=list)

    @property
    def id(self) -> str:
        return self.spec.id

    def summary(self) -> dict[str, Any]:
        """The record without the result, for `status`."""
        return self.model_dump(mode="json", exclude={"result", "spec"}) | {
            "id": self.id,
            "kind": self.spec.kind,
        }


class TaskStore:
    """Records under one directory; a ``ID.cancel`` file asks the running scheduler to stop."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def _path(self, task_id: str) -> Path:
        return self.directory / f"{task_id}.json"

    def exists(self, task_id: str) -> bool:
        return self._path(task_id).is_file()

    def save(self, record: TaskRecord) -> None:
        path = self._path(record.id)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(record.model_dump_json(indent=1), encoding="utf-8")
        tmp.replace(path)

    def load(self, task_id: str) -> TaskRecord:
        path = self._path(task_id)
        if not path.is_file():
            raise NotFound(f"no task {task_id!r}", field="task")
        return TaskRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))

    def all(self) -> list[TaskRecord]:
        return sorted(
            (self.load(p.stem) for p in self.directory.glob("*.json")),
            key=lambda r: r.submitted_at,
        )

    def request_cancel(self, task_id: str) -> None:
        (self.directory / f"{task_id}.cancel").touch()

    def cancel_requested(self, task_id: str) -> bool:
        return (self.directory / f"{task_id}.cancel").exists()
