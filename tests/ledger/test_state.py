"""World state: versions, history per key, range queries, identity attributes."""

from __future__ import annotations

import datetime as dt

from silkgate.ledger import CertificateAuthority, Consortium, audit

from .conftest import POLICY, register


def test_history_lists_every_write_with_its_transaction(registered: Consortium) -> None:
    owner = registered.client("cn-gxic")
    update = owner.invoke("registry", "update", {"dataset_id": "cn-visits", "vault_ref": "v2"})
    retire = owner.invoke("registry", "retire", {"dataset_id": "cn-visits"})

    history = registered.peer("sg-lionhealth").history("dataset/cn-visits")

    assert [h.tx_id for h in history][1:] == [update.tx_id, retire.tx_id]
    assert registered.peer().get("dataset/cn-visits")["status"] == "retired"
    assert registered.peer().entry("dataset/cn-visits").version == (retire.block, 0)  # type: ignore[union-attr]


def test_range_returns_keys_in_order(consortium: Consortium) -> None:
    owner = consortium.client("cn-gxic")
    register(owner)
    for receipt in ("c" * 64, "a" * 64, "b" * 64):
        owner.invoke("consent", "record", {"dataset_id": "cn-visits", "receipt_hash": receipt})

    keys = [k for k, _ in consortium.peer().range("consent/cn-visits/", "consent/cn-visits0")]

    assert keys == [f"consent/cn-visits/{c * 64}" for c in "abc"]


def test_certificate_carries_attributes(consortium: Consortium) -> None:
    member = consortium.client("sg-lionhealth").identity.member

    assert (member.org, member.role, member.country) == ("sg-lionhealth", "client", "SG")
    assert "GLOBAL_CBPR" in member.certifications


def test_certificate_from_a_foreign_ca_is_refused(consortium: Consortium) -> None:
    outsider = CertificateAuthority.make("cn-gxic", "CN").enroll("mallory", "client")

    found = consortium.peer().view.msp.identify(outsider.cert_pem, dt.datetime.now(dt.UTC))

    assert found == "BAD_CERTIFICATE"


def test_audit_lists_who_did_what_to_a_dataset(registered: Consortium) -> None:
    allowed = registered.client("sg-lionhealth").invoke(
        "access", "request",
        {"dataset_id": "cn-visits", "scope": "download", "purpose": "research",
         "destination": "SG"},
    )  # fmt: skip
    registered.client("vn-mekonglog").invoke(
        "access", "request",
        {"dataset_id": "cn-visits", "scope": "download", "purpose": "research",
         "destination": "VN"},
    )  # fmt: skip
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    grant_id = allowed.response["request_id"]  # type: ignore[index]
    registered.client("cn-gxic").invoke(
        "access", "grant",
        {"dataset_id": "cn-visits", "request_id": grant_id, "expires_at": expires},
    )  # fmt: skip
    registered.client("sg-lionhealth").invoke(
        "access", "use", {"dataset_id": "cn-visits", "grant_id": grant_id, "kind": "download"}
    )

    events = audit(registered.peer("vn-mekonglog"), "cn-visits")

    assert [(e.actor, e.action) for e in events] == [
        ("cn-gxic/client", "registered"),
        ("cn-gxic/client", "policy set"),
        ("sg-lionhealth/client", "requested (allow)"),
        ("vn-mekonglog/client", "requested (deny)"),
        ("cn-gxic/client", "granted"),
        ("sg-lionhealth/client", "downloaded"),
    ]
    assert all(len(e.tx_id) == 64 for e in events)
    assert POLICY
