"""Alerts and where they are kept: a JSON Lines file per installation (append-only)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from silkgate.domain import Mechanism, Verdict

AlertKind = Literal["anomaly", "compliance", "forecast", "content"]


class AlertReason(BaseModel):
    model_config = ConfigDict(frozen=True)

    column: str
    weight: float


class Alert(BaseModel):
    """Something the monitor thinks a person should look at, and why."""

    model_config = ConfigDict(frozen=True)

    kind: AlertKind
    index: int = Field(description="row of the scored input (or series point)")
    score: float
    threshold: float
    ts: dt.datetime | None = None
    entity: str | None = Field(None, description="party, country or flow the alert is about")
    reasons: tuple[AlertReason, ...] = ()
    verdict: Verdict | None = None
    required_any_of: tuple[Mechanism, ...] = ()
    citations: tuple[str, ...] = ()
    message: str = ""


class AlertStore:
    """Appends alerts to ``path`` (JSON Lines); safe to share between threads of one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(self, alerts: list[Alert]) -> None:
        if not alerts:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(a.model_dump_json() + "\n" for a in alerts)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(text)

    def alerts(self) -> list[Alert]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [Alert.model_validate_json(line) for line in lines if line.strip()]
