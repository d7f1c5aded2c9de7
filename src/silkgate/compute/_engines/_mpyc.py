"""`secure_stats` for four or more parties, by MPyC (Shamir secret sharing, honest majority).

SPU's protocols serve two parties (SEMI2K) and three (ABY3), no more; MPyC serves the rest,
and only those. Its runtime runs in the node's step process (`Isolated`: a dead peer ends
the step at its time limit, not the node) and connects the parties directly over TCP, the
addresses coming from ``link.prepare``; party ``i`` listens, parties ``j < i`` connect, over
mutual TLS with the session's certificates (MPyC's ``--ssl``, see `_start_runtime`).
With ``m`` parties MPyC is secure against ``t = ⌊(m−1)/2⌋`` semi-honest colluders.

The data is split by rows: each party holds some rows of one column. So each node first
reduces its own column to aggregates: row count, sum, sum of squares and histogram counts,
as integers (a float x as round(x·2⁴⁰)). The parties open their row counts (the SPU path
reveals them too), secret-share the aggregates over a prime field wide enough for every
intermediate value, add them, and form ``n·Σx² − (Σx)²`` with one secure multiplication.
The receivers alone open ``Σx`` (sum, mean), ``n·Σx² − (Σx)²`` (variance) and the
histogram, and divide by the public ``n`` in exact integer arithmetic. Opening ``Σx`` for a
mean reveals nothing more (``Σx = n·mean`` and ``n`` is known), and so for the variance.

Why not MPyC's fixed-point division: with ``secfxp(64, 16)`` the mean of 2¹⁷ or more values
silently comes out 0, since ``1/n`` is below the 16 fraction bits; dividing the opened
integers by the count has no such floor. Precision: integer columns are exact; floats are
off by the 2⁻⁴¹ rounding of each value (sum: at most n·2⁻⁴¹; mean: 2⁻⁴¹), then one float64
rounding. Floats must lie within ±2⁴⁷ (refused otherwise).

Nothing a peer sends is unpickled: secure integers (not arrays) travel as field elements
(MPyC's ``to_bytes``), and the step uses no ``mpc.transfer``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from silkgate.compute._engines._base import Json, StepContext
from silkgate.compute._engines._link import LinkTls
from silkgate.compute._engines._mpc import StatsParams, read_column
from silkgate.compute._errors import TaskFailed
from silkgate.domain import InvalidInput

FRACTION_BITS = 40
FLOAT_LIMIT = 2.0**47
_INT_BITS = 64  # |x| < 2⁶³ for int64 values
_FLOAT_BITS = 88  # |round(x·2⁴⁰)| < 2⁸⁷ for |x| < 2⁴⁷
_COUNT_BITS = 64
PROTOCOL = "MPyC"


@dataclass(frozen=True, slots=True)
class Aggregates:
    """One party's reduction of its own column: what it secret-shares."""

    rows: int
    total: int
    squares: int
    histogram: list[int]


def run_at_node(ctx: StepContext, args: Json) -> Json:
    """``stats.mpyc``: this node's part of an MPyC computation of the task's statistics."""
    params = StatsParams.model_validate(ctx.task.params)
    parties: list[str] = list(args["parties"])
    rank = int(args["rank"])
    values = read_column(ctx)
    _check_encodable(values)  # before joining: a party that leaves stalls the others
    receivers = [parties.index(r) for r in ctx.task.receivers]
    ctx.log.info("stats %s rank %d of %s by MPyC", ctx.task.id, rank, parties)
    tls = LinkTls.for_step(ctx.workdir.parent, ctx.session, args.get("certificates", []), rank)
    timeout_s = 0.8 * ctx.task.limits.time_s
    try:
        mpc = _start_runtime(args["addresses"], rank, _tls_files(tls, ctx.workdir, rank))
        rows, floats, opened = mpc.run(
            asyncio.wait_for(_protocol(mpc, values, params, receivers), timeout=timeout_s)
        )
    except TimeoutError:
        raise TaskFailed(
            f"MPyC parties did not finish within {timeout_s:g} s; a peer may have left"
        ) from None
    finally:
        tls.discard()
    if rank not in receivers:
        return {"received": False}
    statistics = _statistics(params, parties, rows, opened, floats=floats)
    return {"received": True, "statistics": statistics, "protocol": PROTOCOL}


def local_aggregates(values: np.ndarray[Any, Any], *, fraction_bits: int,
                     bins: Sequence[float] | None) -> Aggregates:  # fmt: skip
    """Row count, Σx, Σx² and bin counts of one party's values, x as round(x·2^fraction_bits)."""
    if fraction_bits:
        floats = values.astype(np.float64)
        _check_encodable(floats)
        encoded = [int(v) for v in np.rint(np.ldexp(floats, fraction_bits)).tolist()]
    else:
        encoded = [int(v) for v in values.tolist()]
    histogram = [] if bins is None else [int(c) for c in np.histogram(values, bins=bins)[0]]
    return Aggregates(
        rows=len(encoded),
        total=sum(encoded),
        squares=sum(v * v for v in encoded),
        histogram=histogram,
    )


