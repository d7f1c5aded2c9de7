"""The multi-organisation flow: a CN owner shares with an SG requester through 3 proxies.

register → policy → request allowed and denied by Cedar → grant → threshold re-encryption
→ requester decrypts, hash matches the ledger → revoke → proxies refuse.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from silkgate.demo import DEMO_PARTIES
from silkgate.ledger import Consortium
from silkgate.vault import (
    NotEnoughFragments,
    Proxy,
    ReencryptionRefused,
    Sealed,
    Vault,
    VaultKeys,
    delegate,
    unseal_shared,
)

POLICY = (
    'permit(principal, action == Action::"download", resource) when { '
    'context.purpose == "research" && principal.certifications.contains("GLOBAL_CBPR") '
    '&& ["CN", "SG", "VN", "TH"].contains(context.destination) };'
)


@dataclass
class World:
    consortium: Consortium
    vault: Vault
    sealed: Sealed
    source: Path
    owner: VaultKeys
    requester: VaultKeys
    proxies: list[Proxy]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    source = tmp_path / "outpatients.parquet"
    source.write_bytes(os.urandom(200_000))
    owner, requester = VaultKeys.generate(), VaultKeys.generate()
    vault = Vault(tmp_path / "vault")
    sealed = vault.seal("cn-outpatients", source, owner, chunk_size=16_384)
    with Consortium.create(tmp_path / "ledger", DEMO_PARTIES[:3]) as consortium:
        cn = consortium.client("cn-gxic")
        cn.invoke(
            "registry", "register",
            {"dataset_id": "cn-outpatients", "owner": "cn-gxic", "location": "CN",
             "content_hash": sealed.content_hash, "vault_ref": sealed.ref,
             "classification": {"grade": "general_4", "categories": ["health"]}},
        )  # fmt: skip
        cn.invoke(
            "access", "set_policy",
            {"dataset_id": "cn-outpatients", "policy_id": "research-cbpr", "cedar": POLICY},
        )  # fmt: skip
        proxies = [Proxy(org, peer) for org, peer in consortium.peers.items()]
        yield World(consortium, vault, sealed, source, owner, requester, proxies)


def _request(world: World, org: str, destination: str) -> dict[str, object]:
    receipt = world.consortium.client(org).invoke(
        "access", "request",
        {"dataset_id": "cn-outpatients", "scope": "download", "purpose": "research",
         "destination": destination, "recipient_key": world.requester.public_hex},
    )  # fmt: skip
    assert isinstance(receipt.response, dict)
    return receipt.response


def _grant(world: World, request_id: str, hours: float = 24) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    world.consortium.client("cn-gxic").invoke(
        "access", "grant",
        {"dataset_id": "cn-outpatients", "request_id": request_id,
         "expires_at": expires.isoformat()},
    )  # fmt: skip


def _delegate(world: World, grant_id: str) -> None:
    fragments = delegate(world.owner, world.requester.public_hex, grant_id=grant_id,
                         dataset_id="cn-outpatients", threshold=2, shares=3)  # fmt: skip
    for proxy, fragment in zip(world.proxies, fragments, strict=True):
        proxy.accept(fragment)


def test_cedar_allows_the_certified_requester_and_denies_the_other(world: World) -> None:
    allowed = _request(world, "sg-lionhealth", "SG")
    denied = _request(world, "vn-mekonglog", "VN")

    assert (allowed["decision"], allowed["reasons"]) == ("allow", ["research-cbpr"])
    assert (denied["decision"], denied["reasons"]) == ("deny", [])


def test_denied_request_cannot_be_granted(world: World) -> None:
    denied = _request(world, "vn-mekonglog", "VN")

    with pytest.raises(Exception, match="denied by the dataset's policies"):
        _grant(world, str(denied["request_id"]))


def test_granted_requester_decrypts_with_two_of_three_proxies(world: World, tmp_path: Path) -> None:
    grant_id = str(_request(world, "sg-lionhealth", "SG")["request_id"])
    _grant(world, grant_id)
    _delegate(world, grant_id)

    cfrags = [p.reencrypt(grant_id, world.sealed.capsule) for p in world.proxies[1:]]
    ledger_hash = world.consortium.peer("sg-lionhealth").get("dataset/cn-outpatients")[
        "content_hash"
    ]
    out = unseal_shared(world.vault, world.sealed, world.requester, cfrags,
                        tmp_path / "received.parquet", expected_hash=ledger_hash)  # fmt: skip

    assert out.read_bytes() == world.source.read_bytes()


def test_one_fragment_is_not_enough(world: World, tmp_path: Path) -> None:
    grant_id = str(_request(world, "sg-lionhealth", "SG")["request_id"])
    _grant(world, grant_id)
    _delegate(world, grant_id)
    cfrags = [world.proxies[0].reencrypt(grant_id, world.sealed.capsule)]

    with pytest.raises(NotEnoughFragments):
        unseal_shared(world.vault, world.sealed, world.requester, cfrags, tmp_path / "x",
                      expected_hash=world.sealed.content_hash)  # fmt: skip


def test_revocation_makes_proxies_refuse_and_drop_fragments(world: World) -> None:
    grant_id = str(_request(world, "sg-lionhealth", "SG")["request_id"])
    _grant(world, grant_id)
    _delegate(world, grant_id)
    world.proxies[0].reencrypt(grant_id, world.sealed.capsule)

    world.consortium.client("cn-gxic").invoke(
        "access", "revoke", {"dataset_id": "cn-outpatients", "grant_id": grant_id}
    )

    for proxy in world.proxies:
        with pytest.raises(ReencryptionRefused, match="not active on the ledger"):
            proxy.reencrypt(grant_id, world.sealed.capsule)
        assert not proxy.holds(grant_id)


def test_proxies_refuse_without_a_grant(world: World) -> None:
    grant_id = str(_request(world, "sg-lionhealth", "SG")["request_id"])
    _delegate(world, grant_id)

    with pytest.raises(ReencryptionRefused):
        world.proxies[0].reencrypt(grant_id, world.sealed.capsule)


def test_fragments_for_another_recipient_are_refused(world: World) -> None:
    grant_id = str(_request(world, "sg-lionhealth", "SG")["request_id"])
    _grant(world, grant_id)
    other = VaultKeys.generate()
    fragments = delegate(world.owner, other.public_hex, grant_id=grant_id,
                         dataset_id="cn-outpatients", threshold=2, shares=3)  # fmt: skip
    world.proxies[0].accept(fragments[0])

    with pytest.raises(ReencryptionRefused):
        world.proxies[0].reencrypt(grant_id, world.sealed.capsule)


def test_decrypted_content_must_match_the_ledger_hash(world: World, tmp_path: Path) -> None:
    grant_id = str(_request(world, "sg-lionhealth", "SG")["request_id"])
    _grant(world, grant_id)
    _delegate(world, grant_id)
    cfrags = [p.reencrypt(grant_id, world.sealed.capsule) for p in world.proxies[:2]]

    with pytest.raises(Exception, match="differs from the ledger's"):
        unseal_shared(world.vault, world.sealed, world.requester, cfrags, tmp_path / "x",
                      expected_hash="f" * 64)  # fmt: skip
