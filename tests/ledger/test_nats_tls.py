"""The ordering service's NATS servers over mutual TLS: only consortium members connect.

Three real nats-server processes on loopback, clustered over TLS routes, with certificates
issued by two organisation CAs; clients and would-be servers from outside are refused.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nats.errors
import pytest

from silkgate.demo import DEMO_PARTIES
from silkgate.ledger import (
    CertificateAuthority,
    Cluster,
    JetStreamOrderer,
    LedgerError,
    NatsServers,
    NatsTls,
    StreamNames,
    nats_tls_context,
)
from silkgate.ledger._nats import NatsPorts, free_ports, role_permissions

pytestmark = pytest.mark.multiprocess

NAMES = StreamNames("TLS_TEST", "tls.test")


@pytest.fixture(scope="module")
def cas() -> list[CertificateAuthority]:
    return [CertificateAuthority.make("cn-org", "CN"), CertificateAuthority.make("sg-org", "SG")]


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, cas: list[CertificateAuthority]
) -> Iterator[NatsServers]:
    directory = tmp_path_factory.mktemp("nats")
    tls = NatsTls.issue(directory / "tls", cas, ["n1", "n2", "n3"])
    with NatsServers(directory, count=3, tls=tls) as started:
        yield started


def ca_pems(cas: list[CertificateAuthority]) -> list[str]:
    return [ca.cert_pem for ca in cas]


def connect(servers: NatsServers, context: ssl.SSLContext | None) -> JetStreamOrderer:
    return JetStreamOrderer(servers.urls, NAMES, tls=context, connect_timeout_s=3).start()


def test_a_member_publishes_to_a_stream_replicated_over_tls_routes(
    servers: NatsServers, cas: list[CertificateAuthority]
) -> None:
    member = cas[1].enroll("client", "client")
    orderer = connect(servers, nats_tls_context(member, ca_pems(cas)))

    async def publish() -> int:
        await orderer.ensure_stream(3)  # three replicas: the routes between servers work
        return await orderer.publish("tx", b"envelope", "tx-1")

    try:
        sequence = orderer._loop.run(publish(), timeout_s=60)
    finally:
        orderer.close()

    assert sequence == 1


def test_a_client_speaking_plain_nats_is_refused(servers: NatsServers) -> None:
    with socket.create_connection(("127.0.0.1", servers.ports[0].client), timeout=5) as sock:
        info = json.loads(sock.recv(4096).decode().removeprefix("INFO ").strip())
        sock.sendall(b'CONNECT {"verbose":false}\r\nPING\r\n')
        answer = sock.recv(4096)

    assert info["tls_required"] is True
    assert b"PONG" not in answer


def _without_certificate(cas: list[CertificateAuthority]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_verify_locations(cadata="".join(ca_pems(cas)))
    return context


def _stranger(cas: list[CertificateAuthority]) -> ssl.SSLContext:
    stranger = CertificateAuthority.make("xx-stranger", "SG").enroll("client", "client")
    return nats_tls_context(stranger, ca_pems(cas))


@pytest.mark.parametrize(
    ("make_context", "alert"),
    [
        pytest.param(_without_certificate, "CERTIFICATE_REQUIRED", id="no-certificate"),
        pytest.param(_stranger, "UNKNOWN_CA", id="certificate-of-no-consortium-ca"),
    ],
)
def test_a_client_without_a_consortium_certificate_is_refused(
    servers: NatsServers,
    cas: list[CertificateAuthority],
    make_context: Callable[[list[CertificateAuthority]], ssl.SSLContext],
    alert: str,
) -> None:
    context = make_context(cas)

    with pytest.raises(LedgerError, match="cannot connect to NATS") as refused:
        connect(servers, context)

    assert f"ALERT_{alert}" in str(refused.value)  # the server's TLS alert: it refused us


def test_a_client_refuses_a_server_certificate_without_its_host_name(
    tmp_path: Path, cas: list[CertificateAuthority]
) -> None:
    tls = NatsTls.issue(tmp_path / "tls", cas, ["n1"], hosts=["nats.example.org"])
    member = cas[0].enroll("client", "client")

    with (
        NatsServers(tmp_path, count=1, tls=tls) as single,
        pytest.raises(LedgerError, match=r"CERTIFICATE_VERIFY_FAILED.*IP address mismatch"),
    ):
        connect(single, nats_tls_context(member, ca_pems(cas)))


def test_a_server_with_a_certificate_of_no_consortium_ca_cannot_join_the_routes(
    servers: NatsServers, cas: list[CertificateAuthority], tmp_path: Path
) -> None:
    stranger = CertificateAuthority.make("xx-stranger", "SG")
    tls = NatsTls.issue(tmp_path / "tls", [stranger], ["n4"])
    tls.ca_file.write_text("".join([stranger.cert_pem, *ca_pems(cas)]))  # it trusts ours
    client, cluster = free_ports(2)
    intruder = NatsServers(
        tmp_path, ports=[*servers.ports, NatsPorts("n4", client, cluster)], tls=tls
    )
    logs = [servers.directory / f"{p.name}.log" for p in servers.ports]
    seen = [len(log.read_bytes()) for log in logs]

    intruder.start_one(3)
    try:
        refusals = ""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and "TLS route handshake error" not in refusals:
            time.sleep(0.2)
            refusals = "".join(
                log.read_bytes()[start:].decode(errors="replace")
                for log, start in zip(logs, seen, strict=True)
            )
    finally:
        intruder.stop_all()

    assert "TLS route handshake error" in refusals


def test_server_keys_are_readable_by_their_owner_only(servers: NatsServers) -> None:
    assert servers.tls is not None
    keys = sorted(servers.tls.directory.glob("*.key"))

    assert [k.name for k in keys] == ["nats-n1.key", "nats-n2.key", "nats-n3.key"]
    assert all(stat.S_IMODE(k.stat().st_mode) == 0o600 for k in keys)


def test_nats_config_files_hold_client_and_route_tls_blocks(servers: NatsServers) -> None:
    text = (servers.directory / "n1.conf").read_text()

    assert text.count('"verify": true') == 2
    assert "authorization" not in text  # servers of no consortium: certificates only
    assert text.index("tls {") < text.index("cluster {") < text.rindex("tls {")


@pytest.mark.slow
def test_a_cluster_home_without_nats_certificates_gets_them_when_it_starts(
    tmp_path: Path,
) -> None:
    home = tmp_path / "ledger"
    Cluster.create(home, DEMO_PARTIES[:2], nats=1)
    shutil.rmtree(home / "nats" / "tls", ignore_errors=True)  # a home from before NATS TLS

    with Cluster(home) as cluster:
        status = cluster.client(cluster.orgs[1]).status(cluster.orgs[0])

    assert status["height"] >= 1
    assert (home / "nats" / "tls" / "nats-n1.key").is_file()


@pytest.fixture(scope="module")
def guarded(
    tmp_path_factory: pytest.TempPathFactory, cas: list[CertificateAuthority]
) -> Iterator[NatsServers]:
    """One server that maps each member certificate to its role's permissions."""
    directory = tmp_path_factory.mktemp("guarded")
    tls = NatsTls.issue(directory / "tls", cas, ["n1"])
    authorization = role_permissions(NAMES.prefix, NAMES.stream)
    with NatsServers(directory, count=1, tls=tls, authorization=authorization) as started:
        member = connect(started, nats_tls_context(cas[0].enroll("admin", "admin"), ca_pems(cas)))
        try:
            member._loop.run(member.ensure_stream(1), timeout_s=60)
        finally:
            member.close()
        yield started


