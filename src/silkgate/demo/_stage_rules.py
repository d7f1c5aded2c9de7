"""Demo stage: classify every sample dataset, then assess the flows the consortium wants.

Reports go through the platform's classification cache (by content hash), so the gate
stage reads the same reports when the owners publish.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from silkgate.classify import TableReport
from silkgate.demo._samples import Sample
from silkgate.domain import CATEGORIES, DataCategory, Mechanism, Party, Purpose, TransferRequest
from silkgate.gate import Platform
from silkgate.rules import assess


@dataclass(frozen=True, slots=True)
class Flow:
    """A flow one member asks for: whose dataset, to whom, why, with what already in place."""

    dataset_id: str
    importer: str
    purpose: Purpose
    mechanisms: tuple[Mechanism, ...] = ()


FLOWS: tuple[Flow, ...] = (
    Flow("cn-gxic-outpatients", "sg-lionhealth", "research"),
    Flow("cn-gxic-outpatients", "sg-lionhealth", "research", ("standard_contract",)),
    Flow("sg-lionhealth-claims", "cn-gxic", "business", ("binding_contract",)),
    Flow("vn-mekonglog-shipments", "cn-gxic", "logistics"),
    Flow("th-siampay-card-payments", "sg-lionhealth", "payment", ("consent",)),
)


def run_rules_stage(
    platform: Platform, parties: list[Party], samples: list[Sample]
) -> dict[str, Any]:
    started = time.perf_counter()
    reports: dict[str, TableReport] = {}
    cells = 0
    for sample in samples:
        found = platform.classifications.report(sample.dataset.content_hash, sample.path)
        report = TableReport.model_validate(found)
        reports[sample.dataset.id] = report
        cells += report.rows * len(report.columns)
    classified_s = time.perf_counter() - started

    by_party = {p.id: p for p in parties}
    by_dataset = {s.dataset.id: s for s in samples}
    assessments = []
    for flow in FLOWS:
        sample, report = by_dataset[flow.dataset_id], reports[flow.dataset_id]
        importer = by_party[flow.importer]
        request = _request(sample, report, importer, flow)
        decision = assess(request)
        assessments.append(
            {
                "dataset": flow.dataset_id,
                "route": f"{sample.dataset.location}→{importer.jurisdiction}",
                "purpose": flow.purpose,
                "mechanisms": list(flow.mechanisms),
                "verdict": decision.verdict,
                "required_any_of": list(decision.required_any_of),
                "obligations": [o.id for o in decision.obligations],
                "alternatives": list(decision.alternatives),
            }
        )
    return {
        "classified": {
            dataset_id: {
                "grade": report.grade,
                "subjects": report.subjects,
                "sensitive_subjects": report.sensitive_subjects,
                "personal_columns": sorted(
                    name
                    for name, col in report.columns.items()
                    if CATEGORIES[col.category].is_personal
                ),
            }
            for dataset_id, report in reports.items()
        },
        "cells_per_s": round(cells / classified_s) if classified_s > 0 else None,
        "assessments": assessments,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _request(sample: Sample, report: TableReport, importer: Party, flow: Flow) -> TransferRequest:
    categories: set[DataCategory] = {
        col.category for col in report.columns.values() if CATEGORIES[col.category].is_personal
    }
    return TransferRequest.model_validate(
        {
            "exporter": {"jurisdiction": sample.dataset.location},
            "importer": {
                "jurisdiction": importer.jurisdiction,
                "certifications": sorted(importer.certifications),
            },
            "data": {
                "personal": bool(categories),
                "subjects": report.subjects,
                "sensitive_subjects": report.sensitive_subjects,
                "categories": sorted(categories),
            },
            "purpose": flow.purpose,
            "mode": "transfer",
            "mechanisms": list(flow.mechanisms),
        }
    )
