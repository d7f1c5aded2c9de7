"""Benchmark: rules.assess throughput over a fixed, seeded mix of realistic requests.

Figures: assessments_per_s (Assessor.assess on validated requests, law in force on each
request's date), end_to_end_per_s (JSON-like dict -> TransferRequest -> Decision -> JSON
dict, what `silkgate assess` does per request). Baseline, same run and same requests:
validations_per_s, pydantic validation of the requests alone. ratio = assessments_per_s /
validations_per_s.

Usage: python benchmarks/assess.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from silkgate.domain import TransferRequest
from silkgate.rules import Assessor

JURISDICTIONS = ["CN", "SG", "MY", "TH", "VN", "ID", "PH", "BN", "KH", "LA", "MM", "EU", "DE",
                 "FR", "US-CA", "US", "JP", "KR", "GB", "BR", "AU", "IN"]  # fmt: skip
PURPOSES = ["business", "contract_with_subject", "hr_management", "emergency", "research",
            "payment", "logistics", "public_interest", "legal_claims"]  # fmt: skip
MECHANISMS = ["consent", "separate_consent", "standard_contract", "certification",
              "security_assessment", "scc", "bcr", "binding_contract", "tia", "dossier_filed",
              "contractual_necessity"]  # fmt: skip
CATEGORIES = ["contact", "identifier", "employment", "health", "financial_account", "biometric",
              "whereabouts", "business", "public"]  # fmt: skip


def make_requests(count: int, seed: int = 20250601) -> list[dict[str, Any]]:
    """Requests as `silkgate assess` reads them: weighted towards China and ASEAN exporters."""
    rng = random.Random(seed)
    start = dt.date(2022, 1, 1)
    raw = []
    for _ in range(count):
        exporter = rng.choice(JURISDICTIONS[:14] + ["CN"] * 6)
        importer = rng.choice(JURISDICTIONS)
        subjects = int(10 ** rng.uniform(1, 6.7))
        sensitive = rng.choice([0, 0, 0, subjects // 100, subjects // 5, min(subjects, 12_000)])
        raw.append(
            {
                "exporter": {
                    "jurisdiction": exporter,
                    "ciio": rng.random() < 0.05,
                    "public_sector": rng.random() < 0.05,
                    "role": rng.choice(["controller", "controller", "processor"]),
                },
                "importer": {
                    "jurisdiction": importer,
                    "certifications": rng.sample(
                        ["GLOBAL_CBPR", "DPF", "ISO_27701"], k=rng.randint(0, 1)
                    ),
                    "related_entity": rng.random() < 0.2,
                    "same_controller": rng.random() < 0.05,
                },
                "data": {
                    "personal": rng.random() < 0.9,
                    "subjects": subjects,
                    "sensitive_subjects": sensitive,
                    "important_data": rng.random() < 0.03,
                    "core_data": rng.random() < 0.005,
                    "collected_abroad": rng.random() < 0.05,
                    "categories": rng.sample(CATEGORIES, k=rng.randint(1, 3)),
                },
                "purpose": rng.choice(PURPOSES),
                "mode": rng.choice(["transfer"] * 8 + ["remote_access", "transit"]),
                "mechanisms": rng.sample(MECHANISMS, k=rng.choice([0, 0, 1, 1, 2])),
                "date": (start + dt.timedelta(days=rng.randrange(5 * 365))).isoformat(),
            }
        )
    return raw


def best_rate(count: int, repeats: int, run: Callable[[], object]) -> float:
    """Items per second of the fastest of ``repeats`` runs over ``count`` items."""
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return count / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer requests")
    args = parser.parse_args()
    count, repeats = (2_000, 2) if args.quick else (20_000, 5)

    raw = make_requests(count)
    began = time.perf_counter()
    assessor = Assessor()
    build_s = time.perf_counter() - began
    requests = [TransferRequest.model_validate(r) for r in raw]
    for request in requests:  # warm the per-period plans, as a long-running service would
        assessor.assess(request)

    validations_per_s = best_rate(
        count, repeats, lambda: [TransferRequest.model_validate(r) for r in raw]
    )
    assessments_per_s = best_rate(count, repeats, lambda: [assessor.assess(q) for q in requests])
    end_to_end_per_s = best_rate(
        count,
        repeats,
        lambda: [
            assessor.assess(TransferRequest.model_validate(r)).model_dump(mode="json") for r in raw
        ],
    )

    verdicts: dict[str, int] = {}
    for request in requests:
        verdict = assessor.assess(request).verdict
        verdicts[verdict] = verdicts.get(verdict, 0) + 1

    result = {
        "benchmark": "assess",
        "figures": {
            "assessments_per_s": round(assessments_per_s),
            "end_to_end_per_s": round(end_to_end_per_s),
            "assessor_build_s": round(build_s, 3),
            "requests": count,
            "verdicts": verdicts,
        },
        "baseline": {"validations_per_s": round(validations_per_s)},
        "ratio": round(assessments_per_s / validations_per_s, 3),
        "goal": {"assessments_per_s": 5_000},
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {name: metadata.version(name) for name in ("pydantic", "cel-python")},
    }
    print(json.dumps(result), file=sys.stdout)


if __name__ == "__main__":
    main()
