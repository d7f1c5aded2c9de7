"""Signed calls from a scheduler to party nodes, with errors mapped back to exceptions."""

from __future__ import annotations

import functools
import json
import ssl
from typing import Any

import httpx

from silkgate.compute._errors import BudgetExhausted, NodeUnavailable, TaskFailed, TaskRefused
from silkgate.compute._identity import Directory, Identity
from silkgate.compute._metering import Metering
from silkgate.compute._node import OPS_PREFIX
from silkgate.compute._spec import TaskSpec
from silkgate.compute._tls import node_tls_context
from silkgate.domain import AccessDenied, Conflict, InvalidInput, NotFound, Unauthenticated

_ERRORS: dict[str, type[Exception]] = {
    "BudgetExhausted": BudgetExhausted,
    "TaskRefused": TaskRefused,
    "NotFound": NotFound,
    "Conflict": Conflict,
    "InvalidInput": InvalidInput,
    "Unauthenticated": Unauthenticated,
    "AccessDenied": AccessDenied,
}


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """For nodes enrolled without a certificate: one default context (loading the CA
    bundle takes ~70 ms)."""
    return ssl.create_default_context()


class NodeClient:
    """Calls node operations as ``identity``; one short-lived connection per call."""

    def __init__(self, identity: Identity, directory: Directory) -> None:
        self.identity = identity
        self.directory = directory

    def call(
        self,
        party: str,
        op: str,
        *,
        task: TaskSpec,
        session: str,
        args: dict[str, Any],
        timeout_s: float,
    ) -> tuple[dict[str, Any], Metering]:
        address = self.directory.node_address(party)
        pinned = node_tls_context(self.directory, party)
        path = OPS_PREFIX + op
        body = json.dumps(
            {"task": task.model_dump(mode="json"), "session": session, "args": args}
        ).encode()
        headers = self.identity.sign_headers("POST", path, body)
        headers["content-type"] = "application/json"
        try:
            timeout = httpx.Timeout(0.9 * timeout_s, connect=5.0)
            verify = pinned if pinned is not None else _tls_context()
            with httpx.Client(timeout=timeout, verify=verify) as client:
                response = client.post(address + path, content=body, headers=headers)
        except httpx.TimeoutException:
            raise NodeUnavailable(
                f"node of {party!r} did not answer {op} within {0.9 * timeout_s:g} s", party=party
            ) from None
        except httpx.TransportError as exc:
            raise NodeUnavailable(
                f"node of {party!r} is unreachable ({type(exc).__name__})", party=party
            ) from None
        try:
            payload = response.json()
        except json.JSONDecodeError:
            raise TaskFailed(f"node of {party!r} answered {op} with non-JSON") from None
        if response.status_code != 200:
            name = str(payload.get("error", ""))
            message = f"node {party!r}: {payload.get('message', response.reason_phrase)}"
            cls = _ERRORS.get(name)
            if cls is None:
                raise TaskFailed(message)
            if issubclass(cls, InvalidInput | AccessDenied):
                raise cls(message, field=payload.get("field"))
            raise cls(message)
        metering = Metering.model_validate(payload["metering"])
        return payload["result"], metering
