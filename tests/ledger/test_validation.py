"""Every peer rejects bad transactions itself, keeping them in the block with a code."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from silkgate.ledger import (
    Consortium,
    ContractRefused,
    Endorsement,
    Envelope,
    Pending,
    TransactionRejected,
)

from .conftest import register


def _record(consortium: Consortium, pending: Pending) -> str:
    consortium.orderer.submit(pending.envelope.to_bytes())
    consortium.settle()
    codes = set()
    for peer in consortium.peers.values():
        tx = peer.tx(pending.tx_id)
        codes.add(None if tx is None else tx.code)
    assert len(codes) == 1, "peers disagree"
    return str(codes.pop())


def _consent(consortium: Consortium, receipt: str = "b" * 64, **kw: object) -> Pending:
    args = {"dataset_id": "cn-visits", "receipt_hash": receipt}
    return consortium.client("cn-gxic").prepare("consent", "record", args, **kw)  # type: ignore[arg-type]


def test_valid_transaction_commits_on_every_peer(registered: Consortium) -> None:
    pending = _consent(registered)

    code = _record(registered, pending)

    assert code == "VALID"
    assert all(p.get(f"consent/cn-visits/{'b' * 64}") for p in registered.peers.values())


def test_forged_client_signature_is_bad_signature(registered: Consortium) -> None:
    pending = _consent(registered)
    forged = dataclasses.replace(pending.envelope, signature=bytes(64))

    code = _record(registered, dataclasses.replace(pending, envelope=forged))

    assert code == "BAD_SIGNATURE"


def test_forged_endorsement_is_bad_signature(registered: Consortium) -> None:
    pending = _consent(registered)
    first = pending.envelope.endorsements[0]
    endorsements = (Endorsement(first.endorser, bytes(64)), *pending.envelope.endorsements[1:])
    forged = dataclasses.replace(pending.envelope, endorsements=endorsements)

    assert _record(registered, dataclasses.replace(pending, envelope=forged)) == "BAD_SIGNATURE"


def test_revoked_certificate_is_rejected(registered: Consortium) -> None:
    registered.client("cn-gxic", "clerk")
    pending = registered.client("cn-gxic", "clerk").prepare(
        "consent", "record", {"dataset_id": "cn-visits", "receipt_hash": "c" * 64}
    )
    registered.revoke("cn-gxic", "clerk")

    assert _record(registered, pending) == "REVOKED_CERTIFICATE"


def test_revoked_certificate_cannot_get_endorsements(registered: Consortium) -> None:
    clerk = registered.client("cn-gxic", "clerk")
    registered.revoke("cn-gxic", "clerk")

    with pytest.raises(Exception, match="REVOKED_CERTIFICATE"):
        clerk.prepare("consent", "record", {"dataset_id": "cn-visits", "receipt_hash": "c" * 64})


def test_replayed_transaction_is_duplicate(registered: Consortium) -> None:
    pending = _consent(registered)
    assert _record(registered, pending) == "VALID"
    height = registered.peer().height

    registered.orderer.submit(pending.envelope.to_bytes())
    registered.settle()

    _, record = registered.peer().block(height)  # type: ignore[misc]
    assert record.codes == ("DUPLICATE_TXID",)


def test_replay_inside_one_block_is_duplicate(registered: Consortium) -> None:
    pending = _consent(registered)
    registered.orderer.submit(pending.envelope.to_bytes())
    registered.orderer.submit(pending.envelope.to_bytes())
    registered.settle()

    _, record = registered.peer().block(registered.peer().height - 1)  # type: ignore[misc]
    assert record.codes == ("VALID", "DUPLICATE_TXID")


def test_stale_read_is_mvcc_conflict(registered: Consortium) -> None:
    owner = registered.client("cn-gxic")
    first = owner.prepare("registry", "update", {"dataset_id": "cn-visits", "vault_ref": "v1"})
    second = owner.prepare("registry", "update", {"dataset_id": "cn-visits", "vault_ref": "v2"})

    assert _record(registered, first) == "VALID"
    assert _record(registered, second) == "MVCC_READ_CONFLICT"
    assert registered.peer().get("dataset/cn-visits")["vault_ref"] == "v1"


def test_new_policy_after_endorsement_is_phantom_read(registered: Consortium) -> None:
    requester = registered.client("sg-lionhealth")
    pending = requester.prepare(
        "access", "request",
        {"dataset_id": "cn-visits", "scope": "download", "purpose": "research",
         "destination": "SG"},
    )  # fmt: skip
    registered.client("cn-gxic").invoke(
        "access", "set_policy",
        {"dataset_id": "cn-visits", "policy_id": "p2",
         "cedar": "forbid(principal, action, resource);"},
    )  # fmt: skip

    assert _record(registered, pending) == "PHANTOM_READ_CONFLICT"


@pytest.mark.parametrize(
    ("endorsers", "code"),
    [
        pytest.param(["sg-lionhealth", "vn-mekonglog"], "ENDORSEMENT_POLICY_FAILURE",
                     id="owner-missing"),
        pytest.param(["cn-gxic"], "ENDORSEMENT_POLICY_FAILURE", id="owner-alone"),
        pytest.param(["cn-gxic", "vn-mekonglog"], "VALID", id="owner-and-one"),
    ],
)  # fmt: skip
def test_owner_plus_one_policy(registered: Consortium, endorsers: list[str], code: str) -> None:
    pending = _consent(registered, endorsers=endorsers)

    assert _record(registered, pending) == code


def test_transaction_too_far_from_block_time_is_rejected(registered: Consortium) -> None:
    pending = _consent(registered, at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20))

    assert _record(registered, pending) == "TIMESTAMP_OUT_OF_WINDOW"


def test_garbage_envelope_is_bad_payload(registered: Consortium) -> None:
    registered.orderer.submit(b'{"not": "a transaction"}')
    registered.settle()

    _, record = registered.peer().block(registered.peer().height - 1)  # type: ignore[misc]
    assert record.codes == ("BAD_PAYLOAD",)


def test_invoke_raises_with_the_code(registered: Consortium) -> None:
    owner = registered.client("cn-gxic")

    with pytest.raises(TransactionRejected) as caught:
        owner.invoke("consent", "record", {"dataset_id": "cn-visits", "receipt_hash": "d" * 64},
                     endorsers=["vn-mekonglog"])  # fmt: skip

    assert caught.value.code == "ENDORSEMENT_POLICY_FAILURE"


def test_contract_refusal_is_caller_error_and_orders_nothing(consortium: Consortium) -> None:
    height = consortium.peer().height
    register(consortium.client("cn-gxic"))

    with pytest.raises(ContractRefused, match="only clients and admins of cn-gxic"):
        consortium.client("sg-lionhealth").invoke(
            "registry", "update", {"dataset_id": "cn-visits", "vault_ref": "x"}
        )

    assert consortium.peer().height == height + 1


def test_envelope_round_trips_through_bytes(registered: Consortium) -> None:
    envelope = _consent(registered).envelope

    assert Envelope.from_bytes(envelope.to_bytes()) == envelope
