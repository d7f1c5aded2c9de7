"""The peer endpoint's wire: mutual TLS with the consortium's CAs, length-prefixed JSON.

Both ends present a member certificate issued by an organisation CA of the consortium
(TLS 1.3, Ed25519); each checks the other's chains to one of those CAs, the client also
that the server's certificate is a ``peer`` certificate of the organisation it dialled,
and the peer that the client's certificate is valid and not revoked on its ledger.
Guarantee: only members reach the endorser and query operations, and a client talks to
the peer it meant. Frames are a 4-byte big-endian length and one JSON object; requests
carry an ``id`` and answers come back with it, in any order (requests are pipelined).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import ssl
import struct
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from silkgate.domain import InvalidInput
from silkgate.ledger._codec import loads
from silkgate.ledger._errors import ContractRefused, LedgerError, UnknownIdentity
from silkgate.ledger._identity import Identity, Member, Msp

MAX_FRAME = 64 * 1024 * 1024
_WALK_LIMIT = 1_000_000
_HEADER = struct.Struct(">I")

_ERRORS: dict[str, type[Exception]] = {
    "ContractRefused": ContractRefused,
    "UnknownIdentity": UnknownIdentity,
    "InvalidInput": InvalidInput,
}


def tls_context(identity: Identity, ca_pems: Iterable[str], *, server: bool) -> ssl.SSLContext:
    """A TLS 1.3 context presenting ``identity`` and trusting only the consortium's CAs."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False  # member certificates name members, not hosts
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata="".join(ca_pems))
    with tempfile.TemporaryDirectory(prefix="silkgate-tls-") as tmp:
        identity.save(Path(tmp))  # ssl loads keys from files only; 0600, removed at once
        name = identity.member.name
        context.load_cert_chain(Path(tmp) / f"{name}.pem", Path(tmp) / f"{name}.key")
    return context


def peer_certificate(writer: asyncio.StreamWriter) -> str:
    """The PEM of the certificate the other end presented."""
    ssl_object = writer.get_extra_info("ssl_object")
    der = None if ssl_object is None else ssl_object.getpeercert(binary_form=True)
    if not der:
        raise UnknownIdentity("the other end presented no certificate", field="tls")
    cert = x509.load_der_x509_certificate(der)
    return cert.public_bytes(serialization.Encoding.PEM).decode()


async def read_frame(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next frame, or None at the end of the stream."""
    try:
        header = await reader.readexactly(_HEADER.size)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise LedgerError(f"frame of {size} bytes is over the {MAX_FRAME}-byte limit")
    value = decode_frame(await reader.readexactly(size))
    if not isinstance(value, dict):
        raise LedgerError("a frame must hold a JSON object")
    return value


def decode_frame(body: bytes) -> Any:
    """``json.loads(body)``, by orjson when that gives the same value (``_codec.loads``)."""
    return loads(body)


def encode_frame(value: dict[str, Any]) -> bytes:
    """Length and JSON body; orjson when it writes the same values json.loads reads back."""
    body = None
    if _is_finite(value):
        with contextlib.suppress(TypeError):  # integers past 64 bits, non-string keys
            body = orjson.dumps(value)
    if body is None:
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return _HEADER.pack(len(body)) + body


def _is_finite(value: object) -> bool:
    """No NaN or infinity inside (orjson would write them as null).

    Past ``_WALK_LIMIT`` nodes (a cyclic value) the answer is False, and ``json`` decides.
    """
    stack: list[Any] = [value]
    budget = _WALK_LIMIT
    while stack:
        item = stack.pop()
        budget -= 1
        if budget < 0:
            return False
        if isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return True


class FrameWriter:
    """Frames to one connection, written together at the end of the loop iteration.

    Pipelined requests and answers come in bursts; one write per burst makes one TLS
    record and one system call instead of one per frame.
    """

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self._pending: list[bytes] = []

    def write(self, value: dict[str, Any]) -> None:
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(encode_frame(value))

    def _flush(self) -> None:
        data = b"".join(self._pending)
        self._pending.clear()
        if not self.writer.is_closing():
            self.writer.write(data)


def error_frame(request_id: object, error: Exception) -> dict[str, Any]:
    kind = type(error).__name__ if type(error).__name__ in _ERRORS else "LedgerError"
    if isinstance(error, InvalidInput) and kind == "LedgerError":
        kind = "InvalidInput"
    return {"id": request_id, "error": {"type": kind, "message": str(error)}}


def raise_error(error: dict[str, Any]) -> None:
    kind = _ERRORS.get(str(error.get("type")), LedgerError)
    raise kind(str(error.get("message", "peer error")))


class PeerConnection:
    """One client's TLS connection to a peer, with pipelined requests."""

    def __init__(self, org: str, host: str, port: int, context: ssl.SSLContext, msp: Msp) -> None:
        self.org = org
        self.host = host
        self.port = port
        self._context = context
        self._msp = msp
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._frames: FrameWriter | None = None
        self._futures: dict[int, asyncio.Future[Any]] = {}
        self._next = 0
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.server: Member | None = None

    async def _connect(self) -> None:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, ssl=self._context), 10
            )
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            where = f"{self.host}:{self.port}"
            raise LedgerError(f"cannot reach peer {self.org} at {where}: {exc}") from None
        member = self._msp.member(peer_certificate(writer))
        if isinstance(member, str) or member.role != "peer" or member.org != self.org:
            writer.close()
            raise UnknownIdentity(
                f"{self.host}:{self.port} did not present a peer certificate of {self.org}",
                field="tls",
            )
        self.server = member
        self._reader, self._writer = reader, writer
        self._frames = FrameWriter(writer)
        self._task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self._reader is not None
        try:
            while True:
                frame = await read_frame(self._reader)
                if frame is None:
                    break
                future = self._futures.pop(int(frame.get("id", -1)), None)
                if future is not None and not future.done():
                    future.set_result(frame)
        finally:
            for future in self._futures.values():
                if not future.done():
                    future.set_exception(
                        LedgerError(f"peer {self.org} closed the connection (refused us?)")
                    )
            self._futures.clear()
            if self._writer is not None:
                self._writer.close()
            self._writer = None

    async def call(self, op: str, **args: Any) -> Any:
        """Send one request and wait for its answer; raise the peer's error as ours."""
        async with self._lock:
            if self._writer is None:
                await self._connect()
        assert self._writer is not None
        assert self._frames is not None
        self._next += 1
        request_id = self._next
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._futures[request_id] = future
        self._frames.write({"id": request_id, "op": op, **args})
        if self._writer.transport.get_write_buffer_size() > 1 << 20:
            await self._writer.drain()
        frame = await future
        if "error" in frame:
            raise_error(frame["error"])
        return frame.get("result")

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await self._writer.wait_closed()
        if self._task is not None:
            self._task.cancel()
