"""Every reader on a small file written here by the format's documentation."""

from __future__ import annotations

import json
import socket
import struct
from pathlib import Path

import pytest

from silkgate.monitor import EVENT_COLUMNS, IngestError, UnknownFormat, detect_format, read_events

ZEEK_TSV = """#separator \\x09
#set_separator\t,
#empty_field\t(empty)
#unset_field\t-
#path\tconn
#open\t2026-03-01-10-00-00
#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\torig_pkts\tresp_pkts
#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tcount
1772359200.000001\tC1\t10.0.0.5\t51000\t8.8.8.8\t53\tudp\tdns\t0.01\t40\t80\tSF\t1\t1
1772359201.5\tC2\t10.0.0.5\t51001\t1.0.1.1\t443\ttcp\t-\t-\t-\t-\tS0\t2\t0
#close\t2026-03-01-11-00-00
"""


def test_zeek_tsv_conn_log(tmp_path: Path) -> None:
    path = tmp_path / "conn.log"
    path.write_text(ZEEK_TSV)

    events = read_events(path)

    assert detect_format(path) == "zeek"
    assert list(events["dst_port"]) == [53.0, 443.0]
    assert events.loc[0, "bytes_in"] == 80
    assert events.loc[0, "service"] == "dns"
    assert events["bytes_out"].isna().tolist() == [False, True]  # '-' is unset
    assert events.loc[1, "state"] == "S0"


def test_zeek_json_with_iso_timestamps(tmp_path: Path) -> None:
    lines = [
        {"ts": "2026-03-01T10:00:00.000000Z", "uid": "C1", "id.orig_h": "10.0.0.5",
         "id.orig_p": 5000, "id.resp_h": "93.184.216.34", "id.resp_p": 80, "proto": "tcp",
         "service": "http", "duration": 1.5, "orig_bytes": 300, "resp_bytes": 9000,
         "conn_state": "SF"},
        {"ts": "2026-03-01T10:00:01.000000Z", "uid": "C2", "id.orig_h": "10.0.0.6",
         "id.orig_p": 5001, "id.resp_h": "93.184.216.34", "id.resp_p": 80, "proto": "tcp"},
    ]  # fmt: skip
    path = tmp_path / "conn.json"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    events = read_events(path)

    assert detect_format(path) == "zeek"
    assert events.loc[0, "ts"] == pytest.approx(1772359200.0)
    assert events.loc[0, "dst_ip"] == "93.184.216.34"
    assert events.loc[0, "duration_s"] == 1.5


def test_suricata_eve_flow_alert_http_dns_fileinfo(tmp_path: Path) -> None:
    base = {"timestamp": "2026-03-01T10:00:00.000000+0000", "src_ip": "10.0.0.5",
            "src_port": 5000, "dest_ip": "1.0.1.1", "dest_port": 80, "proto": "TCP"}  # fmt: skip
    lines = [
        {**base, "event_type": "flow", "app_proto": "http",
         "flow": {"pkts_toserver": 5, "pkts_toclient": 4, "bytes_toserver": 600,
                  "bytes_toclient": 5000, "start": "2026-03-01T10:00:00.000000+0000",
                  "end": "2026-03-01T10:00:02.500000+0000", "state": "closed"}},
        {**base, "event_type": "alert",
         "alert": {"signature_id": 2100498, "signature": "GPL ATTACK_RESPONSE id check",
                   "severity": 2}},
        {**base, "event_type": "http",
         "http": {"hostname": "example.com", "url": "/login", "http_user_agent": "curl/8.0"}},
        {**base, "event_type": "dns", "dns": {"type": "query", "rrname": "example.com"}},
        {**base, "event_type": "fileinfo", "fileinfo": {"filename": "/a.zip", "size": 1024}},
    ]  # fmt: skip
    path = tmp_path / "eve.json"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    events = read_events(path)

    assert detect_format(path) == "eve"
    assert list(events["event_type"]) == ["flow", "alert", "http", "dns", "fileinfo"]
    assert events.loc[0, "bytes_in"] == 5000
    assert events.loc[0, "duration_s"] == pytest.approx(2.5)
    assert events.loc[1, "signature"] == "GPL ATTACK_RESPONSE id check"
    assert events.loc[2, "uri"] == "/login"
    assert events.loc[2, "user_agent"] == "curl/8.0"
    assert events.loc[3, "dns_query"] == "example.com"
    assert events.loc[4, "fileinfo.size"] == 1024


