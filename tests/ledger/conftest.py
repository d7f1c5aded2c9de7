from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from silkgate.demo import DEMO_PARTIES
from silkgate.ledger import Client, Consortium

POLICY = (
    'permit(principal, action in [Action::"view", Action::"download"], resource) '
    'when { context.purpose == "research" && principal.certifications.contains("GLOBAL_CBPR") };'
)


@pytest.fixture
def consortium(tmp_path: Path) -> Iterator[Consortium]:
    """Three organisations (CN, SG, VN), default policies, a fresh ledger."""
    with Consortium.create(tmp_path / "ledger", DEMO_PARTIES[:3]) as started:
        yield started


def register(client: Client, dataset_id: str = "cn-visits", owner: str = "cn-gxic") -> None:
    client.invoke(
        "registry",
        "register",
        {"dataset_id": dataset_id, "owner": owner, "location": "CN", "content_hash": "a" * 64,
         "classification": {"grade": "general_4", "categories": ["health"]}},
    )  # fmt: skip


@pytest.fixture
def registered(consortium: Consortium) -> Consortium:
    """The consortium with cn-gxic's dataset ``cn-visits`` and a research/CBPR policy."""
    owner = consortium.client("cn-gxic")
    register(owner)
    owner.invoke(
        "access", "set_policy", {"dataset_id": "cn-visits", "policy_id": "p1", "cedar": POLICY}
    )
    return consortium
