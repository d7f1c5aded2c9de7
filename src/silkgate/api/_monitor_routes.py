"""REST of the security monitor's findings: the alerts it stored, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from silkgate.api._auth import PlatformDep, requires
from silkgate.exchange import Principal
from silkgate.monitor import Alert, AlertKind, AlertStore

router = APIRouter(prefix="/api/v1")
Auditor = Annotated[Principal, Depends(requires("auditor", "regulator"))]


@router.get("/monitor/alerts", tags=["monitor"])
def monitor_alerts(
    platform: PlatformDep,
    _caller: Auditor,
    kind: Annotated[AlertKind | None, Query(description="only alerts of this kind")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Alert]:
    """Alerts from ``HOME/monitor/alerts.jsonl`` with their reasons, verdicts and citations."""
    alerts = AlertStore(platform.settings.home / "monitor" / "alerts.jsonl").alerts()
    chosen = [a for a in alerts if kind is None or a.kind == kind]
    chosen.sort(key=lambda a: (a.ts is not None, a.ts, a.score), reverse=True)
    return chosen[:limit]