def _v5_packet(flows: list[tuple[str, str, int, int, int, int]]) -> bytes:
    """NetFlow v5 per Cisco's export format: 24-byte header, 48-byte records."""
    header = struct.pack("!HHIIIIBBH", 5, len(flows), 60_000, 1772359200, 0, 1, 0, 0, 0)
    body = b""
    for src, dst, sport, dport, packets, octets in flows:
        body += struct.pack(
            "!4s4s4sHHIIIIHHxBBBHHBBxx",
            socket.inet_aton(src), socket.inet_aton(dst), socket.inet_aton("0.0.0.0"), 1, 2,
            packets, octets, 50_000, 59_000, sport, dport, 0x18, 6, 0, 0, 0, 24, 24,
        )  # fmt: skip
    return header + body


def _v9_packet() -> bytes:
    """NetFlow v9 (RFC 3954): a template flowset (id 0) then a data flowset using it."""
    fields = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 4), (2, 4)]
    template = struct.pack("!HH", 256, len(fields)) + b"".join(
        struct.pack("!HH", *f) for f in fields
    )
    template_set = struct.pack("!HH", 0, 4 + len(template)) + template
    record = (
        socket.inet_aton("10.1.1.1") + socket.inet_aton("203.0.113.9")
        + struct.pack("!HHBII", 40000, 22, 6, 123456, 99)
    )  # fmt: skip
    padding = b"\x00" * ((4 - (4 + len(record)) % 4) % 4)
    data_set = struct.pack("!HH", 256, 4 + len(record) + len(padding)) + record + padding
    header = struct.pack("!HHIIII", 9, 2, 60_000, 1772359200, 1, 0)
    return header + template_set + data_set


def _ipfix_packet() -> bytes:
    """IPFIX (RFC 7011): message header, template set (id 2), data set."""
    fields = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 8), (150, 4)]
    template = struct.pack("!HH", 300, len(fields)) + b"".join(
        struct.pack("!HH", *f) for f in fields
    )
    template_set = struct.pack("!HH", 2, 4 + len(template)) + template
    record = (
        socket.inet_aton("10.2.2.2") + socket.inet_aton("1.0.1.1")
        + struct.pack("!HHBQI", 50000, 443, 6, 77_000, 1772359100)
    )  # fmt: skip
    data_set = struct.pack("!HH", 300, 4 + len(record)) + record
    body = template_set + data_set
    return struct.pack("!HHIII", 10, 16 + len(body), 1772359200, 1, 0) + body


