"""The fast commit path keeps every check: signatures verified once, bytes kept exactly."""

from __future__ import annotations

import dataclasses
import json
import threading

from silkgate.ledger import (
    Consortium,
    Endorsement,
    Envelope,
    Pending,
    Proposal,
    default_contracts,
    verify_store,
)

from .conftest import register


def _consent(consortium: Consortium, receipt: str) -> Pending:
    args = {"dataset_id": "cn-visits", "receipt_hash": receipt}
    return consortium.client("cn-gxic").prepare("consent", "record", args)


def _codes(consortium: Consortium, envelopes: list[bytes]) -> tuple[str, ...]:
    for envelope in envelopes:
        consortium.orderer.submit(envelope)
    consortium.settle()
    _, record = consortium.peer().block(consortium.peer().height - 1)  # type: ignore[misc]
    return record.codes


def test_a_signature_verified_at_endorsement_is_not_accepted_for_another_message(
    registered: Consortium,
) -> None:
    pending = _consent(registered, "b" * 64)  # every peer verified this proposal's signature
    client = registered.identity("cn-gxic", "client")
    other = Proposal.make(client.cert_pem, "consent", "record", {"dataset_id": "cn-visits"})
    signature_of_other = client.sign(other.to_bytes())
    swapped = dataclasses.replace(pending.envelope, signature=signature_of_other)

    assert _codes(registered, [swapped.to_bytes()]) == ("BAD_SIGNATURE",)


def test_an_endorsement_signature_moved_to_another_endorser_is_refused(
    registered: Consortium,
) -> None:
    pending = _consent(registered, "c" * 64)
    first, second, *rest = pending.envelope.endorsements
    moved = (Endorsement(first.endorser, second.signature), second, *rest)
    forged = dataclasses.replace(pending.envelope, endorsements=moved)

    assert _codes(registered, [forged.to_bytes()]) == ("BAD_SIGNATURE",)


def test_envelope_bytes_are_canonical_json() -> None:
    tricky = 'q"b\\s\n\t\x00\x1f\x7f\u2028é中😀'
    envelope = Envelope(
        proposal=tricky.encode(),
        signature=b"\x01" * 64,
        payload=("{" + tricky).encode(),
        endorsements=(Endorsement(tricky, b"\x02" * 64),),
    )
    expected = json.dumps(
        {"proposal": tricky, "signature": "01" * 64, "payload": "{" + tricky,
         "endorsements": [[tricky, "02" * 64]]},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    ).encode()  # fmt: skip

    assert envelope.to_bytes() == expected


def test_bytes_that_are_not_utf8_are_kept_exactly_and_the_ledger_verifies(
    registered: Consortium,
) -> None:
    garbage = b"\xff\xfe not text \x80"

    codes = _codes(registered, [garbage, _consent(registered, "d" * 64).envelope.to_bytes()])

    peer = registered.peer()
    block, _ = peer.block(peer.height - 1)  # type: ignore[misc]
    assert codes == ("BAD_PAYLOAD", "VALID")
    assert block.data[0] == garbage
    assert block.data_matches()
    assert verify_store(peer.store, default_contracts(), "cn-gxic").ok


def test_endorsing_while_another_thread_commits_keeps_peers_in_agreement(
    consortium: Consortium,
) -> None:
    register(consortium.client("cn-gxic"))
    owner = consortium.client("cn-gxic")
    committer = consortium.peer("cn-gxic")
    envelopes = [
        owner.prepare(
            "consent", "record", {"dataset_id": "cn-visits", "receipt_hash": f"{i:064x}"}
        ).envelope.to_bytes()
        for i in range(60)
    ]
    for envelope in envelopes:
        consortium.orderer.submit(envelope)
    consortium.orderer.flush()
    blocks = list(consortium.orderer.deliver(committer.height))
    endorsed: list[bytes] = []

    def endorse_meanwhile() -> None:
        for i in range(60, 120):
            args = {"dataset_id": "cn-visits", "receipt_hash": f"{i:064x}"}
            pending = owner.prepare("consent", "record", args, endorsers=["cn-gxic"])
            endorsed.append(pending.envelope.payload)

    endorser = threading.Thread(target=endorse_meanwhile)
    endorser.start()
    codes = [code for block in blocks for code in committer.commit(block).codes]
    endorser.join()
    consortium.settle()

    assert codes == ["VALID"] * 60
    assert len(endorsed) == 60
    assert consortium.peers_agree()


def test_deeply_nested_json_is_a_bad_payload_not_a_crash(registered: Consortium) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000

    codes = _codes(registered, [nested, _consent(registered, "e" * 64).envelope.to_bytes()])

    assert codes == ("BAD_PAYLOAD", "VALID")
    assert registered.peers_agree()


def test_the_committers_own_endorsement_signature_is_not_accepted_for_another_payload(
    registered: Consortium,
) -> None:
    """The committer remembers what it signed; that answers only for the very same payload."""
    committer = registered.peer().org
    endorsers = [committer, next(o for o in registered.orgs if o != committer)]
    client = registered.client("cn-gxic")
    first, second = (
        client.prepare(
            "consent", "record", {"dataset_id": "cn-visits", "receipt_hash": r * 64},
            endorsers=endorsers,
        )
        for r in "12"
    )  # fmt: skip
    own = first.envelope.endorsements[0]  # the committer's, over the first payload
    swapped = (Endorsement(own.endorser, own.signature), second.envelope.endorsements[1])
    forged = dataclasses.replace(second.envelope, endorsements=swapped)

    assert _codes(registered, [forged.to_bytes(), first.envelope.to_bytes()]) == (
        "BAD_SIGNATURE",
        "VALID",
    )
