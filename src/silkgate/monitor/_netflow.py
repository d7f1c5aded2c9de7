"""NetFlow v5, v9 and IPFIX export packets, decoded by the ``netflow`` library.

Input is a libpcap capture of the exporter's UDP datagrams (what ``tcpdump -w`` writes on
a collector port), or a file of raw export packets back to back (v5 and IPFIX only: their
headers give each packet's length; v9 headers do not). Templates of v9 and IPFIX are kept
across packets, as a collector must (RFC 3954 §9, RFC 7011 §8).
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterator
from pathlib import Path

import netflow
import numpy as np
import pandas as pd

from silkgate.monitor._errors import IngestError
from silkgate.monitor._schema import events_frame

_PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
               b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}  # fmt: skip
_PROTOCOLS = {1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 58: "icmp6", 132: "sctp"}

_V5_V9 = {
    "IPV4_SRC_ADDR": "src_ip", "IPV4_DST_ADDR": "dst_ip", "IPV6_SRC_ADDR": "src_ip",
    "IPV6_DST_ADDR": "dst_ip", "SRC_PORT": "src_port", "DST_PORT": "dst_port",
    "L4_SRC_PORT": "src_port", "L4_DST_PORT": "dst_port", "IN_OCTETS": "bytes_out",
    "IN_BYTES": "bytes_out", "IN_PACKETS": "packets_out", "IN_PKTS": "packets_out",
    "OUT_BYTES": "bytes_in", "OUT_PKTS": "packets_in", "PROTO": "proto", "PROTOCOL": "proto",
    "TCP_FLAGS": "tcp_flags", "TOS": "tos", "SRC_TOS": "tos",
}  # fmt: skip
_IPFIX = {
    "sourceIPv4Address": "src_ip", "destinationIPv4Address": "dst_ip",
    "sourceIPv6Address": "src_ip", "destinationIPv6Address": "dst_ip",
    "sourceTransportPort": "src_port", "destinationTransportPort": "dst_port",
    "octetDeltaCount": "bytes_out", "packetDeltaCount": "packets_out",
    "protocolIdentifier": "proto", "tcpControlBits": "tcp_flags", "ipClassOfService": "tos",
    "applicationName": "app",
}  # fmt: skip


def is_netflow(head: bytes) -> bool:
    if head[:4] in _PCAP_MAGIC:
        return True
    return len(head) >= 2 and struct.unpack("!H", head[:2])[0] in (5, 10) and b"\n" not in head[:24]


def _pcap_payloads(data: bytes, path: Path) -> Iterator[bytes]:
    order = _PCAP_MAGIC[data[:4]]
    link = struct.unpack(order + "I", data[20:24])[0]
    offset = 24
    while offset + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[offset + 8 : offset + 12])[0]
        frame = data[offset + 16 : offset + 16 + caplen]
        offset += 16 + caplen
        if link == 1:  # Ethernet, optionally one 802.1Q tag
            ethertype, start = struct.unpack("!H", frame[12:14])[0], 14
            if ethertype == 0x8100:
                ethertype, start = struct.unpack("!H", frame[16:18])[0], 18
        elif link == 113:  # Linux cooked capture
            ethertype, start = struct.unpack("!H", frame[14:16])[0], 16
        elif link in (101, 228):  # raw IP
            ethertype, start = (0x86DD if frame[0] >> 4 == 6 else 0x0800), 0
        else:
            raise IngestError(f"{path}: pcap link type {link} is not Ethernet, SLL or raw IP")
        if ethertype == 0x0800:
            header_len, protocol = (frame[start] & 0x0F) * 4, frame[start + 9]
        elif ethertype == 0x86DD:
            header_len, protocol = 40, frame[start + 6]
        else:
            continue
        if protocol == 17:
            yield frame[start + header_len + 8 :]


def _raw_payloads(data: bytes, path: Path) -> Iterator[bytes]:
    offset = 0
    while offset + 4 <= len(data):
        version, field = struct.unpack("!HH", data[offset : offset + 4])
        if version == 5:
            length = 24 + 48 * field
        elif version == 10:
            length = field
        else:
            raise IngestError(
                f"{path}: at byte {offset}, version {version}: raw packet files hold NetFlow v5 "
                "or IPFIX; capture v9 as pcap"
            )
        yield data[offset : offset + length]
        offset += length


def _ip(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return str(ipaddress.ip_address(value))
    return str(value)


def read_netflow(path: Path) -> pd.DataFrame:
    """Decode every flow record of a pcap or raw-packet file into the event schema."""
    data = path.read_bytes()
    payloads = _pcap_payloads(data, path) if data[:4] in _PCAP_MAGIC else _raw_payloads(data, path)
    templates: dict[str, dict[int, object]] = {"netflow": {}, "ipfix": {}}
    rows: list[dict[str, object]] = []
    for payload in payloads:
        try:
            packet = netflow.parse_packet(payload, templates)
        except Exception as exc:  # the library raises many kinds for malformed packets
            raise IngestError(f"{path}: not a NetFlow/IPFIX packet ({exc})") from None
        version = packet.header.version
        stamp = float(getattr(packet.header, "timestamp", 0) or 0)
        uptime_ms = float(getattr(packet.header, "uptime", 0) or 0)
        names = _IPFIX if version == 10 else _V5_V9
        for flow in packet.flows:
            record: dict[str, object] = {"netflow_version": version}
            for key, value in flow.data.items():
                record[names.get(key, key)] = value
            first, last = flow.data.get("FIRST_SWITCHED"), flow.data.get("LAST_SWITCHED")
            if isinstance(first, int) and isinstance(last, int):
                record["duration_s"] = (last - first) / 1000.0
                record["ts"] = stamp - (uptime_ms - first) / 1000.0
            elif "flowStartSeconds" in flow.data:
                record["ts"] = float(flow.data["flowStartSeconds"])
                if "flowEndSeconds" in flow.data:
                    end = float(flow.data["flowEndSeconds"])
                    record["duration_s"] = end - float(flow.data["flowStartSeconds"])
            else:
                record["ts"] = stamp
            rows.append(record)
    if not rows:
        raise IngestError(f"{path}: no NetFlow/IPFIX flow records found")
    raw = pd.DataFrame.from_records(rows)
    for name in ("src_ip", "dst_ip"):
        if name in raw:
            raw[name] = [_ip(v) for v in raw[name]]
    if "proto" in raw:
        raw["proto"] = [_PROTOCOLS.get(int(p), str(p)) if p == p else None for p in raw["proto"]]
    drop = [c for c in raw.columns if c in ("FIRST_SWITCHED", "LAST_SWITCHED", "NEXT_HOP")]
    raw = raw.drop(columns=drop)
    columns = {name: raw[name].to_numpy() for name in raw.columns}
    frame = events_frame(columns, source="netflow", rows=len(raw))
    frame["netflow_version"] = frame["netflow_version"].astype(np.int64)
    return frame
