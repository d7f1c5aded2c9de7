"""Links between nodes for SPU and SecretFlow PSI: one brpc link context per task attempt.

The link carries protocol messages between the parties' nodes directly (not through the
scheduler). Parties are ranked in the order the scheduler lists them.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Sequence
from typing import Any


def reserve_port(host: str) -> int:
    """A port free on ``host`` now (the link binds it moments later)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def make_link(session: str, parties: Sequence[str], addresses: Sequence[str], rank: int,
              timeout_s: float) -> Any:  # fmt: skip
    """Open the brpc link of ``session`` as ``rank``; waits for the peers up to ``timeout_s``."""
    import spu.libspu as libspu

    desc = libspu.link.Desc()
    desc.id = session
    desc.recv_timeout_ms = int(timeout_s * 1000)
    desc.http_timeout_ms = int(timeout_s * 1000)
    desc.connect_retry_times = max(int(timeout_s / 0.5), 10)
    desc.connect_retry_interval_ms = 500
    desc.throttle_window_size = 0
    desc.brpc_channel_protocol = "baidu_std"
    for party, address in zip(parties, addresses, strict=True):
        desc.add_party(party, address)
    return libspu.link.create_brpc(desc, rank)


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
