"""A node refuses what it must: unauthenticated peers, raw-row exports, tasks without grants."""

from __future__ import annotations

import json

import httpx
import pytest

from silkgate.compute import (
    BudgetExhausted,
    ComputeHome,
    Directory,
    Identity,
    Scheduler,
    TaskRefused,
    TaskSpec,
    node_tls_context,
)
from silkgate.compute._client import NodeClient
from silkgate.domain import AccessDenied, Unauthenticated

from .conftest import Consortium

pytestmark = [pytest.mark.multiprocess]

_COUNT = {
    "kind": "dp_query",
    "inputs": [{"party": "sg-lionhealth", "dataset": "sg-small", "columns": ["amount"]}],
    "receivers": ["sg-lionhealth"],
    "privacy": {"epsilon": 0.6},
    "params": {"statistic": "count"},
}


def _client(consortium: Consortium, identity: Identity) -> NodeClient:
    return NodeClient(identity, Directory.load(consortium.compute.directory))


def test_node_rejects_a_request_signed_by_an_unknown_key(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    stranger = _client(consortium, Identity.generate("scheduler"))  # same name, other key

    with pytest.raises(Unauthenticated, match="bad signature"):
        stranger.call("sg-lionhealth", "node.describe", task=TaskSpec.model_validate(_COUNT),
                      session="s", args={}, timeout_s=10)  # fmt: skip


def test_node_rejects_an_unsigned_request(consortium: Consortium) -> None:
    directory = Directory.load(consortium.compute.directory)
    address = directory.node_address("sg-lionhealth")
    tls = node_tls_context(directory, "sg-lionhealth")

    response = httpx.post(
        address + "/v1/ops/node.describe", json={"task": _COUNT}, timeout=10, verify=tls
    )

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthenticated"


def test_node_rejects_a_peer_node_acting_as_scheduler(consortium: Consortium) -> None:
    peer = Identity.load_or_create("cn-gxic", consortium.compute.keys)  # a node, not a scheduler

    with pytest.raises(Unauthenticated, match="not a known scheduler"):
        _client(consortium, peer).call("sg-lionhealth", "node.describe",
                                       task=TaskSpec.model_validate(_COUNT), session="s",
                                       args={}, timeout_s=10)  # fmt: skip


@pytest.mark.parametrize("op", ["dataset.rows", "export", "node.read"])
def test_node_refuses_to_export_raw_rows(
    consortium: Consortium, scheduler: Scheduler, op: str
) -> None:
    client = _client(consortium, scheduler.identity)

    with pytest.raises(AccessDenied, match="raw rows never leave"):
        client.call("sg-lionhealth", op, task=TaskSpec.model_validate(_COUNT), session="s",
                    args={"dataset": "sg-small"}, timeout_s=10)  # fmt: skip


def test_node_refuses_a_task_whose_receiver_has_no_grant(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    # The scheduler's grants allow it; the node's own grants do not (th-siampay on sg-small).
    spec = TaskSpec.model_validate(_COUNT | {"receivers": ["th-siampay"], "id": "no-grant"})

    with pytest.raises(TaskRefused, match="holds no grant"):
        scheduler.submit(spec)


def test_scheduler_refuses_a_task_without_grant(consortium: Consortium) -> None:
    with consortium.scheduler(grants=None) as strict:  # grants.json of the installation
        spec = TaskSpec.model_validate(_COUNT | {"receivers": ["th-siampay"]})
        with pytest.raises(TaskRefused, match="th-siampay"):
            strict.submit(spec)


def test_exhausted_budget_refuses_the_next_query(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    # sg-small has ε = 1.0 in total (budgets.json); each query spends 0.6.
    first = scheduler.run(TaskSpec.model_validate(_COUNT))
    assert first.state == "succeeded", first.error
    assert first.result is not None
    assert first.result["epsilon_left"] == pytest.approx(0.4)

    with pytest.raises(BudgetExhausted, match=r"ε=0\.4 left"):
        scheduler.submit(TaskSpec.model_validate(_COUNT))
    # and the node itself refuses when asked directly, spending nothing
    client = _client(consortium, scheduler.identity)
    with pytest.raises(BudgetExhausted):
        client.call("sg-lionhealth", "dp.release", task=TaskSpec.model_validate(_COUNT),
                    session="s", args={}, timeout_s=30)  # fmt: skip
    state = consortium.compute.node_state("sg-lionhealth")
    steps = [json.loads(line) for line in (state / "steps.jsonl").read_text().splitlines()]
    assert any("BudgetExhausted" in s["outcome"] for s in steps)


def test_missing_column_is_refused(scheduler: Scheduler) -> None:
    spec = TaskSpec.model_validate(
        _COUNT
        | {"inputs": [{"party": "sg-lionhealth", "dataset": "sg-small", "columns": ["nope"]}]}
    )

    with pytest.raises(TaskRefused, match="no columns"):
        scheduler.submit(spec)


def test_steps_are_logged(consortium: Consortium) -> None:
    assert isinstance(consortium.compute, ComputeHome)
    log = consortium.compute.node_state("sg-lionhealth") / "steps.jsonl"
    assert log.is_file()


def test_nodes_serve_tls_that_only_their_directory_certificate_opens(
    consortium: Consortium,
) -> None:
    directory = Directory.load(consortium.compute.directory)
    address = directory.node_address("sg-lionhealth")
    own = node_tls_context(directory, "sg-lionhealth")
    other = node_tls_context(directory, "cn-gxic")

    assert address.startswith("https://")
    assert httpx.get(address + "/v1/health", timeout=5, verify=own).json()["status"] == "ok"
    for wrong in (other, True):  # another node's certificate; the system's CAs
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(address + "/v1/health", timeout=5, verify=wrong)
    with pytest.raises(httpx.TransportError):  # plain HTTP gets no answer
        httpx.get(address.replace("https://", "http://") + "/v1/health", timeout=5)


def test_a_directory_certificate_not_for_the_node_key_is_refused(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    directory = Directory.load(consortium.compute.directory)
    entry = directory.principals["sg-lionhealth"]
    swapped = directory.with_principal(
        "sg-lionhealth",
        entry.model_copy(update={"tls_cert": directory.principals["cn-gxic"].tls_cert}),
    )
    client = NodeClient(scheduler_identity(consortium), swapped)

    with pytest.raises(Unauthenticated, match="not for the node's key"):
        node_tls_context(swapped, "sg-lionhealth")
    with pytest.raises(Unauthenticated, match="not for the node's key"):
        client.call("sg-lionhealth", "node.describe", task=TaskSpec.model_validate(_COUNT),
                    session="s", args={}, timeout_s=10)  # fmt: skip


def scheduler_identity(consortium: Consortium) -> Identity:
    return Identity.load_or_create("scheduler", consortium.compute.keys)
