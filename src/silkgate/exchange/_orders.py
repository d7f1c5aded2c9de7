"""Offers and orders: the Dataspace Protocol's contract negotiation, on the ledger.

States: ``requested → offered → agreed → finalized``, or ``terminated`` from any state
before ``finalized`` (``silkgate.ledger.ORDER_TRANSITIONS``). ``requested`` follows the
consumer's access request (a ledger transaction evaluated by the owner's Cedar policies);
``agreed`` follows the owner's grant on the ledger (scopes and expiry from the offer's usage
policy). Every step is an ``exchange.order`` transaction with the hash of its document,
which the ledger refuses unless it follows the order's previous state there. Each method
checks the state, the actor and the offer before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import select

from silkgate.domain import AccessDenied, Conflict, InvalidInput, NotFound, Purpose
from silkgate.exchange._ledgerlink import AccessAnswer, LedgerLink
from silkgate.exchange._models import Offer, OfferRequest, Order, OrderState, Transition
from silkgate.exchange._odrl import odrl_agreement, odrl_offer
from silkgate.ledger import ORDER_TRANSITIONS
from silkgate.store import Database, OfferRow, OrderRow, Registry

NEXT = {
    cast(OrderState, state): frozenset(cast(OrderState, s) for s in following)
    for state, following in ORDER_TRANSITIONS.items()
}

TASK_SCOPES = {
    "psi": "compute:psi", "secure_stats": "compute:mpc", "he_aggregate": "compute:he",
    "dp_query": "compute:dp", "fl_train": "compute:fl",
}  # fmt: skip
"""The ledger scope a grant needs for each compute task kind."""


def offer_scopes(offer: Offer) -> list[str]:
    """The ledger scopes an agreement on ``offer`` grants."""
    scopes = {TASK_SCOPES[k] for k in offer.policy.compute_kinds}
    if offer.policy.download:
        scopes |= {"view", "download"}
    return sorted(scopes)


def _offer(row: OfferRow) -> Offer:
    return Offer.model_validate(
        {"id": row.id, "dataset_id": row.dataset_id, "owner": row.owner, "policy": row.policy,
         "active": row.active, "ledger_tx": row.ledger_tx, "created_at": row.created_at}
    )  # fmt: skip


def _order(row: OrderRow) -> Order:
    return Order.model_validate(
        {"id": row.id, "offer_id": row.offer_id, "dataset_id": row.dataset_id,
         "consumer": row.consumer, "purpose": row.purpose, "state": row.state,
         "transitions": row.transitions, "request_id": row.request_id, "grant_id": row.grant_id,
         "decision_id": row.decision_id, "created_at": row.created_at,
         "updated_at": row.updated_at}
    )  # fmt: skip


class OrderBook:
    def __init__(self, database: Database, registry: Registry, ledger: LedgerLink) -> None:
        self._db = database
        self._registry = registry
        self._ledger = ledger

    # offers --------------------------------------------------------------------------------
    def add_offer(self, owner: str, request: OfferRequest) -> Offer:
        dataset = next((d for d in self._registry.datasets() if d.id == request.dataset_id), None)
        if dataset is None or not self._ledger.is_registered(request.dataset_id):
            raise NotFound(f"dataset {request.dataset_id!r} is not published", field="dataset_id")
        if dataset.owner != owner:
            raise AccessDenied(f"only {dataset.owner} may offer {dataset.id}")
        if not request.policy.download and not request.policy.compute_kinds:
            raise InvalidInput("an offer allows download or at least one compute kind",
                               field="policy.compute_kinds")  # fmt: skip
        with self._db.transaction() as session:
            if session.get(OfferRow, request.id) is not None:
                raise Conflict(f"offer {request.id!r} exists", field="id")
        now = dt.datetime.now(dt.UTC)
        draft = Offer(id=request.id, dataset_id=dataset.id, owner=owner, policy=request.policy,
                      ledger_tx="", created_at=now)  # fmt: skip
        _hash, tx_id = self._ledger.anchor(owner, dataset.id, "offer", request.id,
                                           odrl_offer(draft))  # fmt: skip
        policy = request.policy.model_dump(mode="json")
        with self._db.transaction() as session:
            session.add(
                OfferRow(id=request.id, dataset_id=dataset.id, owner=owner, policy=policy,
                         price=str(request.policy.price.per_download),
                         currency=request.policy.price.currency, active=True, ledger_tx=tx_id,
                         created_at=now)
            )  # fmt: skip
        return self.offer(request.id)

    def offer(self, offer_id: str) -> Offer:
        with self._db.transaction() as session:
            row = session.get(OfferRow, offer_id)
            if row is None:
                raise NotFound(f"no offer {offer_id!r}", field="offer_id")
            return _offer(row)

    def offers(self, dataset_id: str | None = None) -> list[Offer]:
        query = select(OfferRow).order_by(OfferRow.created_at)
        if dataset_id is not None:
            query = query.where(OfferRow.dataset_id == dataset_id)
        with self._db.transaction() as session:
            return [_offer(r) for r in session.scalars(query).all()]

    # orders --------------------------------------------------------------------------------
    def check_request(self, offer_id: str, consumer: str, purpose: Purpose) -> Offer:
        """Raise unless ``consumer`` may ask for ``offer_id`` for ``purpose``."""
        offer = self.offer(offer_id)
        self._registry.party(consumer)
        if not offer.active:
            raise Conflict(f"offer {offer_id} is withdrawn", field="offer_id")
        if consumer == offer.owner:
            raise InvalidInput("an owner does not order its own data", field="consumer")
        if purpose not in offer.policy.purposes:
            raise InvalidInput(
                f"purpose {purpose!r} is not offered; one of {sorted(offer.policy.purposes)}",
                field="purpose",
            )
        return offer

    def open(self, offer: Offer, consumer: str, purpose: Purpose, access: AccessAnswer) -> Order:
        """Open the order on the consumer's request, already put on the ledger as ``access``."""
        now = dt.datetime.now(dt.UTC)
        order_id = f"o-{uuid.uuid4().hex[:12]}"
        document = {"order": order_id, "state": "requested", "offer": offer.id,
                    "consumer": consumer, "purpose": purpose,
                    "request": access.request_id}  # fmt: skip
        _h, tx_id = self._ledger.order_step(consumer, offer.dataset_id, order_id, "requested",
                                            document, request_id=access.request_id)  # fmt: skip
        allowed = ", ".join(access.allowed_scopes) or "nothing"
        step = Transition(state="requested", at=now, by=consumer, tx_id=tx_id,
                          note=f"the owner's Cedar policies allow {allowed} (access request "
                          f"{access.tx_id})")  # fmt: skip
        with self._db.transaction() as session:
            session.add(
                OrderRow(id=order_id, offer_id=offer.id, dataset_id=offer.dataset_id,
                         consumer=consumer, purpose=purpose, state="requested",
                         transitions=[step.model_dump(mode="json")], request_id=access.request_id,
                         created_at=now, updated_at=now)
            )  # fmt: skip
        return self.order(order_id)

    def order(self, order_id: str) -> Order:
        with self._db.transaction() as session:
            row = session.get(OrderRow, order_id)
            if row is None:
                raise NotFound(f"no order {order_id!r}", field="order_id")
            return _order(row)

    def orders(self, *, party: str | None = None, dataset_id: str | None = None) -> list[Order]:
        query = select(OrderRow).order_by(OrderRow.created_at)
        if dataset_id is not None:
            query = query.where(OrderRow.dataset_id == dataset_id)
        with self._db.transaction() as session:
            rows = [_order(r) for r in session.scalars(query).all()]
        if party is None:
            return rows
        owners = {o.id: o.owner for o in self.offers()}
        return [o for o in rows if party in (o.consumer, owners.get(o.offer_id))]

    def attach_decision(self, order_id: str, decision_id: str) -> None:
        with self._db.transaction() as session:
            row = session.get(OrderRow, order_id)
            if row is None:
                raise NotFound(f"no order {order_id!r}", field="order_id")
            row.decision_id = decision_id

    def _move(
        self, order: Order, state: OrderState, by: str, tx_id: str, note: str = "",
        **changes: Any,
    ) -> Order:  # fmt: skip
        now = dt.datetime.now(dt.UTC)
        step = Transition(state=state, at=now, by=by, tx_id=tx_id, note=note)
        with self._db.transaction() as session:
            row = session.get(OrderRow, order.id)
            assert row is not None
            if row.state != order.state:
                raise Conflict(f"order {order.id} moved to {row.state} meanwhile", field="state")
            row.state = state
            row.transitions = [*row.transitions, step.model_dump(mode="json")]
            row.updated_at = now
            for name, value in changes.items():
                setattr(row, name, value)
        return self.order(order.id)

    def _check(self, order_id: str, state: OrderState, actor: str | None) -> tuple[Order, Offer]:
        order = self.order(order_id)
        offer = self.offer(order.offer_id)
        if state not in NEXT[order.state]:
            raise Conflict(
                f"order {order_id} is {order.state}; it can move to "
                f"{', '.join(sorted(NEXT[order.state])) or 'nothing'}, not {state}",
                field="state",
            )
        if actor is not None and actor not in (offer.owner, order.consumer):
            raise AccessDenied(f"{actor} takes no part in order {order_id}")
        return order, offer

    def make_offer(self, order_id: str, *, actor: str | None = None) -> Order:
        """The owner answers the request with its offer's terms."""
        order, offer = self._check(order_id, "offered", actor)
        if actor is not None and actor != offer.owner:
            raise AccessDenied(f"only {offer.owner} offers terms on {order_id}")
        document = {"order": order.id, "state": "offered", "offer": odrl_offer(offer)}
        _h, tx_id = self._ledger.order_step(offer.owner, offer.dataset_id, order.id, "offered",
                                            document)  # fmt: skip
        return self._move(order, "offered", offer.owner, tx_id, "terms of the offer sent")

    def agree(
        self, order_id: str, *, scopes: list[str] | None = None, actor: str | None = None
    ) -> Order:
        """The owner's agreement: a ledger grant of ``scopes`` (default: the offer's)."""
        order, offer = self._check(order_id, "agreed", actor)
        if actor is not None and actor != offer.owner:
            raise AccessDenied(f"only {offer.owner} concludes the agreement on {order_id}")
        if order.request_id is None:
            raise Conflict(f"order {order_id} has no access request", field="order_id")
        allowed = offer_scopes(offer)
        chosen = sorted(set(scopes) if scopes is not None else set(allowed))
        if not chosen or not set(chosen) <= set(allowed):
            raise InvalidInput(f"scopes must be some of {allowed}", field="scopes")
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=offer.policy.duration_days)
        grant_tx = self._ledger.grant(offer.owner, offer.dataset_id, order.request_id, chosen,
                                      expires)  # fmt: skip
        document = {"order": order.id, "state": "agreed", "grant": order.request_id,
                    "scopes": chosen, "expires_at": expires.isoformat(),
                    "agreement": odrl_agreement(offer, order.id, order.consumer)}  # fmt: skip
        _h, tx_id = self._ledger.order_step(offer.owner, offer.dataset_id, order.id, "agreed",
                                            document)  # fmt: skip
        note = f"grant {', '.join(chosen)} until {expires.date().isoformat()} (tx {grant_tx})"
        return self._move(order, "agreed", offer.owner, tx_id, note, grant_id=order.request_id)

    def agreement(self, order_id: str) -> dict[str, Any]:
        order = self.order(order_id)
        return odrl_agreement(self.offer(order.offer_id), order.id, order.consumer)

    def finalize(self, order_id: str, *, actor: str | None = None) -> Order:
        order, offer = self._check(order_id, "finalized", actor)
        by = actor or offer.owner
        document = {"order": order.id, "state": "finalized", "grant": order.grant_id}
        _h, tx_id = self._ledger.order_step(by, offer.dataset_id, order.id, "finalized", document)
        return self._move(order, "finalized", by, tx_id, "agreement in force")

    def terminate(self, order_id: str, reason: str, *, actor: str | None = None) -> Order:
        order, offer = self._check(order_id, "terminated", actor)
        by = actor or offer.owner
        if order.grant_id is not None:
            grant = self._ledger.grant_record(offer.dataset_id, order.grant_id)
            if grant is not None and grant.get("status") in ("active", "suspended"):
                self._ledger.revoke(offer.owner, offer.dataset_id, order.grant_id)
        document = {"order": order.id, "state": "terminated", "reason": reason, "by": by}
        _h, tx_id = self._ledger.order_step(by, offer.dataset_id, order.id, "terminated",
                                            document)  # fmt: skip
        return self._move(order, "terminated", by, tx_id, reason)
