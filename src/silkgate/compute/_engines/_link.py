"""Links between nodes for SPU and SecretFlow PSI: one brpc link context per task attempt.

The link carries protocol messages between the parties' nodes directly (not through the
scheduler). Parties are ranked in the order the scheduler lists them.

Before the link opens, every party meets every other on its own link address
(`meet_peers`). Why: spu's ``create_brpc`` starts the party's brpc server and at once
connects to each peer; when a peer is not listening yet, brpc marks that peer's connection
failed and only its health check, every 3 s (a brpc flag spu does not expose), revives it,
so a link whose parties started it 0.1 s or more apart took 3–4 s to form instead of
~50 ms, whatever ``connect_retry_interval_ms`` said. Parties that meet first start it
within a few milliseconds of each other, with brpc already running (`warm_up_brpc`); the
rare connect that still comes too early is resent after 0.1 s, not yacl's default 1 s.

MPyC's links run over mutual TLS. At ``link.prepare`` with ``tls`` each node makes a fresh
ECDSA P-256 key and a self-signed certificate for the session (`issue_link_certificate`),
keeps the key in its state directory (0600) and answers the certificate; the scheduler
hands every party the list of all parties' certificates in its signed step request, and
each party trusts exactly those (`LinkTls`): a connection from or to anyone else fails the
TLS handshake. The keys are removed when the step ends and with the node's restart.

The brpc links (PSI, SPU) are not TLS. spu 0.9.5's link takes TLS options and forms over
them, but with TLS on, a party's process sometimes dies after the protocol has finished
(brpc's ``controller.cpp:457 Check failed: false. error_code is 0``, when its peer closes
the TLS connection while a message to it is still being acknowledged), losing the step's
result: one PSI task in a dozen failed this way in our tests, a barrier before closing did
not cure it. Until that is fixed, TLS there would trade results for secrecy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import socket
import struct
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from silkgate.compute._certs import private_pem, self_signed
from silkgate.compute._errors import TaskFailed

_POLL_S = 0.01  # between connects to a peer not listening yet (a refusal costs nothing)
_HELLO_MAX = 512
LINK_KEYS_DIR = "link-keys"  # under the node's state directory
_CERT_LIFETIME = dt.timedelta(days=2)  # longer than any task's time limit


@dataclass(frozen=True, slots=True)
class LinkTls:
    """This party's key and certificate for a session, and the certificates it trusts."""

    directory: Path
    certificates: tuple[str, ...]

    @classmethod
    def for_step(cls, state_dir: Path, session: str, certificates: Sequence[str],
                 rank: int) -> LinkTls:  # fmt: skip
        directory = _keys_dir(state_dir, session)
        own = directory / "link.crt"
        if not own.is_file() or not (directory / "link.key").is_file():
            raise TaskFailed(f"no link key of session {session!r} here: link.prepare first")
        if not 0 <= rank < len(certificates) or certificates[rank] != own.read_text():
            raise TaskFailed(f"the certificates of session {session!r} do not list this node's")
        return cls(directory, tuple(certificates))

    @property
    def certificate_path(self) -> Path:
        return self.directory / "link.crt"

    @property
    def key_path(self) -> Path:
        return self.directory / "link.key"

    def trusted_path(self) -> Path:
        """A file of every party's certificate: the only ones this party trusts."""
        trusted = self.directory / "trusted.pem"
        trusted.write_text("".join(self.certificates))
        return trusted

    def discard(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def issue_link_certificate(state_dir: Path, session: str, party: str, rank: int) -> str:
    """A fresh key (kept here, 0600) and self-signed certificate (returned, PEM) for a link.

    The certificate names the party's rank as MPyC expects its peers' names to read.
    """
    directory = _keys_dir(state_dir, session)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = self_signed(
        key,
        f"silkgate link {party}",
        _CERT_LIFETIME,
        [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (x509.SubjectAlternativeName([x509.DNSName(mpyc_name(rank))]), False),
        ],
    )
    key_bytes = private_pem(key)
    descriptor = os.open(directory / "link.key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_bytes)
    (directory / "link.crt").write_text(pem)
    return pem


def mpyc_name(rank: int) -> str:
    """The name MPyC checks on the certificate of the party of ``rank`` (its TLS host name)."""
    return f"MPyC party {rank}"


def forget_link_keys(state_dir: Path) -> None:
    """Remove every session's link key (at node start: no session outlives its node)."""
    shutil.rmtree(state_dir / LINK_KEYS_DIR, ignore_errors=True)


def _keys_dir(state_dir: Path, session: str) -> Path:
    return state_dir / LINK_KEYS_DIR / hashlib.sha256(session.encode()).hexdigest()[:32]


def reserve_port(host: str) -> int:
    """A port free on ``host`` now (the link binds it moments later)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def make_link(session: str, parties: Sequence[str], addresses: Sequence[str], rank: int,
              timeout_s: float) -> Any:  # fmt: skip
    """Open the brpc link of ``session`` as ``rank``; waits for the peers up to ``timeout_s``."""
    import spu.libspu as libspu

    desc = _describe(session, parties, addresses, timeout_s)
    if len(parties) > 1:
        warm_up_brpc(_endpoint(addresses[rank])[0])
        meet_peers(session, addresses, rank, timeout_s)
    return libspu.link.create_brpc(desc, rank)


def warm_up_brpc(host: str) -> None:
    """Start brpc's runtime (worker threads, protocols) with a throwaway link of one party.

    A process's first link spends tens of milliseconds, more on a busy machine, on this
    before it listens; done beforehand, the real link listens at once and its peers'
    first connects find it listening. Costs ~20 ms.
    """
    import spu.libspu as libspu

    address = f"{host}:{reserve_port(host)}"
    libspu.link.create_brpc(_describe("warm-up", ["self"], [address], 10.0), 0).stop_link()


def _describe(session: str, parties: Sequence[str], addresses: Sequence[str],
              timeout_s: float) -> Any:  # fmt: skip
    import spu.libspu as libspu

    desc = libspu.link.Desc()
    desc.id = session
    desc.recv_timeout_ms = int(timeout_s * 1000)
    desc.http_timeout_ms = int(timeout_s * 1000)
    desc.connect_retry_times = max(int(timeout_s / 0.5), 10)
    desc.connect_retry_interval_ms = 500
    desc.throttle_window_size = 0
    desc.brpc_channel_protocol = "baidu_std"
    retry = desc.retry_opts  # yacl's default waits 1 s, then 3 s, then 5 s between resends
    retry.retry_interval_ms = 100
    retry.retry_interval_incr_ms = 200
    retry.max_retry = 9  # 0.1 s, 0.3 s, … 1.7 s: about as patient in all (8 s), sooner at first
    desc.retry_opts = retry
    for party, address in zip(parties, addresses, strict=True):
        desc.add_party(party, address)
    return desc


def meet_peers(session: str, addresses: Sequence[str], rank: int, timeout_s: float) -> None:
    """Return once every party of ``session`` has reached this point, within a millisecond or so.

    Each party listens on its own link address, tells each peer it is ready (retrying while
    the peer is not listening, and at once when it hears from that peer), and waits to hear
    the same from every peer; then it closes the listener so the link can bind the port.
    """
    peers = {i for i in range(len(addresses)) if i != rank}
    if not peers:
        return
    deadline = time.monotonic() + timeout_s
    hello = f"{session} {rank}".encode()
    heard_one = threading.Event()
    told: set[int] = set()
    with socket.create_server(_endpoint(addresses[rank]), backlog=2 * len(addresses)) as server:
        teller = threading.Thread(
            target=_tell, args=(hello, addresses, peers, deadline, heard_one, told),
            name="link-ready", daemon=True,
        )  # fmt: skip
        teller.start()
        heard = _hear(server, session, peers, deadline, heard_one)
        teller.join(max(deadline - time.monotonic(), 0.0))
    if heard != peers or told != peers:
        late = sorted((peers - heard) | (peers - told))
        raise TaskFailed(f"link {session!r}: ranks {late} were not ready within {timeout_s:g} s")


def _tell(hello: bytes, addresses: Sequence[str], peers: set[int], deadline: float,
          heard_one: threading.Event, told: set[int]) -> None:  # fmt: skip
    for peer in sorted(peers):
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(_endpoint(addresses[peer]), timeout=1.0) as sock:
                    sock.sendall(hello)  # and close first: TIME_WAIT stays off the peer's port
                told.add(peer)
                break
            except OSError:
                heard_one.wait(_POLL_S)  # a peer just spoke: it listens now, try again at once
                heard_one.clear()


def _hear(server: socket.socket, session: str, peers: set[int], deadline: float,
          heard_one: threading.Event) -> set[int]:  # fmt: skip
    heard: set[int] = set()
    while heard != peers:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        server.settimeout(remaining)
        try:
            conn, _ = server.accept()
        except TimeoutError:
            break
        with conn:
            conn.settimeout(1.0)
            said = _read_all(conn)
        name, _, said_rank = said.decode(errors="replace").partition(" ")
        if name == session and said_rank.isdigit() and int(said_rank) in peers:
            heard.add(int(said_rank))
            heard_one.set()
    return heard


def _read_all(conn: socket.socket) -> bytes:
    data = b""
    try:
        while len(data) <= _HELLO_MAX:
            chunk = conn.recv(_HELLO_MAX)
            if not chunk:
                break
            data += chunk
    except OSError:
        return b""
    return data


def _endpoint(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def pack(parts: Sequence[bytes]) -> bytes:
    """Length-prefixed concatenation: peers never unpickle what another node sent."""
    out = [struct.pack("<I", len(parts))]
    for part in parts:
        out.append(struct.pack("<Q", len(part)))
        out.append(part)
    return b"".join(out)


def unpack(data: bytes) -> list[bytes]:
    (count,) = struct.unpack_from("<I", data, 0)
    offset, parts = 4, []
    for _ in range(count):
        (size,) = struct.unpack_from("<Q", data, offset)
        offset += 8
        parts.append(data[offset : offset + size])
        offset += size
    return parts