def _check_encodable(values: np.ndarray[Any, Any]) -> None:
    if values.dtype.kind == "f" and not np.all(np.abs(values) < FLOAT_LIMIT):
        raise InvalidInput(
            f"secure_stats encodes floats with {FRACTION_BITS} fraction bits; values must lie"
            " within ±2**47",
            field="inputs.columns",
        )


def _tls_files(tls: LinkTls, workdir: Path, rank: int) -> Path:
    """The files MPyC's ``--ssl`` reads, under ``.config/`` of the directory it runs in."""
    config = workdir / "mpyc" / ".config"
    config.mkdir(parents=True, mode=0o700)
    shutil.copyfile(tls.certificate_path, config / f"party_{rank}.crt")
    shutil.copyfile(tls.key_path, config / f"party_{rank}.key")
    shutil.copyfile(tls.trusted_path(), config / "mpyc_ca.crt")
    return config.parent


def _start_runtime(addresses: Sequence[str], rank: int, tls_home: Path) -> Any:
    """MPyC's runtime for this party over mutual TLS.

    MPyC reads its parties and options from ``sys.argv`` on import, and its TLS files from
    ``.config/`` under the working directory (``tls_home``: the step process is this step's
    own, so changing its directory disturbs nothing else). Each party trusts only the
    session's certificates (`_link.LinkTls`) and checks that its peer of rank ``j`` holds
    the one naming ``MPyC party j``.
    """
    if "mpyc" in sys.modules:
        raise RuntimeError("MPyC sets up one runtime per process; run this step in its own")
    os.chdir(tls_home)
    argv = sys.argv
    sys.argv = ["silkgate-mpyc", *[a for address in addresses for a in ("-P", address)],
                "-I", str(rank), "--ssl"]  # fmt: skip
    try:
        from mpyc.runtime import mpc
    finally:
        sys.argv = argv
    return mpc


async def _protocol(mpc: Any, values: np.ndarray[Any, Any], params: StatsParams,
                    receivers: list[int]) -> tuple[list[int], bool, list[int | None]]:  # fmt: skip
    """Open the row counts (and whether any column is float) to all, then the requested
    aggregates to the receivers only."""
    await mpc.start()
    small = mpc.SecInt(_COUNT_BITS)
    header = mpc.input([small(len(values)), small(int(values.dtype.kind == "f"))])
    opened_header = await mpc.output([x for pair in header for x in pair])
    rows = [int(r) for r in opened_header[0::2]]
    floats = any(int(f) for f in opened_header[1::2])
    fraction_bits = FRACTION_BITS if floats else 0
    bins = params.bins if "histogram" in params.statistics else None
    mine = local_aggregates(values, fraction_bits=fraction_bits, bins=bins)
    n = sum(rows)
    value_bits = _FLOAT_BITS if floats else _INT_BITS
    secint = mpc.SecInt(2 * value_bits + 2 * max(n.bit_length(), 1) + 2)
    wanted = set(params.statistics)
    first_order = bool(wanted & {"sum", "mean", "variance"})
    vector = (
        ([mine.total] if first_order else [])
        + ([mine.squares] if "variance" in wanted else [])
        + mine.histogram
    )
    opened: list[int | None] = []
    if vector:
        shared = mpc.input([secint(v) for v in vector])
        sums = [mpc.sum([party[i] for party in shared]) for i in range(len(vector))]
        outputs = []
        if first_order:
            total = sums[0]
            if wanted & {"sum", "mean"}:
                outputs.append(total)
            if "variance" in wanted:
                outputs.append(n * sums[1] - total * total)
        outputs.extend(sums[len(vector) - len(mine.histogram) :])
        opened = list(await mpc.output(outputs, receivers=receivers))
    await mpc.shutdown()
    return rows, floats, opened


def _statistics(params: StatsParams, parties: Sequence[str], rows: list[int],
                opened: list[int | None], *, floats: bool) -> Json:  # fmt: skip
    """The receivers' results from the opened integers, divided by the public count."""
    n = sum(rows)
    wanted = set(params.statistics)
    scale = FRACTION_BITS if floats else 0
    values = [int(v) for v in opened if v is not None]
    statistics: Json = {"count": n, "rows_by_party": dict(zip(parties, rows, strict=True))}
    at = 0
    if wanted & {"sum", "mean"}:
        total = values[at]
        at += 1
        if "sum" in wanted:
            statistics["sum"] = total if scale == 0 else total / (1 << scale)
        if "mean" in wanted:
            statistics["mean"] = total / (n << scale) if n else None
    if "variance" in wanted:
        spread = values[at]
        at += 1
        statistics["variance"] = spread / ((n * n) << (2 * scale)) if n else None
    if "histogram" in wanted:
        statistics["histogram"] = values[at:]
    return statistics
