"""Sealing datasets: fresh data key per version, owner unseals, hashes checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from silkgate.vault import IntegrityError, UnknownObject, Vault, VaultKeys


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "visits.csv"
    path.write_bytes(os.urandom(300_000))
    return path


def test_owner_round_trip(tmp_path: Path, source: Path) -> None:
    vault, owner = Vault(tmp_path / "vault"), VaultKeys.generate()

    sealed = vault.seal("cn-visits", source, owner, chunk_size=4096)
    out = vault.unseal_as_owner(vault.get(sealed.ref), owner, tmp_path / "out.csv")

    assert out.read_bytes() == source.read_bytes()
    assert sealed.ref == "vault://cn-visits/v1"
    assert source.read_bytes() not in vault.blob(sealed).read_bytes()


def test_each_version_gets_a_fresh_data_key(tmp_path: Path, source: Path) -> None:
    vault, owner = Vault(tmp_path / "vault"), VaultKeys.generate()

    first = vault.seal("cn-visits", source, owner)
    second = vault.seal("cn-visits", source, owner)

    assert (first.version, second.version) == (1, 2)
    assert first.content_hash == second.content_hash
    assert first.capsule != second.capsule
    assert first.wrapped_key != second.wrapped_key


def test_content_not_matching_the_ledger_hash_is_refused(tmp_path: Path, source: Path) -> None:
    vault, owner = Vault(tmp_path / "vault"), VaultKeys.generate()
    sealed = vault.seal("cn-visits", source, owner)
    out = tmp_path / "out.csv"

    with pytest.raises(IntegrityError, match="differs from the ledger's"):
        vault.unseal_as_owner(sealed, owner, out, expected_hash="0" * 64)

    assert not out.exists()


def test_other_keys_cannot_unseal(tmp_path: Path, source: Path) -> None:
    vault = Vault(tmp_path / "vault")
    sealed = vault.seal("cn-visits", source, VaultKeys.generate())

    with pytest.raises(IntegrityError):
        vault.unseal_as_owner(sealed, VaultKeys.generate(), tmp_path / "out.csv")


def test_unknown_reference(tmp_path: Path) -> None:
    with pytest.raises(UnknownObject):
        Vault(tmp_path).get("vault://nothing/v1")


def test_keys_survive_save_and_load(tmp_path: Path) -> None:
    keys = VaultKeys.generate()
    keys.save(tmp_path / "k")

    assert VaultKeys.load(tmp_path / "k").public_hex == keys.public_hex
