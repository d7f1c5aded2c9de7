"""Compliance matching: a flow carrying personal data where ``rules`` would not let it go.

For each cross-border record whose exporter and importer jurisdictions are known and that
carries personal data (declared on a transfer event, or known from the dataset it belongs
to), the matcher builds the ``TransferRequest`` and asks ``rules.assess``. A verdict other
than ``allowed``, with no grant covering the flow, is a compliance alert with the
citations. Requests with the same facts are assessed once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from pydantic import ValidationError

from silkgate.domain import Dataset, Decision, SilkgateError, TransferRequest, is_personal
from silkgate.monitor._alerts import Alert

Assess = Callable[[TransferRequest], Decision]


def _split(value: object) -> frozenset[str]:
    return (
        frozenset(v for v in str(value).split(",") if v) if isinstance(value, str) else frozenset()
    )


class ComplianceMatcher:
    def __init__(
        self,
        *,
        assess: Assess | None = None,
        datasets: Mapping[str, Dataset] | None = None,
        grants: frozenset[str] | None = None,
    ) -> None:
        if assess is None:
            from silkgate.rules import assess as rules_assess

            assess = rules_assess
        self._assess = assess
        self._datasets = dict(datasets or {})
        self._grants = grants
        self._cache: dict[str, Decision | None] = {}

    def _request(self, row: Mapping[str, object]) -> dict[str, object] | None:
        exporter, importer = row.get("src_country"), row.get("dst_country")
        if not isinstance(exporter, str) or not isinstance(importer, str) or exporter == importer:
            return None
        dataset = self._datasets.get(str(row.get("dataset")))
        personal = row.get("personal")
        categories = _split(row.get("categories"))
        subjects = row.get("subjects")
        sensitive_subjects = row.get("sensitive_subjects")
        if dataset is not None:
            categories = categories or frozenset(dataset.categories)
            if not isinstance(personal, bool | np.bool_):
                personal = any(is_personal(c) for c in dataset.categories)
            if not isinstance(subjects, int | float) or subjects != subjects:
                subjects, sensitive_subjects = dataset.subjects, dataset.sensitive_subjects
        if not personal:
            return None
        ts = row.get("ts")
        day = (
            dt.datetime.fromtimestamp(float(ts), dt.UTC).date().isoformat()
            if isinstance(ts, int | float) and ts == ts
            else None
        )
        subjects_n = (
            int(subjects) if isinstance(subjects, int | float) and subjects == subjects else 0
        )
        sensitive_n = (
            int(sensitive_subjects)
            if isinstance(sensitive_subjects, int | float)
            and sensitive_subjects == sensitive_subjects
            else 0
        )
        request: dict[str, object] = {
            "exporter": {"jurisdiction": exporter},
            "importer": {"jurisdiction": importer},
            "data": {
                "personal": True,
                "subjects": subjects_n,
                "sensitive_subjects": min(sensitive_n, subjects_n),
                "categories": sorted(categories),
            },
            "mechanisms": sorted(_split(row.get("mechanisms"))),
            "date": day,
        }
        for key in ("purpose", "mode"):
            if isinstance(row.get(key), str):
                request[key] = row[key]
        return request

    def decide(self, row: Mapping[str, object]) -> Decision | None:
        """The rules' decision for one event row, or None when it is not a personal-data flow
        across a border (or its jurisdictions are not ones the rules know)."""
        request = self._request(row)
        if request is None:
            return None
        key = repr(sorted(request.items()))
        if key not in self._cache:
            try:
                self._cache[key] = self._assess(TransferRequest.model_validate(request))
            except (ValidationError, SilkgateError):
                self._cache[key] = None
        return self._cache[key]

    def match(self, events: pd.DataFrame) -> list[Alert]:
        """Compliance alerts for ``events`` (row positions as ``index``)."""
        alerts: list[Alert] = []
        candidates = events["src_country"].notna() & events["dst_country"].notna()
        if "personal" in events:
            candidates &= (
                events["personal"].astype("boolean").fillna(False) | events["dataset"].notna()
            )
        else:
            candidates &= events["dataset"].notna()
        positions = np.flatnonzero(candidates.to_numpy())
        rows: list[dict[str, object]] = [
            {str(k): v for k, v in r.items()}
            for r in events.iloc[positions].to_dict(orient="records")
        ]
        for position, row in zip(positions.tolist(), rows, strict=True):
            decision = self.decide(row)
            if decision is None or decision.verdict == "allowed":
                continue
            grant = row.get("grant")
            if isinstance(grant, str) and grant and (self._grants is None or grant in self._grants):
                continue
            ts = row.get("ts")
            alerts.append(
                Alert(
                    kind="compliance",
                    index=position,
                    score=1.0,
                    threshold=1.0,
                    ts=dt.datetime.fromtimestamp(float(ts), dt.UTC)
                    if isinstance(ts, int | float) and ts == ts
                    else None,
                    entity=f"{row.get('src_country')}->{row.get('dst_country')}",
                    verdict=decision.verdict,
                    required_any_of=decision.required_any_of,
                    citations=decision.citations,
                    message=(
                        f"personal data sent {row.get('src_country')} → {row.get('dst_country')}"
                        f" is {decision.verdict} under the rules and no grant covers it"
                    ),
                )
            )
        return alerts
