from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from stdnum.cn import ric
from stdnum.th import pin

from silkgate.cli import run
from silkgate.config import load_settings
from silkgate.demo import run_demo
from silkgate.domain import InvalidInput


def test_demo_json_has_parties_datasets_and_stages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["--data-dir", str(tmp_path / "d"), "--json", "demo", "--rows", "300"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {p["jurisdiction"] for p in report["parties"]} == {"CN", "SG", "VN", "TH"}
    assert len(report["datasets"]) == 4
    assert set(report["stages"]) >= {"consortium", "datasets", "registry"}
    assert report["stages"]["registry"]["registered"] == 4
    for dataset in report["datasets"]:
        assert Path(dataset["path"]).is_file()
        assert dataset["rows"] == 300
        assert 0 < dataset["subjects"] <= 300


def test_sample_identifiers_carry_valid_check_digits(tmp_path: Path) -> None:
    result = run_demo(load_settings(tmp_path / "d"), rows=200)
    paths = {s.dataset.id: s.path for s in result.samples}
    patients = pd.read_parquet(paths["cn-gxic-outpatients"])
    assert all(ric.is_valid(v) for v in patients["身份证号"])
    payments = pd.read_parquet(paths["th-siampay-card-payments"])
    assert all(pin.is_valid(v) for v in payments["เลขประจำตัวประชาชน"])


def test_demo_runs_again_in_place(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "d")
    first = run_demo(settings, rows=50)
    second = run_demo(settings, rows=50)
    assert [s.dataset.content_hash for s in first.samples] == [
        s.dataset.content_hash for s in second.samples
    ]


def test_demo_refuses_a_directory_with_other_data(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "precious.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InvalidInput, match="not from a demo"):
        run_demo(load_settings(tmp_path / "d"), rows=50)
    assert (tmp_path / "d" / "precious.csv").read_text() == "a,b\n1,2\n"


def test_demo_stages_classify_assess_and_use_the_ledger(tmp_path: Path) -> None:
    result = run_demo(load_settings(tmp_path / "d"), rows=100)
    rules = result.stages["rules"]
    assert set(rules["classified"]) == {s.dataset.id for s in result.samples}
    verdicts = {a["verdict"] for a in rules["assessments"]}
    assert "allowed" in verdicts
    assert "conditional" in verdicts
    ledger = result.stages["ledger"]
    assert ledger["datasets_registered"] == len(result.samples)
    assert (ledger["grants"], ledger["denials"]) == (1, 1)
    assert ledger["hash_matches"] is True
    assert ledger["verify"] == "ok"
    assert ledger["peers_agree"] is True


def test_demo_monitor_stage_finds_the_injected_exfiltration(tmp_path: Path) -> None:
    result = run_demo(load_settings(tmp_path / "d"), rows=100)
    monitor = result.stages["monitor"]
    assert monitor["injected"] > 0
    assert monitor["detected"] >= monitor["injected"] // 2


def test_demo_compute_stage_runs_psi_then_dp_over_the_intersection(tmp_path: Path) -> None:
    result = run_demo(load_settings(tmp_path / "d"), rows=100)
    compute = result.stages["compute"]
    assert compute["tasks"] == {"demo-psi": "succeeded", "demo-dp-mean": "succeeded"}
    assert 0 < compute["intersection"] <= min(compute["sg_customers"], compute["th_customers"])
    assert compute["dp_epsilon_left"] < 10
