"""``ClusterClient``: the client SDK for a consortium whose peers run as separate processes.

It signs a proposal, asks the peers the endorsement policy needs (over mutual TLS),
checks that their signed results are identical, publishes the envelope to the ordering
stream and waits until a peer reports it committed; envelopes submitted close together
share one stream message and one wait (``BatchSubmitter``). Everything network-bound is async on
the client's own ``LoopThread``; ``invoke`` is the synchronous form, ``invoke_async`` can
be run many at a time (``run``) to pipeline transactions.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from silkgate.ledger._client import Pending, TxReceipt, assemble, signed_proposal
from silkgate.ledger._config import ConsortiumConfig
from silkgate.ledger._endpoint import PeerConnection, tls_context
from silkgate.ledger._errors import LedgerError, TransactionRejected
from silkgate.ledger._identity import Identity, Msp
from silkgate.ledger._loop import LoopThread
from silkgate.ledger._nats import nats_tls_context
from silkgate.ledger._ordering import JetStreamOrderer, StreamNames
from silkgate.ledger._submitter import BatchSubmitter
from silkgate.ledger._transactions import Endorsement
from silkgate.ledger._types import JsonValue

T = TypeVar("T")


class ClusterClient:
    """Acts for one member identity against peer endpoints and the ordering stream.

    ``peers`` maps organisation ids to ``host:port`` of their peers' endpoints; ``servers``
    are the NATS URLs; ``ca_pems`` the organisations' CA certificates (the trust anchors of
    both: the client presents ``identity``'s certificate to peers and to NATS servers).
    """

    def __init__(
        self,
        identity: Identity,
        peers: Mapping[str, str],
        servers: Sequence[str],
        *,
        genesis_hash: str,
        ca_pems: Mapping[str, str],
    ) -> None:
        self.identity = identity
        self._addresses = dict(peers)
        self._servers = list(servers)
        self._names = StreamNames.for_genesis(genesis_hash)
        self._ca_pems = dict(ca_pems)
        self._loop = LoopThread(f"client-{identity.subject}")
        self._orderer = JetStreamOrderer(
            self._servers,
            self._names,
            loop=self._loop,
            tls=nats_tls_context(identity, self._ca_pems.values()),
        )
        self._connections: dict[str, PeerConnection] = {}
        self._submitters: dict[str, BatchSubmitter] = {}
        self._config: ConsortiumConfig | None = None
        self._rotation = itertools.count()

    @property
    def subject(self) -> str:
        return self.identity.subject

    @property
    def orgs(self) -> list[str]:
        return sorted(self._addresses)

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> ClusterClient:
        if self._connections:
            return self
        self._loop.start()
        context = tls_context(self.identity, self._ca_pems.values(), server=False)
        msp = Msp(self._ca_pems, {})
        for org, address in self._addresses.items():
            host, _, port = address.rpartition(":")
            self._connections[org] = PeerConnection(org, host, int(port), context, msp)
        self._config = ConsortiumConfig.model_validate(self.call(self._home_org(), "config"))
        self._orderer.start()
        return self

    def close(self) -> None:
        if self._connections:

            async def close_all() -> None:
                for connection in self._connections.values():
                    await connection.close()

            with contextlib.suppress(Exception):  # closing anyway
                self._loop.run(close_all(), timeout_s=10)
            self._connections.clear()
        self._submitters.clear()
        self._orderer.close()
        self._loop.close()

    def __enter__(self) -> ClusterClient:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float | None = None) -> T:
        """Run a coroutine (e.g. many ``invoke_async``) on the client's loop."""
        return self._loop.run(coro, timeout_s)

    # queries -----------------------------------------------------------------------------------
    def _home_org(self) -> str:
        org = self.identity.member.org
        return org if org in self._addresses else self.orgs[0]

    def _connection(self, org: str) -> PeerConnection:
        if org not in self._connections:
            raise LedgerError(f"no peer endpoint for {org!r}; one of {', '.join(self.orgs)}")
        return self._connections[org]

    def call(self, org: str, op: str, **args: Any) -> Any:
        """One request to ``org``'s peer (``status``, ``get``, ``tx``, ``config``...)."""
        return self._loop.run(self._connection(org).call(op, **args), timeout_s=120)

    def status(self, org: str) -> dict[str, Any]:
        return dict(self.call(org, "status"))

    def get(self, key: str, org: str | None = None) -> Any:
        return self.call(org or self._home_org(), "get", key=key)

    @property
    def config(self) -> ConsortiumConfig:
        if self._config is None:
            raise LedgerError("the client is not started")
        return self._config

    # transactions ------------------------------------------------------------------------------
    async def choose_endorsers(self, contract: str, function: str, args: JsonValue) -> list[str]:
        """The fewest organisations that satisfy the contract's policy, rotating for load."""
        policy = self.config.policy(contract)
        orgs = [o for o in self.config.org_ids if o in self._addresses]
        start = next(self._rotation) % len(orgs)
        rotated = orgs[start:] + orgs[:start]
        if policy.kind == "majority":
            return rotated[: len(self.config.orgs) // 2 + 1]
        if policy.kind == "any":
            return rotated[: policy.count]
        owner = await self._connection(self._home_org()).call(
            "owner", contract=contract, function=function, args=args
        )
        others = [o for o in rotated if o != owner]
        return ([owner] if owner in orgs else []) + others[: policy.count]

    async def prepare_async(
        self,
        contract: str,
        function: str,
        args: JsonValue,
        *,
        endorsers: Sequence[str] | None = None,
        at: dt.datetime | None = None,
    ) -> Pending:
        proposal, proposal_bytes, signature = signed_proposal(
            self.identity, contract, function, args, at
        )
        chosen = (
            list(endorsers)
            if endorsers is not None
            else await self.choose_endorsers(contract, function, args)
        )
        answers = await asyncio.gather(
            *(
                self._connection(org).call(
                    "endorse", proposal=proposal_bytes.decode(), signature=signature.hex()
                )
                for org in chosen
            )
        )
        return assemble(
            proposal,
            proposal_bytes,
            signature,
            chosen,
            [
                (
                    a["payload"].encode(),
                    Endorsement(a["endorser"], bytes.fromhex(a["signature"])),
                    a["response"],
                )
                for a in answers
            ],
        )

    async def submit_async(self, pending: Pending, *, wait_on: str | None = None) -> TxReceipt:
        """Publish the envelope and wait until ``wait_on``'s peer (our org's) commits it."""
        org = wait_on or self._home_org()
        submitter = self._submitters.get(org)
        if submitter is None:
            connection = self._connection(org)

            async def wait_all(tx_ids: list[str]) -> Any:
                return await connection.call("wait", tx_ids=tx_ids)

            submitter = self._submitters[org] = BatchSubmitter(
                self._orderer.publish_batch, wait_all
            )
        found = await submitter.submit(pending.tx_id, pending.envelope.to_bytes())
        return TxReceipt(pending.tx_id, int(found["block"]), found["code"], pending.response)

    async def invoke_async(
        self,
        contract: str,
        function: str,
        args: JsonValue,
        *,
        endorsers: Sequence[str] | None = None,
        wait_on: str | None = None,
        check: bool = True,
    ) -> TxReceipt:
        """Endorse, order, wait for the commit; raise if the peers rejected it (``check``)."""
        pending = await self.prepare_async(contract, function, args, endorsers=endorsers)
        receipt = await self.submit_async(pending, wait_on=wait_on)
        if check and not receipt.is_valid:
            raise TransactionRejected(
                f"{contract}.{function} rejected: {receipt.code}",
                code=receipt.code,
                tx_id=receipt.tx_id,
            )
        return receipt

    def invoke(
        self,
        contract: str,
        function: str,
        args: JsonValue,
        *,
        endorsers: Sequence[str] | None = None,
        timeout_s: float = 120.0,
    ) -> TxReceipt:
        """The synchronous ``invoke_async``."""
        return self.run(self.invoke_async(contract, function, args, endorsers=endorsers), timeout_s)
