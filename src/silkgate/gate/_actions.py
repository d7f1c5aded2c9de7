"""What follows an agreed order: a re-encrypted download, or tasks at the owners' nodes.

A download needs the order's grant to be usable for ``download`` now (active, not suspended
or revoked, unexpired); it asks every peer's proxy for a capsule fragment (each checks the
grant on its own ledger copy first), needs a majority of them, checks the plaintext against the hash
the ledger holds, records the use on the ledger, meters it and appends a transfer event
for the monitor (``HOME/monitor/gate-transfers.jsonl``). A computation needs, for each
task, the grant's scope of the task's kind (``compute:psi``, ``compute:dp`` …, see
``TASK_SCOPES``) to be usable now; it runs each task through the scheduler, whose nodes ask
the ledger for the receivers' grants again; only the results come back; each task is
recorded as a use on the ledger and metered.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from silkgate.compute import (
    BudgetExhausted,
    ComputeHome,
    Node,
    NodeUnavailable,
    Scheduler,
    TaskSpec,
)
from silkgate.domain import AccessDenied, Conflict, InvalidInput
from silkgate.exchange import TASK_SCOPES, Order
from silkgate.gate._grants import LedgerGrants
from silkgate.gate._models import ComputeOutcome, Download
from silkgate.ledger import grant_allows
from silkgate.monitor import TransferEvent, dump_transfers
from silkgate.vault import Proxy, delegate, unseal_shared

if TYPE_CHECKING:
    from silkgate.gate._platform import Platform

ACTIVE = ("agreed", "finalized")


class ComputePlane:
    """In-process party nodes over ``HOME/data/PARTY`` and one scheduler, started on demand."""

    def __init__(self, home: Path, grants: LedgerGrants) -> None:
        self._compute = ComputeHome.of(home)
        self._home = home
        self._grants = grants
        self._nodes: dict[str, Node] = {}
        self._scheduler: Scheduler | None = None
        self._lock = threading.Lock()

    def scheduler(self, parties: set[str]) -> Scheduler:
        with self._lock:
            for party in sorted(parties - set(self._nodes)):
                data = self._home / "data" / party
                data.mkdir(parents=True, exist_ok=True)
                node = self._compute.make_node(party, data, grants=self._grants)
                node.start()
                self._compute.enroll(node)
                self._nodes[party] = node
            if self._scheduler is None:
                self._scheduler = self._compute.open_scheduler(grants=self._grants)
            return self._scheduler

    def close(self) -> None:
        if self._scheduler is not None:
            self._scheduler.close()
            self._scheduler = None
        for node in self._nodes.values():
            node.close()
        self._nodes.clear()


def _active(platform: Platform, order_id: str, actor: str | None) -> Order:
    order: Order = platform.exchange.orders.order(order_id)
    if actor is not None and actor != order.consumer:
        raise AccessDenied(f"only {order.consumer} acts under order {order_id}")
    if order.state not in ACTIVE or order.grant_id is None:
        raise Conflict(f"order {order_id} is {order.state}; it needs an agreement first",
                       field="order_id")  # fmt: skip
    return order


def _check_grant(platform: Platform, order: Order, scope: str) -> None:
    """Raise AccessDenied unless the order's grant allows ``scope`` now."""
    assert order.grant_id is not None
    grant = platform.exchange.ledger.grant_record(order.dataset_id, order.grant_id) or {}
    now = dt.datetime.now(dt.UTC).isoformat()
    if not grant or not grant_allows(grant, scope, now):
        status = grant.get("status", "missing")
        raise AccessDenied(f"grant {order.grant_id} ({status}; scopes "
                           f"{', '.join(grant.get('scopes', ())) or 'none'}) does not allow "
                           f"{scope} now")  # fmt: skip


