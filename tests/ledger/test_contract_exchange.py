"""The exchange contract: anchored documents, order steps checked against the ledger, invoices.

Every transaction is signed by the acting member's certificate and endorsed by the peers.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from silkgate.ledger import Consortium, ContractRefused, audit

DATASET = "cn-visits"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _requested(consortium: Consortium, order_id: str = "o-1") -> str:
    """sg-lionhealth asks for download (Cedar allows it) and opens order ``order_id``."""
    consumer = consortium.client("sg-lionhealth")
    asked = consumer.invoke(
        "access",
        "request",
        {"dataset_id": DATASET, "scope": "download", "purpose": "research", "destination": "SG"},
    )
    assert isinstance(asked.response, dict)
    request_id = str(asked.response["request_id"])
    consumer.invoke(
        "exchange",
        "order",
        {
            "dataset_id": DATASET,
            "order_id": order_id,
            "state": "requested",
            "request_id": request_id,
            "sha256": _sha("requested"),
        },
    )
    return request_id


def _step(consortium: Consortium, org: str, state: str, order_id: str = "o-1") -> None:
    consortium.client(org).invoke(
        "exchange",
        "order",
        {"dataset_id": DATASET, "order_id": order_id, "state": state, "sha256": _sha(state)},
    )


def _grant(consortium: Consortium, request_id: str) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    consortium.client("cn-gxic").invoke(
        "access",
        "grant",
        {"dataset_id": DATASET, "request_id": request_id, "expires_at": expires.isoformat()},
    )


def test_an_order_moves_through_its_states_on_the_ledger(registered: Consortium) -> None:
    request_id = _requested(registered)
    _step(registered, "cn-gxic", "offered")
    _grant(registered, request_id)
    _step(registered, "cn-gxic", "agreed")
    _step(registered, "sg-lionhealth", "finalized")

    record = registered.peer("vn-mekonglog").get(f"exchange/{DATASET}/order/o-1")
    assert (record["state"], record["previous"]) == ("finalized", "agreed")
    assert record["consumer"] == "sg-lionhealth"
    assert record["sha256"] == _sha("finalized")
    history = registered.peer().history(f"exchange/{DATASET}/order/o-1")
    assert len(history) == 4
    trail = [e.action for e in audit(registered.peer(), DATASET)]
    assert [a for a in trail if a.startswith("order ")] == [
        "order requested", "order offered", "order agreed", "order finalized",
    ]  # fmt: skip


def test_an_illegal_transition_is_refused_against_the_ledgers_state(
    registered: Consortium,
) -> None:
    _requested(registered)

    with pytest.raises(ContractRefused, match=r"is requested on the ledger; .* not agreed"):
        _step(registered, "cn-gxic", "agreed")
    with pytest.raises(ContractRefused, match="not on the ledger; it opens with requested"):
        _step(registered, "cn-gxic", "offered", order_id="o-unknown")
    _step(registered, "cn-gxic", "terminated")
    with pytest.raises(ContractRefused, match="it can move to nothing, not offered"):
        _step(registered, "cn-gxic", "offered")


def test_agreement_needs_the_owners_active_grant(registered: Consortium) -> None:
    _requested(registered)
    _step(registered, "cn-gxic", "offered")

    with pytest.raises(ContractRefused, match="has no active grant"):
        _step(registered, "cn-gxic", "agreed")


def test_only_the_parties_move_an_order_and_only_the_owner_offers(
    registered: Consortium,
) -> None:
    _requested(registered)

    with pytest.raises(ContractRefused, match="only clients and admins of cn-gxic may"):
        _step(registered, "sg-lionhealth", "offered")
    with pytest.raises(
        ContractRefused, match="only clients and admins of cn-gxic or sg-lionhealth"
    ):
        _step(registered, "vn-mekonglog", "terminated")
    with pytest.raises(ContractRefused, match="only clients and admins of sg-lionhealth"):
        registered.client("vn-mekonglog").invoke(
            "exchange",
            "order",
            {
                "dataset_id": DATASET,
                "order_id": "o-2",
                "state": "requested",
                "request_id": registered.peer().get(f"exchange/{DATASET}/order/o-1")["request_id"],
                "sha256": _sha("x"),
            },
        )


def test_documents_and_invoices_are_anchored_once_by_the_owner(registered: Consortium) -> None:
    owner = registered.client("cn-gxic")
    offer = {
        "dataset_id": DATASET,
        "kind": "offer",
        "ref": "cn-visits-std",
        "sha256": _sha("offer"),
    }
    owner.invoke("exchange", "anchor", offer)

    with pytest.raises(ContractRefused, match="already anchored"):
        owner.invoke("exchange", "anchor", offer)
    with pytest.raises(ContractRefused, match="only clients and admins of cn-gxic"):
        registered.client("sg-lionhealth").invoke("exchange", "anchor", {**offer, "ref": "x"})
    with pytest.raises(ContractRefused, match="not one of offer, decision"):
        owner.invoke("exchange", "anchor", {**offer, "kind": "receipt"})
    with pytest.raises(ContractRefused, match="64 lower-case hex"):
        owner.invoke("exchange", "anchor", {**offer, "ref": "y", "sha256": "ab"})
    invoice = {
        "dataset_id": DATASET,
        "invoice_id": "inv-1",
        "payer": "sg-lionhealth",
        "sha256": _sha("invoice"),
    }
    with pytest.raises(ContractRefused, match="sg-lionhealth holds no grant"):
        owner.invoke("exchange", "invoice", invoice)
    _grant(registered, _requested(registered))
    owner.invoke("exchange", "invoice", invoice)

    assert registered.peer().get(f"exchange/{DATASET}/invoice/inv-1")["payer"] == "sg-lionhealth"
    assert registered.peer().get(f"exchange/{DATASET}/offer/cn-visits-std")["sha256"] == _sha(
        "offer"
    )
