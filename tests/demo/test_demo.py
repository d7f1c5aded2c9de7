"""`silkgate demo`: the story of the four verdicts, told once by a real CLI process.

The demo runs with 12,600 rows per dataset, the fewest at which cn-gxic's outpatient file
names 10,000 patients with health data, the CAC security assessment threshold; the cheaper
tests below build their objects directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from stdnum.cn import ric
from stdnum.th import pin

from silkgate.config import load_settings
from silkgate.demo import DEMO_PARTIES, SPECS, prepare_home, run_demo, write_sample
from silkgate.demo._stage_gate import run_gate_stage
from silkgate.domain import InvalidInput
from silkgate.gate import GATE_VERDICTS, Platform

STORY_ROWS = 12_600
PATIENTS = "cn-gxic-outpatients"
PARTIES = {p.id: p for p in DEMO_PARTIES}


def _sha256(path: str | Path) -> str:
    with Path(path).open("rb") as content:
        return hashlib.file_digest(content, "sha256").hexdigest()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`silkgate --json demo` as a process; its stdout must be exactly one JSON object."""
    home = tmp_path_factory.mktemp("demo") / "d"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}
    done = subprocess.run(
        [sys.executable, "-m", "silkgate", "--data-dir", str(home), "--json", "demo",
         "--rows", str(STORY_ROWS)],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _decision(story: dict[str, Any], dataset_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        d for d in story["decisions"] if d["request"]["dataset_id"] == dataset_id
    ]
    assert len(found) == 1
    return found[0]


@pytest.mark.slow
def test_demo_json_has_parties_datasets_stages_and_decisions(story: dict[str, Any]) -> None:
    assert {p["jurisdiction"] for p in story["parties"]} == {"CN", "SG", "VN", "TH"}
    assert len(story["datasets"]) == 4
    assert set(story["stages"]) == {
        "consortium", "datasets", "registry", "rules", "gate", "compute", "monitor", "ledger",
    }  # fmt: skip
    assert story["stages"]["registry"]["registered"] == 4
    assert story["stages"]["gate"]["published"] == 4
    for dataset in story["datasets"]:
        assert Path(dataset["path"]).is_file()
        assert dataset["rows"] == STORY_ROWS


@pytest.mark.slow
def test_the_decisions_cover_all_four_verdicts_each_anchored_and_cited(
    story: dict[str, Any],
) -> None:
    decisions = story["decisions"]
    assert sorted(d["verdict"] for d in decisions) == sorted(GATE_VERDICTS)
    for decision in decisions:
        assert decision["citations"], decision["request"]
        assert decision["document_hash"]
        assert decision["ledger_txs"]
    routes = {f"{d['request']['dataset_id']}→{d['request']['requester']}" for d in decisions}
    assert set(story["stages"]["gate"]["verdicts"]) == routes


@pytest.mark.slow
def test_cn_patients_over_the_threshold_are_compute_only_and_only_results_leave(
    story: dict[str, Any],
) -> None:
    decision = _decision(story, PATIENTS)
    classified = story["stages"]["rules"]["classified"][PATIENTS]
    compute = story["stages"]["compute"]

    assert decision["facts"]["sensitive_subjects"] == classified["sensitive_subjects"] >= 10_000
    assert decision["facts"]["important_data"] is False
    assert decision["law"]["required_any_of"] == ["security_assessment"]
    assert decision["verdict"] == "compute_only"
    assert decision["outcome"]["compute"] == compute
    assert set(compute["tasks"].values()) == {"succeeded"}
    assert 0 < compute["intersection"] <= compute["cohort"]
    # the DP statistics are over the intersection's visits, which never left the nodes
    assert compute["intersection_kept_at"] == sorted(["cn-gxic", "sg-lionhealth"])
    assert compute["dp_over"]["within"] == {"task": "cohort-psi", "column": "身份证号"}
    assert compute["dp_visits_noisy"] < STORY_ROWS / 2
    assert compute["dp_mean_cost_yuan"] is not None
    assert set(compute["dp_diagnoses"]) >= {"E11.9", "I10"}
    assert compute["dp_epsilon_left"] < 10


@pytest.mark.slow
def test_sg_claims_to_cn_are_allowed_and_the_download_hashes_to_the_ledger(
    story: dict[str, Any],
) -> None:
    decision = _decision(story, "sg-lionhealth-claims")
    download = decision["outcome"]["download"]
    [claims] = [d for d in story["datasets"] if d["id"] == "sg-lionhealth-claims"]

    assert decision["verdict"] == "allowed"
    assert download["hash_matches"] is True
    assert _sha256(download["path"]) == download["ledger_hash"] == claims["content_hash"]


@pytest.mark.slow
def test_vn_manifests_are_conditional_on_the_a05_dossier_with_its_deadline(
    story: dict[str, Any],
) -> None:
    decision = _decision(story, "vn-mekonglog-shipments")
    dossier = [o for o in decision["obligations"] if "A05" in o["what"]]

    assert decision["verdict"] == "conditional"
    assert dossier
    assert all(o["due_at"] and o["status"] == "open" for o in dossier)
    assert decision["order"]["state"] == "offered"
    assert decision["outcome"]["after_filing"]["order_state"] == "agreed"


@pytest.mark.slow
def test_th_payments_to_vn_are_denied_by_the_owners_cedar_policy(story: dict[str, Any]) -> None:
    decision = _decision(story, "th-siampay-card-payments")

    assert decision["law"]["verdict"] == "allowed"
    assert decision["abac"]["allowed"] is False
    assert decision["verdict"] == "denied"
    assert decision["order"]["state"] == "terminated"


@pytest.mark.slow
def test_usage_is_invoiced_audited_and_the_ledger_verifies(story: dict[str, Any]) -> None:
    gate, ledger = story["stages"]["gate"], story["stages"]["ledger"]

    assert {i["party"] for i in gate["billing"]["invoices"]} == {"sg-lionhealth", "cn-gxic"}
    assert gate["audit"]["first"] == "registered"
    assert "invoice anchored" in gate["audit"]["actions"]
    assert Path(gate["audit"]["csv"]).read_text().startswith("at,source,dataset_id")
    assert (ledger["verify"], ledger["peers_agree"]) == ("ok", True)


@pytest.mark.slow
def test_demo_monitor_stage_finds_the_injected_exfiltration(story: dict[str, Any]) -> None:
    monitor = story["stages"]["monitor"]
    assert monitor["injected"] > 0
    assert monitor["detected"] >= monitor["injected"] // 2


@pytest.mark.slow
def test_below_the_assessment_threshold_the_cn_request_needs_a_contract_instead(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path / "d")
    with Platform(settings) as platform:
        platform.registry.add_parties(list(DEMO_PARTIES))
        samples = [
            write_sample(spec, PARTIES[spec.party_id], settings.home / "data" / spec.party_id,
                         100, 7 + number)
            for number, spec in enumerate(SPECS)
        ]  # fmt: skip
        story = run_gate_stage(platform, samples, settings.home)
    [decision] = [d for d in story.decisions if d["request"]["dataset_id"] == PATIENTS]

    assert decision["facts"]["sensitive_subjects"] < 10_000
    assert "security_assessment" not in decision["law"]["required_any_of"]
    assert decision["verdict"] == "conditional"
    assert story.compute == {}


def test_sample_identifiers_carry_valid_check_digits(tmp_path: Path) -> None:
    patients = write_sample(SPECS[0], PARTIES["cn-gxic"], tmp_path, 400, 7)
    payments = write_sample(SPECS[3], PARTIES["th-siampay"], tmp_path, 400, 10)

    assert all(ric.is_valid(v) for v in pd.read_parquet(patients.path)["身份证号"])
    assert all(pin.is_valid(v) for v in pd.read_parquet(payments.path)["เลขประจำตัวประชาชน"])


def test_each_patient_has_a_visit_so_subjects_follow_the_rows(tmp_path: Path) -> None:
    sample = write_sample(SPECS[0], PARTIES["cn-gxic"], tmp_path, 12_600, 7)

    assert sample.dataset.subjects == 10_080


def test_samples_are_the_same_for_the_same_seed(tmp_path: Path) -> None:
    first = write_sample(SPECS[1], PARTIES["sg-lionhealth"], tmp_path / "a", 300, 8)
    second = write_sample(SPECS[1], PARTIES["sg-lionhealth"], tmp_path / "b", 300, 8)

    assert first.dataset.content_hash == second.dataset.content_hash


def test_a_demo_directory_is_emptied_for_the_next_run(tmp_path: Path) -> None:
    home = tmp_path / "d"
    prepare_home(home)
    (home / "ledger").mkdir()
    (home / "ledger" / "old.db").write_text("old")

    prepare_home(home)

    assert sorted(p.name for p in home.iterdir()) == [".silkgate-demo"]


def test_demo_refuses_a_directory_with_other_data(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "precious.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InvalidInput, match="not from a demo"):
        run_demo(load_settings(tmp_path / "d"), rows=50)
    assert (tmp_path / "d" / "precious.csv").read_text() == "a,b\n1,2\n"
