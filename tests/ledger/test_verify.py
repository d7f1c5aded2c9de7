"""`verify` re-derives each peer's ledger and names the first block that disagrees."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from silkgate.ledger import Consortium, verify_ledger

from .conftest import register


def _build(consortium: Consortium) -> Path:
    owner = consortium.client("cn-gxic")
    register(owner)  # block 1
    for i in range(3):  # blocks 2..4
        owner.invoke("consent", "record", {"dataset_id": "cn-visits", "receipt_hash": f"{i}" * 64})
    home = consortium.home
    consortium.close()
    return home


def _sql(home: Path, statement: str) -> None:
    db = sqlite3.connect(home / "peers" / "sg-lionhealth.db")
    with db:
        db.execute(statement)
    db.close()


def test_untouched_ledger_verifies(consortium: Consortium) -> None:
    home = _build(consortium)

    reports = verify_ledger(home)

    assert [r.ok for r in reports] == [True, True, True]
    assert reports[0].height == 5


@pytest.mark.parametrize(
    ("statement", "bad_block"),
    [
        pytest.param(
            "UPDATE blocks SET data = replace(data, 'receipt_hash', 'receipt_hasX') WHERE number=3",
            3, id="block-body",
        ),
        pytest.param(
            "UPDATE blocks SET header = "
            "replace(header, '\"timestamp\":\"20', '\"timestamp\":\"19') "
            "WHERE number=2", 2, id="block-header",
        ),
        pytest.param("UPDATE blocks SET codes = '[\"MVCC_READ_CONFLICT\"]' WHERE number=4", 4,
                     id="validation-code"),
        pytest.param("UPDATE state SET value = replace(value, 'given', 'withdrawn') "
                     "WHERE key LIKE 'consent/%' AND block = 2", 2, id="state-value"),
        pytest.param("UPDATE state SET block = 4 WHERE key = 'dataset/cn-visits'", 1,
                     id="state-version"),
        pytest.param("DELETE FROM state WHERE key = 'dataset/cn-visits'", 1, id="state-delete"),
        pytest.param("INSERT INTO state VALUES ('dataset/forged', '{}', 3, 0)", 3,
                     id="state-insert"),
        pytest.param("UPDATE history SET value = '{}' WHERE block = 3", 3, id="history"),
        pytest.param("DELETE FROM blocks WHERE number = 2", 2, id="block-missing"),
    ],
)  # fmt: skip
def test_tampering_names_the_first_bad_block(
    consortium: Consortium, statement: str, bad_block: int
) -> None:
    home = _build(consortium)
    _sql(home, statement)

    reports = {r.peer: r for r in verify_ledger(home)}

    assert reports["cn-gxic"].ok
    assert not reports["sg-lionhealth"].ok
    assert reports["sg-lionhealth"].bad_block == bad_block


def test_byte_changed_in_the_database_file_is_caught(consortium: Consortium) -> None:
    home = _build(consortium)
    path = home / "peers" / "vn-mekonglog.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    raw = bytearray(path.read_bytes())
    at = raw.find(b'"purpose":""')
    assert at > 0
    raw[at + 2] ^= 0x01  # "purpose" becomes "qurpose" inside one stored block
    path.write_bytes(bytes(raw))

    (report,) = verify_ledger(home, peer="vn-mekonglog")

    assert not report.ok
    assert report.bad_block is not None
    assert report.bad_block >= 2