def _as(servers: NatsServers, cas: list[CertificateAuthority], role: str) -> JetStreamOrderer:
    return connect(servers, nats_tls_context(cas[1].enroll(role, role), ca_pems(cas)))


def test_a_client_certificate_submits_but_cannot_delete_the_stream(
    guarded: NatsServers, cas: list[CertificateAuthority]
) -> None:
    client = _as(guarded, cas, "client")
    try:
        sequence = client._loop.run(client.publish_batch([b"one", b"two"]), timeout_s=30)
        with pytest.raises(nats.errors.TimeoutError):  # the server drops the request
            client._loop.run(client.js.delete_stream(NAMES.stream), timeout_s=30)
    finally:
        client.close()
    admin = _as(guarded, cas, "admin")
    try:
        info = admin._loop.run(admin.js.stream_info(NAMES.stream), timeout_s=30)
    finally:
        admin.close()

    assert sequence >= 1
    assert info.state.messages >= 1


def test_a_peer_certificate_reads_the_stream_and_marks_but_cannot_submit(
    guarded: NatsServers, cas: list[CertificateAuthority]
) -> None:
    peer = _as(guarded, cas, "peer")
    try:
        marked = peer._loop.run(peer.publish("cut", b'{"block":null}', "cut-test"), timeout_s=30)
        read = peer._loop.run(peer._read_all(1), timeout_s=30)
        with pytest.raises(nats.errors.TimeoutError):
            peer._loop.run(peer.js.publish(NAMES.subject("tx"), b"forged", timeout=1.0))
    finally:
        peer.close()

    assert marked >= 1
    assert [m.kind for m in read][-1] == "cut"


def test_a_certificate_whose_role_has_no_nats_user_is_refused(
    guarded: NatsServers, cas: list[CertificateAuthority]
) -> None:
    log = guarded.directory / "n1.log"
    seen = len(log.read_bytes())

    with pytest.raises(LedgerError, match="cannot connect to NATS"):
        _as(guarded, cas, "orderer")

    assert "authentication error" in log.read_bytes()[seen:].decode(errors="replace")
