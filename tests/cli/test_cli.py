from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from silkgate.cli import run


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_writes_the_demo_consortium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "--data-dir", str(tmp_path / "h"), "--json", "init")
    assert code == 0
    report = json.loads(out)
    assert {p["jurisdiction"] for p in report["parties"]} == {"CN", "SG", "VN", "TH"}
    assert (tmp_path / "h" / "silkgate.toml").is_file()
    code, out, _ = _run(capsys, "--data-dir", str(tmp_path / "h"), "--json", "init")
    assert code == 0
    assert json.loads(out)["added"] == []


def test_schema_prints_one_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "schema", "TransferRequest")
    assert code == 0
    assert json.loads(out)["title"] == "TransferRequest"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["frobnicate"], "No such command 'frobnicate'", id="unknown-subcommand"),
        pytest.param(["schema", "Nope"], "no model 'Nope'", id="unknown-model"),
        pytest.param(["--config", "missing.toml", "parties"], "missing.toml does not exist",
                     id="missing-config-file"),
        pytest.param(["token", "create", "--role", "root"], "unknown role 'root'", id="bad-role"),
        pytest.param(["datasets", "--owner", "nobody"], "no party 'nobody'", id="unknown-owner"),
        pytest.param(["demo", "--rows", "3"], "3 is not in the range", id="rows-too-few"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _out, err = _run(capsys, *args)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_bad_config_value_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "silkgate.toml").write_text("[api]\nport = 'eighty'\n")
    code, _out, err = _run(capsys, "--data-dir", str(tmp_path), "parties")
    assert code == 2
    assert "api.port" in err
    assert err.count("\n") == 1


def test_token_round_trip_never_lists_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--data-dir", str(tmp_path)]
    _code, out, _ = _run(capsys, *home, "--json", "token", "create", "--role", "auditor")
    issued = json.loads(out)
    _code, out, _ = _run(capsys, *home, "--json", "token", "list")
    assert issued["token"] not in out
    assert json.loads(out)[0]["active"] is True
    code, out, _ = _run(capsys, *home, "--json", "token", "revoke", issued["id"])
    assert code == 0
    assert json.loads(out) == {"id": issued["id"], "active": False}


def test_entry_point_exit_codes_from_a_real_process(tmp_path: Path) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "silkgate", "nosuch"], capture_output=True, text=True, cwd=tmp_path
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "silkgate: No such command 'nosuch'."
    good = subprocess.run(
        [sys.executable, "-m", "silkgate", "--json", "version"], capture_output=True, text=True
    )
    assert good.returncode == 0
    assert "version" in json.loads(good.stdout)


def test_monitor_format_names_match_the_monitor() -> None:
    from silkgate.cli._monitor import FORMATS as CLI_FORMATS
    from silkgate.monitor import FORMATS

    assert CLI_FORMATS == FORMATS


def test_help_does_not_load_the_heavy_packages() -> None:
    done = subprocess.run(
        [sys.executable, "-c",
         "import sys, silkgate.cli; print(sorted(m for m in ('torch', 'presidio_analyzer', "
         "'spu', 'silkgate.gate') if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "[]"