def download(platform: Platform, order_id: str, *, actor: str | None = None) -> Download:
    exchange = platform.exchange
    order = _active(platform, order_id, actor)
    assert order.grant_id is not None
    offer = exchange.orders.offer(order.offer_id)
    _check_grant(platform, order, "download")
    entry = exchange.catalog.entry(order.dataset_id)
    owner_keys = platform.vault_keys(offer.owner)
    recipient = platform.vault_keys(order.consumer)
    sealed = platform.vault.get(entry.vault_ref)
    with exchange.ledger.lock:
        peers = dict(platform.consortium().peers)
        shares = len(peers)
        threshold = shares // 2 + 1
        proxies = [Proxy(org, peer) for org, peer in sorted(peers.items())]
        fragments = delegate(owner_keys, recipient.public_hex, grant_id=order.grant_id,
                             dataset_id=order.dataset_id, threshold=threshold,
                             shares=shares)  # fmt: skip
        for proxy, fragment in zip(proxies, fragments, strict=True):
            proxy.accept(fragment)
        cfrags = [p.reencrypt(order.grant_id, sealed.capsule) for p in proxies[:threshold]]
        ledger_hash = str(exchange.ledger.get(f"dataset/{order.dataset_id}")["content_hash"])
    suffix = entry.dataset.format if entry.dataset.format != "table" else "bin"
    out = platform.settings.home / "received" / order.consumer / f"{order.dataset_id}.{suffix}"
    out.parent.mkdir(parents=True, exist_ok=True)
    unseal_shared(platform.vault, sealed, recipient, cfrags, out, expected_hash=ledger_hash)
    use_tx = exchange.ledger.use(order.consumer, order.dataset_id, order.grant_id, "download")
    size = out.stat().st_size
    usage = exchange.billing.meter_download(order.consumer, offer, source=use_tx, size=size)
    consumer = platform.registry.party(order.consumer)
    dataset = entry.dataset
    event = TransferEvent(
        ts=dt.datetime.now(dt.UTC), exporter=dataset.owner,
        exporter_jurisdiction=dataset.location, importer=consumer.id,
        importer_jurisdiction=consumer.jurisdiction, dataset=dataset.id, bytes=size,
        records=dataset.rows, personal=dataset.subjects > 0, subjects=dataset.subjects,
        sensitive_subjects=dataset.sensitive_subjects, categories=dataset.categories,
        purpose=order.purpose, grant=order.grant_id,
        content=" ".join(c.name for c in dataset.columns),
    )  # fmt: skip
    events = platform.settings.home / "monitor" / "gate-transfers.jsonl"
    events.parent.mkdir(parents=True, exist_ok=True)
    with events.open("ab") as sink:
        sink.write(dump_transfers([event]))
    if order.state == "agreed":
        exchange.orders.finalize(order.id, actor=order.consumer)
    return Download(order_id=order.id, dataset_id=order.dataset_id, path=str(out), size=size,
                    content_hash=ledger_hash, threshold=f"{threshold}-of-{shares}",
                    use_tx=use_tx, usage_id=usage.id)  # fmt: skip


def compute(
    platform: Platform, order_id: str, tasks: list[TaskSpec], *, actor: str | None = None
) -> list[ComputeOutcome]:
    """Run ``tasks`` (over the order's dataset, results to its consumer) at the nodes."""
    exchange = platform.exchange
    order = _active(platform, order_id, actor)
    assert order.grant_id is not None
    offer = exchange.orders.offer(order.offer_id)
    if not tasks:
        raise InvalidInput("no tasks", field="tasks")
    for spec in tasks:
        if spec.kind not in offer.policy.compute_kinds:
            raise AccessDenied(f"offer {offer.id} does not permit {spec.kind}")
        _check_grant(platform, order, TASK_SCOPES[spec.kind])
        if order.dataset_id not in {i.dataset for i in spec.inputs}:
            raise InvalidInput(f"task {spec.id} does not read {order.dataset_id}", field="tasks")
        if order.consumer not in spec.receivers:
            raise InvalidInput(f"task {spec.id}: {order.consumer} must receive the result",
                               field="tasks")  # fmt: skip
        limit = offer.policy.dp_epsilon
        if spec.privacy is not None and limit is not None and spec.privacy.epsilon > limit:
            raise AccessDenied(f"task {spec.id} asks ε={spec.privacy.epsilon}; the offer "
                               f"allows at most {limit}")  # fmt: skip
    parties = {p for spec in tasks for p in spec.parties}
    scheduler = platform.compute_plane().scheduler(parties)
    outcomes = []
    for spec in tasks:
        try:
            record = scheduler.run(spec)
        except BudgetExhausted:
            exchange.trust.signal(order.consumer, "budget_exhausted", {"task": spec.id})
            raise
        except NodeUnavailable as exc:
            for party in spec.parties:
                exchange.trust.signal(
                    party, "node_unavailable", {"task": spec.id, "error": str(exc)}
                )
            raise
        use_tx = usage_id = None
        if record.state == "succeeded":
            use_tx = exchange.ledger.use(order.consumer, order.dataset_id, order.grant_id,
                                         TASK_SCOPES[spec.kind])  # fmt: skip
            usage_id = exchange.billing.meter_task(
                order.consumer, offer, task_id=spec.id, kind=spec.kind, metering=record.metering
            ).id
        result = record.result if order.consumer in spec.receivers else None
        outcomes.append(ComputeOutcome(order_id=order.id, task_id=spec.id, kind=spec.kind,
                                       state=record.state, result=result, error=record.error,
                                       use_tx=use_tx, usage_id=usage_id))  # fmt: skip
    if order.state == "agreed" and any(o.state == "succeeded" for o in outcomes):
        exchange.orders.finalize(order.id, actor=order.consumer)
    return outcomes
