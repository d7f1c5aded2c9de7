"""Privacy-computing tasks as the scheduler recorded them, with what each node spent.

The records are the scheduler's files under ``HOME/compute/tasks``; a task's result is shown
only to a viewer whose party receives it, as only results leave and only to receivers.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from silkgate.compute import ComputeHome, TaskRecord
from silkgate.web._render import render
from silkgate.web._session import Viewer, platform_of, scope_of

router = APIRouter(include_in_schema=False)


def task_records(home: Path) -> list[TaskRecord]:
    """The recorded tasks, newest first; a file being written or unreadable is skipped."""
    records = []
    for path in (ComputeHome.of(home).root / "tasks").glob("*.json"):
        try:
            records.append(TaskRecord.model_validate(json.loads(path.read_text("utf-8"))))
        except (OSError, ValueError, ValidationError):
            continue
    return sorted(records, key=lambda r: r.submitted_at, reverse=True)


@router.get("/compute", response_class=HTMLResponse)
def compute(request: Request, viewer: Viewer) -> HTMLResponse:
    platform = platform_of(request)
    party = scope_of(viewer)
    records = [
        r for r in task_records(platform.settings.home)
        if party is None or party in r.spec.parties or party in r.spec.receivers
    ]  # fmt: skip
    usage = {}
    if platform.has_ledger():
        usage = {u.source: u for u in platform.exchange.billing.usage(party=party)}
    rows = [{"record": r, "usage": usage.get(r.id),
             "cpu_s": sum(m.cpu_s for m in r.metering.values()),
             "wall_s": max((m.wall_s for m in r.metering.values()), default=0.0),
             "result": r.result if viewer.party_id in r.spec.receivers else None}
            for r in records]  # fmt: skip
    return render(request, "compute.html", "compute", rows=rows, party=party)
