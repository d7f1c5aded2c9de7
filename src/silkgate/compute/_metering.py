"""Metering: what each party's node spent on each task, for billing and audit."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import Field

from silkgate.domain import DomainModel


class Metering(DomainModel):
    """Resources one party's node spent on one task (all attempts summed by the scheduler).

    ``bytes_exchanged`` counts the signed requests and responses between scheduler and node;
    ``io_bytes`` is what the node process read and wrote through the OS meanwhile (sockets
    and files, so it includes engine traffic between nodes over their links).
    """

    party: str
    cpu_s: float = Field(0.0, ge=0)
    wall_s: float = Field(0.0, ge=0)
    bytes_exchanged: int = Field(0, ge=0)
    io_bytes: int = Field(0, ge=0)
    rows: int = Field(0, ge=0)
    steps: int = Field(0, ge=0)

    def plus(self, other: Metering) -> Metering:
        return Metering(
            party=self.party,
            cpu_s=round(self.cpu_s + other.cpu_s, 6),
            wall_s=round(self.wall_s + other.wall_s, 6),
            bytes_exchanged=self.bytes_exchanged + other.bytes_exchanged,
            io_bytes=self.io_bytes + other.io_bytes,
            rows=self.rows + other.rows,
            steps=self.steps + other.steps,
        )


class Meter:
    """Measures one step inside a node: process CPU, wall time, OS I/O bytes, rows read.

    ``whole_process`` counts CPU and I/O from the start of the process (a step's child
    process, whose start-up is part of the step); ``add_child`` adds such a child's figures.
    """

    def __init__(self, party: str, *, whole_process: bool = False) -> None:
        self.party = party
        self.rows = 0
        self._cpu = 0.0 if whole_process else time.process_time()
        self._wall = time.perf_counter()
        self._io = 0 if whole_process else _io_bytes()
        self._child_cpu = 0.0
        self._child_io = 0

    def add_rows(self, rows: int) -> None:
        self.rows += rows

    def add_child(self, cpu_s: float, io_bytes: int) -> None:
        """Count what a child process of the node spent on the step (see `_isolation`)."""
        self._child_cpu += max(cpu_s, 0.0)
        self._child_io += max(io_bytes, 0)

    def finish(self, bytes_exchanged: int) -> Metering:
        return Metering(
            party=self.party,
            cpu_s=round(time.process_time() - self._cpu + self._child_cpu, 6),
            wall_s=round(time.perf_counter() - self._wall, 6),
            bytes_exchanged=bytes_exchanged,
            io_bytes=max(_io_bytes() - self._io, 0) + self._child_io,
            rows=self.rows,
            steps=1,
        )


def _io_bytes() -> int:
    try:
        fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
        return int(fields["rchar"]) + int(fields["wchar"])
    except (OSError, KeyError, ValueError):
        return 0
