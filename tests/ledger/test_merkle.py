from __future__ import annotations

import dataclasses

import pytest

from silkgate.ledger import Consortium, merkle_root, verify_inclusion
from silkgate.ledger._merkle import prove

from .conftest import register


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17])
def test_every_leaf_has_a_proof_that_verifies(size: int) -> None:
    items = [f"tx-{i}".encode() for i in range(size)]

    proofs = [prove(0, items, i) for i in range(size)]

    assert all(verify_inclusion(p, items[i]) for i, p in enumerate(proofs))
    assert {p.root for p in proofs} == {merkle_root(items).hex()}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: dataclasses.replace(p, index=(p.index + 1) % p.size), id="index"),
        pytest.param(lambda p: dataclasses.replace(p, root="00" * 32), id="root"),
        pytest.param(lambda p: dataclasses.replace(p, path=p.path[:-1]), id="short-path"),
    ],
)
def test_altered_proof_fails(change: object) -> None:
    items = [f"tx-{i}".encode() for i in range(6)]
    proof = prove(0, items, 2)

    assert callable(change)
    assert not verify_inclusion(change(proof), items[2])


def test_peer_proves_a_committed_transaction(consortium: Consortium) -> None:
    register(consortium.client("cn-gxic"))
    receipt = consortium.client("cn-gxic").invoke(
        "consent", "record", {"dataset_id": "cn-visits", "receipt_hash": "e" * 64}
    )

    proof, envelope = consortium.peer("vn-mekonglog").proof(receipt.tx_id)
    block, _ = consortium.peer("vn-mekonglog").block(proof.block)  # type: ignore[misc]

    assert verify_inclusion(proof, envelope)
    assert proof.root == block.header.data_hash
    assert not verify_inclusion(proof, envelope.replace(b"e" * 64, b"f" * 64))