def _pcap(payloads: list[bytes]) -> bytes:
    """libpcap file, Ethernet link type, IPv4/UDP frames to port 2055."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for payload in payloads:
        udp = struct.pack("!HHHH", 40000, 2055, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                         socket.inet_aton("10.9.9.9"), socket.inet_aton("10.9.9.1"))  # fmt: skip
        frame = b"\x00" * 12 + b"\x08\x00" + ip + udp
        out += struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame
    return out


def test_netflow_v5_raw_packets(tmp_path: Path) -> None:
    path = tmp_path / "flows.nf5"
    path.write_bytes(
        _v5_packet([("10.0.0.1", "1.0.1.1", 1234, 443, 10, 5000)])
        + _v5_packet([("10.0.0.2", "8.8.8.8", 1235, 53, 1, 70)])
    )

    events = read_events(path)

    assert detect_format(path) == "netflow"
    assert list(events["dst_ip"]) == ["1.0.1.1", "8.8.8.8"]
    assert events.loc[0, "bytes_out"] == 5000
    assert events.loc[0, "proto"] == "tcp"
    assert events.loc[0, "duration_s"] == pytest.approx(9.0)


def test_netflow_v9_and_ipfix_in_a_pcap(tmp_path: Path) -> None:
    path = tmp_path / "collector.pcap"
    path.write_bytes(
        _pcap([_v9_packet(), _ipfix_packet(), _v5_packet([("10.0.0.3", "1.0.1.1", 1, 2, 3, 4)])])
    )

    events = read_events(path, "netflow")

    assert list(events["netflow_version"]) == [9, 10, 5]
    assert events.loc[0, "dst_ip"] == "203.0.113.9"
    assert events.loc[0, "dst_port"] == 22
    assert events.loc[1, "bytes_out"] == 77_000
    assert events.loc[1, "ts"] == 1772359100


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        pytest.param("a;b;kind\n1;2.5;x\n3;4.5;y\n", ["a", "b", "kind"], id="semicolon"),
        pytest.param("a\tb\tkind\n1\t2.5\tx\n3\t4.5\ty\n", ["a", "b", "kind"], id="tab"),
        pytest.param("1,2.5,x\n3,4.5,y\n", ["col_0", "col_1", "col_2"], id="headerless"),
    ],
)
def test_generic_csv_keeps_its_columns(tmp_path: Path, text: str, columns: list[str]) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(text)

    events = read_events(path)

    assert [c for c in events.columns if c in columns] == columns
    assert len(events) == 2


def test_parquet_with_a_column_mapping(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "flows.parquet"
    pd.DataFrame({"sent": [10, 20], "dst": ["1.0.1.1", "8.8.8.8"]}).to_parquet(path)

    events = read_events(path, mapping={"sent": "bytes_out", "dst": "dst_ip"})

    assert list(events["bytes_out"]) == [10.0, 20.0]
    assert list(events["dst_ip"]) == ["1.0.1.1", "8.8.8.8"]


def test_nslkdd_rows_lose_label_and_level(tmp_path: Path) -> None:
    row = "0,tcp,http,SF,215,45076," + ",".join(["0"] * 35) + ",normal,21"
    path = tmp_path / "kdd.txt"
    path.write_text(row + "\n" + row.replace("normal", "neptune") + "\n")

    events = read_events(path)

    assert events.loc[0, "proto"] == "tcp"
    assert events.loc[0, "src_bytes"] == 215
    assert "attack" not in events.columns
    assert "level" not in events.columns


def test_empty_and_binary_files_are_the_callers_fault(tmp_path: Path) -> None:
    empty, binary = tmp_path / "empty.csv", tmp_path / "blob.bin"
    empty.write_text("")
    binary.write_bytes(b"\x07\x00\x01\x02" * 64)

    with pytest.raises(IngestError, match="empty"):
        read_events(empty)
    with pytest.raises(UnknownFormat):
        read_events(binary)


def test_columns_a_format_lacks_are_empty_and_independent(tmp_path: Path) -> None:
    path = tmp_path / "conn.log"
    path.write_text(ZEEK_TSV)

    events = read_events(path)

    assert list(events.columns[: len(EVENT_COLUMNS)]) == list(EVENT_COLUMNS)
    assert events["source"].tolist() == ["zeek", "zeek"]
    assert events["src_country"].isna().all()
    assert events["src_country"].dtype == object
    assert events["bytes_out"].dtype == "float64"
    # Filling one missing column leaves the others missing (no shared storage).
    events.loc[0, "src_country"] = "SG"
    events.loc[1, "party"] = "acme"
    assert events["dst_country"].isna().all()
    assert events["party"].tolist() == [None, "acme"]
    assert events["src_country"].tolist() == ["SG", None]
