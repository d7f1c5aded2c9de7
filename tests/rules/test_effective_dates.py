"""The law in force on `as_of` decides: before and after each change the rulebooks encode."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from silkgate.rules import Assessor, assess


@pytest.mark.parametrize(
    ("overrides", "as_of", "verdict", "required", "clause"),
    [
        pytest.param({"subjects": 50_000}, "2024-03-21", "conditional",
                     ("standard_contract", "certification"), "cn.2022.pipl-art38",
                     id="cn-50k-before-provisions-needs-contract"),
        pytest.param({"subjects": 50_000}, "2024-03-22", "allowed", (), "cn.2024.art5.small",
                     id="cn-50k-from-provisions-day-exempt"),
        pytest.param({"subjects": 150_000}, "2024-03-21", "conditional",
                     ("security_assessment",), "cn.2022.assessment",
                     id="cn-150k-before-provisions-needs-assessment"),
        pytest.param({"subjects": 150_000}, "2024-03-22", "conditional",
                     ("standard_contract", "certification"), "cn.2024.art8.contract",
                     id="cn-150k-from-provisions-needs-contract"),
        pytest.param({"subjects": 5_000, "sensitive": 5_000, "categories": ("health",)},
                     "2023-12-01", "conditional", ("standard_contract", "certification"),
                     "cn.2022.pipl-art38", id="cn-5k-sensitive-2023-contract"),
        pytest.param({"subjects": 500, "ciio": True}, "2022-01-10", "conditional",
                     ("security_assessment",), "cn.2017.csl-art37",
                     id="cn-ciio-under-csl-before-2022-measures"),
        pytest.param({"subjects": 2_000_000, "purpose": "hr_management"}, "2024-03-21",
                     "conditional", ("security_assessment",), "cn.2022.assessment",
                     id="cn-hr-not-exempt-before-provisions"),
        pytest.param({"exporter": "MY", "importer": "ID", "mechanisms": ("tia",)},
                     "2025-03-31", "conditional",
                     ("consent", "binding_contract", "bcr", "certification"), "my.s129.pre-2025",
                     id="my-tia-not-a-route-before-amendment"),
        pytest.param({"exporter": "MY", "importer": "ID", "mechanisms": ("tia",)},
                     "2025-04-01", "allowed", (), "my.s129.2025",
                     id="my-tia-route-from-2025-04-01"),
        pytest.param({"exporter": "VN", "importer": "SG"}, "2025-12-31", "conditional",
                     ("tia", "dossier_filed"), "vn.d13.art25", id="vn-last-day-of-decree-13"),
        pytest.param({"exporter": "VN", "importer": "SG"}, "2026-01-01", "conditional",
                     ("tia", "dossier_filed"), "vn.pdpl.art20", id="vn-first-day-of-pdpl"),
        pytest.param({"exporter": "VN", "importer": "SG"}, "2023-06-30", "allowed", (), None,
                     id="vn-before-decree-13-no-dossier"),
        pytest.param({"exporter": "ID", "importer": "SG"}, "2024-10-16", "allowed", (),
                     "id.moci20.coordination", id="id-day-before-pdp-law-applies"),
        pytest.param({"exporter": "ID", "importer": "SG"}, "2024-10-17", "conditional",
                     ("tia", "binding_contract", "scc", "bcr", "certification", "consent"),
                     "id.pdp.art56", id="id-pdp-law-applies"),
        pytest.param({"exporter": "EU", "importer": "BR"}, "2026-01-25", "conditional",
                     ("scc", "bcr", "certification", "binding_contract"), "eu.art46.safeguards",
                     id="eu-to-brazil-before-adequacy"),
        pytest.param({"exporter": "EU", "importer": "BR"}, "2026-01-26", "allowed", (),
                     "eu.art45.brazil", id="eu-to-brazil-adequate-from-2026-01-26"),
        pytest.param({"exporter": "EU", "importer": "US", "certifications": ("DPF",)},
                     "2023-07-09", "conditional",
                     ("scc", "bcr", "certification", "binding_contract"), "eu.art46.safeguards",
                     id="eu-to-us-before-dpf"),
        pytest.param({"exporter": "BN", "importer": "SG"}, "2026-01-01", "conditional",
                     ("binding_contract", "bcr", "certification", "consent"), "bn.pdpo.transfer",
                     id="bn-pdpo-from-2026"),
        pytest.param({"exporter": "US-CA", "importer": "CN", "subjects": 200_000}, "2025-04-07",
                     "allowed", (), "us-ca.ccpa.contracts", id="us-before-doj-bulk-rule"),
        pytest.param({"exporter": "TH", "importer": "KH", "mechanisms": ("tia",)}, "2024-01-01",
                     "conditional", ("bcr", "binding_contract", "scc", "consent"), "th.s28.2022",
                     id="th-no-adequacy-criteria-before-2024-notifications"),
    ],
)  # fmt: skip
def test_law_in_force_on_as_of(
    assessor: Assessor,
    request_for: Any,
    overrides: dict[str, Any],
    as_of: str,
    verdict: str,
    required: tuple[str, ...],
    clause: str | None,
) -> None:
    request = request_for(**overrides)

    decision = assessor.assess(request, as_of=dt.date.fromisoformat(as_of))

    assert decision.verdict == verdict
    assert set(decision.required_any_of) == set(required)
    if clause is not None:
        assert clause in [step.clause for step in decision.trace]


def test_as_of_defaults_to_request_date(assessor: Assessor, request_for: Any) -> None:
    before = request_for(subjects=50_000, date="2024-03-01")

    assert assessor.assess(before).verdict == "conditional"
    assert assessor.assess(before, as_of=dt.date(2024, 4, 1)).verdict == "allowed"


def test_as_of_defaults_to_today_without_date(request_for: Any) -> None:
    undated = request_for(exporter="VN", importer="SG", date=None)

    today = assess(undated)

    assert today == assess(undated, as_of=dt.date.today())
