"""A whole consortium on loopback: a NATS JetStream cluster and one peer process per org.

``Cluster.create(home, parties)`` makes the consortium (``jetstream`` ordering) and
``cluster.json`` (NATS and peer ports); ``start()`` runs the NATS servers, creates the
replicated stream (R = min(3, servers)), puts the genesis block on it and starts a
``python -m silkgate.ledger peer`` process per organisation, returning once each serves;
``close()`` stops them. ``detach=True`` leaves them running (``silkgate cluster up``), and
``Cluster.down(home)`` stops what ``cluster.json`` records. Fault injection for tests:
``kill_peer``, ``start_peer``, ``kill_nats``, ``start_nats``, ``add_peer``.

Every NATS connection is mutual TLS (see ``_nats``): ``create()`` issues each NATS server a
certificate from an organisation CA (``nats/tls/``, keys 0600; ``start()`` issues them for
a home made before NATS used TLS), and every process connects with its own member
certificate (``nats_tls``).
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography import x509

from silkgate.domain import InvalidInput, NotFound, Party
from silkgate.ledger._consortium import Consortium
from silkgate.ledger._errors import LedgerError, UnknownIdentity
from silkgate.ledger._identity import ROLE_DOMAIN, CertificateAuthority, Identity
from silkgate.ledger._nats import (
    NatsPorts,
    NatsServers,
    NatsTls,
    free_port,
    free_ports,
    nats_tls_context,
    release,
    role_permissions,
    stop_pid,
)
from silkgate.ledger._node import ready_path
from silkgate.ledger._ordering import JetStreamOrderer, StreamNames
from silkgate.ledger._ordering._cutter import read_genesis
from silkgate.ledger._remote import ClusterClient

_STATE = "cluster.json"


def _roles_named(home: Path) -> bool:
    """Whether every member certificate of the home names its role (``role_address``).

    Homes made before 2026-11-27 hold certificates without it; their NATS servers keep
    checking certificates only, without per-role permissions (see docs/ledger.md).
    """
    for pem in sorted(home.glob("orgs/*/members/*.pem")):
        cert = x509.load_pem_x509_certificate(pem.read_bytes())
        try:
            names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return False
        if not any(
            n.endswith("@" + ROLE_DOMAIN) for n in names.get_values_for_type(x509.RFC822Name)
        ):
            return False
    return True


class Cluster:
    """Runtime object for a loopback consortium whose peers are processes."""

    def __init__(self, home: Path, *, detach: bool = False) -> None:
        self.home = home
        self._detach = detach
        if not (home / _STATE).is_file():
            raise NotFound(f"no cluster at {home}; run `silkgate cluster up`", field="home")
        self._state: dict[str, Any] = json.loads((home / _STATE).read_text())
        self._manifest: dict[str, Any] = json.loads((home / "consortium.json").read_text())
        ports = [NatsPorts(p["name"], p["client"], p["cluster"]) for p in self._state["nats"]]
        names = self.names
        self.nats = NatsServers(
            home / "nats",
            ports=ports,
            detach=detach,
            tls=NatsTls(home / "nats" / "tls"),
            authorization=(
                role_permissions(names.prefix, names.stream) if _roles_named(home) else None
            ),
        )
        self._peers: dict[str, subprocess.Popen[bytes]] = {}
        self._clients: list[ClusterClient] = []
        self._admin: ClusterClient | None = None

    @classmethod
    def create(
        cls,
        home: Path,
        parties: Sequence[Party],
        *,
        nats: int = 3,
        policies: dict[str, str] | None = None,
        max_tx_per_block: int = 250,
        batch_timeout_s: float = 0.1,
        detach: bool = False,
    ) -> Cluster:
        """Make the consortium files, the port plan and NATS certificates (nothing runs yet)."""
        if nats < 1:
            raise InvalidInput("--nats must be at least 1", field="nats")
        Consortium.create(
            home, parties, policies=policies, max_tx_per_block=max_tx_per_block,
            ordering="jetstream",
        ).close()  # fmt: skip
        picked = iter(free_ports(2 * nats + len(parties)))
        state = {
            "nats": [
                {"name": f"n{i + 1}", "client": next(picked), "cluster": next(picked), "pid": None}
                for i in range(nats)
            ],
            "replicas": min(3, nats),
            "batch_timeout_s": batch_timeout_s,
            "peers": {
                f"{p.id}/peer0": {"host": "127.0.0.1", "port": next(picked), "pid": None}
                for p in parties
            },
        }
        (home / _STATE).write_text(json.dumps(state, indent=2) + "\n")
        cluster = cls(home, detach=detach)
        cluster._ensure_nats_tls()
        return cluster

    @staticmethod
    def exists(home: Path) -> bool:
        return (home / _STATE).is_file()

    # what runs ---------------------------------------------------------------------------------
    @property
    def orgs(self) -> list[str]:
        return [str(o["id"]) for o in self._manifest["orgs"]]

    @property
    def genesis_hash(self) -> str:
        return str(self._manifest["genesis_hash"])

    @property
    def names(self) -> StreamNames:
        return StreamNames.for_genesis(self.genesis_hash)

    @property
    def urls(self) -> list[str]:
        return self.nats.urls

    def endpoints(self) -> dict[str, str]:
        """``org`` → ``host:port`` of each organisation's first peer."""
        found = {}
        for key, peer in self._state["peers"].items():
            org, name = key.split("/")
            if name == "peer0":
                found[org] = f"{peer['host']}:{peer['port']}"
        return found

    def peer_address(self, org: str, name: str = "peer0") -> tuple[str, int]:
        spec = self._state["peers"].get(f"{org}/{name}")
        if spec is None:
            raise NotFound(f"no peer {org}/{name} in the cluster", field="--org")
        return str(spec["host"]), int(spec["port"])

    @property
    def batch_timeout_s(self) -> float:
        return float(self._state["batch_timeout_s"])

    def org_for(self, text: str) -> str:
        """An organisation by id or by country code (``SG``)."""
        if text in self.orgs:
            return text
        for org in self._manifest["orgs"]:
            ca = CertificateAuthority.load(self.home / "orgs" / org["id"] / "ca", org["id"])
            if ca.country.upper() == text.upper():
                return str(org["id"])
        raise NotFound(f"no organisation {text!r}; one of {', '.join(self.orgs)}", field="--org")

    # lifecycle ---------------------------------------------------------------------------------
    def ca_pems(self) -> dict[str, str]:
        """``org`` → its CA certificate (PEM): the trust anchors of every TLS connection."""
        return {o: (self.home / "orgs" / o / "ca" / "ca.pem").read_text() for o in self.orgs}

    def nats_tls(self, org: str, name: str = "admin") -> ssl.SSLContext:
        """The TLS context member ``org/name`` connects to the NATS servers with."""
        identity = Identity.load(self.home / "orgs" / org / "members", name)
        return nats_tls_context(identity, self.ca_pems().values())

    def _ensure_nats_tls(self) -> None:
        """Issue the NATS servers' certificates unless they exist (a home from before TLS)."""
        tls = self.nats.tls
        assert tls is not None
        if all(tls.has(port.name) for port in self.nats.ports):
            return
        cas = [CertificateAuthority.load(self.home / "orgs" / org / "ca", org) for org in self.orgs]
        NatsTls.issue(tls.directory, cas, [port.name for port in self.nats.ports])

    def start(self) -> Cluster:
        try:
            self._ensure_nats_tls()
            self.nats.start()
            self._record_nats()
            self._create_stream()
            for key in self._state["peers"]:
                org, name = key.split("/")
                self.start_peer(org, name, wait=False)
            for key in self._state["peers"]:
                org, name = key.split("/")
                self._wait_ready(org, name)
        except BaseException:
            self.close()
            self._stop_processes()
            raise
        return self

    def _create_stream(self) -> None:
        genesis = read_genesis((self.home / "genesis.json").read_bytes())
        orderer = JetStreamOrderer(self.urls, self.names, tls=self.nats_tls(self.orgs[0])).start()
        try:

            async def prepare() -> None:
                await orderer.ensure_stream(int(self._state["replicas"]))
                await orderer.publish_genesis(genesis)

            orderer._loop.run(prepare(), timeout_s=90)
        finally:
            orderer.close()

    def close(self) -> None:
        """Stop clients, peers and NATS servers this object started (unless detached)."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._admin = None
        if not self._detach:
            self._stop_processes()
            return
        for process in self._peers.values():
            release(process)
        self._peers.clear()
        self.nats.release()

    def _stop_processes(self) -> None:
        for key in list(self._peers):
            org, name = key.split("/")
            self.stop_peer(org, name)
        self.nats.stop_all()
        self._record_nats()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @classmethod
    def down(cls, home: Path) -> list[int]:
        """Stop every process ``cluster.json`` records (peers first); return their pids."""
        state = json.loads((home / _STATE).read_text())
        pids = [p["pid"] for p in state["peers"].values() if p.get("pid")]
        pids += [p["pid"] for p in state["nats"] if p.get("pid")]
        for pid in pids:
            if _is_ours(int(pid)):
                stop_pid(int(pid))
        for peer in state["peers"].values():
            peer["pid"] = None
        for server in state["nats"]:
            server["pid"] = None
        (home / _STATE).write_text(json.dumps(state, indent=2) + "\n")
        for ready in (home / "run").glob("*.json"):
            ready.unlink()
        return [int(p) for p in pids]

    # peers -------------------------------------------------------------------------------------
    def start_peer(self, org: str, name: str = "peer0", *, wait: bool = True) -> None:
        key = f"{org}/{name}"
        if key not in self._state["peers"]:
            raise NotFound(f"no peer {key} in the cluster", field="peer")
        running = self._peers.get(key)
        if running is not None and running.poll() is None:
            return
        spec = self._state["peers"][key]
        ready_path(self.home, org, name).unlink(missing_ok=True)
        (self.home / "run").mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "silkgate.ledger", "peer", "--home", str(self.home),
            "--org", org, "--name", name, "--nats", ",".join(self.urls),
            "--host", spec["host"], "--port", str(spec["port"]),
            "--batch-timeout-ms", str(int(float(self._state["batch_timeout_s"]) * 1000)),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        with open(self.home / "run" / f"{org}-{name}.log", "ab") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, start_new_session=self._detach,
            )  # fmt: skip
        self._peers[key] = process
        spec["pid"] = process.pid
        self._save()
        if wait:
            self._wait_ready(org, name)

    def _wait_ready(self, org: str, name: str, timeout_s: float = 120.0) -> None:
        key = f"{org}/{name}"
        process = self._peers[key]
        path = ready_path(self.home, org, name)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = (self.home / "run" / f"{org}-{name}.log").read_text(errors="replace")
                raise LedgerError(f"peer {key} exited {process.returncode}: {log[-2000:]}")
            if path.is_file() and json.loads(path.read_text()).get("pid") == process.pid:
                return
            time.sleep(0.05)
        raise LedgerError(f"peer {key} did not serve within {timeout_s} s")

    def kill_peer(self, org: str, name: str = "peer0") -> None:
        """SIGKILL a peer process (a crash)."""
        process = self._peers.pop(f"{org}/{name}", None)
        if process is not None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        ready_path(self.home, org, name).unlink(missing_ok=True)

    def stop_peer(self, org: str, name: str = "peer0") -> None:
        process = self._peers.pop(f"{org}/{name}", None)
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._state["peers"][f"{org}/{name}"]["pid"] = None
        self._save()

    def add_peer(self, org: str, name: str) -> None:
        """Enroll another peer of ``org`` and start it: it joins from genesis."""
        members = self.home / "orgs" / org / "members"
        if not (members / f"{name}.pem").exists():
            ca = CertificateAuthority.load(self.home / "orgs" / org / "ca", org)
            spec = next(o for o in self._manifest["orgs"] if o["id"] == org)
            ca.enroll(name, "peer", certifications=spec["certifications"]).save(members)
        self._state["peers"].setdefault(
            f"{org}/{name}", {"host": "127.0.0.1", "port": free_port(), "pid": None}
        )
        self._save()
        self.start_peer(org, name)

    def kill_nats(self, index: int) -> None:
        self.nats.kill(index)
        self._record_nats()

    def start_nats(self, index: int) -> None:
        self.nats.start_one(index)
        self._record_nats()

    def stream_leader(self) -> int:
        """Index of the NATS server leading the stream's Raft group."""
        orderer = JetStreamOrderer(self.urls, self.names, tls=self.nats_tls(self.orgs[0])).start()
        try:
            info = orderer._loop.run(orderer.js.stream_info(self.names.stream), timeout_s=30)
        finally:
            orderer.close()
        leader = info.cluster.leader if info.cluster else None
        names = [p.name for p in self.nats.ports]
        return names.index(leader) if leader in names else 0

    # clients -----------------------------------------------------------------------------------
    def client(self, org: str, name: str = "client") -> ClusterClient:
        """A started client of ``org/name`` (enrolled as a client on first use)."""
        members = self.home / "orgs" / org / "members"
        try:
            identity = Identity.load(members, name)
        except UnknownIdentity:
            ca = CertificateAuthority.load(self.home / "orgs" / org / "ca", org)
            spec = next(o for o in self._manifest["orgs"] if o["id"] == org)
            identity = ca.enroll(name, "client", certifications=spec["certifications"])
            identity.save(members)
        client = ClusterClient(
            identity,
            self.endpoints(),
            self.urls,
            genesis_hash=self.genesis_hash,
            ca_pems=self.ca_pems(),
        ).start()
        self._clients.append(client)
        return client

    def statuses(self) -> dict[str, dict[str, Any]]:
        """Each running peer0's status (height, block hash, commit hash, state root)."""
        if self._admin is None:
            self._admin = self.client(self.orgs[0], "admin")
        return {org: self._admin.status(org) for org in self.endpoints()}

    def wait_agree(self, timeout_s: float = 60.0) -> dict[str, dict[str, Any]]:
        """Wait until every peer0 reports the same height and hashes; return the statuses."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.statuses()
            views = {(s["height"], s["commit_hash"], s["state_root"]) for s in found.values()}
            if len(views) == 1 or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    # bookkeeping -------------------------------------------------------------------------------
    def _record_nats(self) -> None:
        for spec, pid in zip(self._state["nats"], self.nats.pids, strict=True):
            spec["pid"] = pid
        self._save()

    def _save(self) -> None:
        tmp = self.home / f"{_STATE}.tmp"
        tmp.write_text(json.dumps(self._state, indent=2) + "\n")
        tmp.replace(self.home / _STATE)


def _is_ours(pid: int) -> bool:
    """Whether ``pid`` is still a nats-server or silkgate peer (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"nats-server" in cmdline or b"silkgate.ledger" in cmdline
