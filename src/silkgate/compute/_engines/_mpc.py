"""`secure_stats`: sum, mean, variance and histogram over columns held by different parties.

Each party's node secret-shares its column between the nodes and SPU evaluates the
statistics on the shares; the result shares go to the receivers' nodes only, which
reconstruct them. Two parties run SEMI2K (semi-honest; its Beaver triples come from a
trusted first party, rank 0), three run ABY3 (semi-honest, honest majority). More than
three parties are beyond SPU's protocols: MPyC serves them, and only them (`_mpyc`).
Integer columns give exact sums (ring arithmetic modulo 2¹²⁸); means and variances are
fixed point with 40 fraction bits. What is revealed: the requested statistics and the
parties' row counts.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from silkgate.compute._engines._base import Cluster, Isolated, Json, Operation, StepContext
from silkgate.compute._engines._link import make_link, pack, unpack
from silkgate.compute._spec import TaskSpec

Statistic = Literal["count", "sum", "mean", "variance", "histogram"]
FRACTION_BITS = 40
SPU_MAX_PARTIES = 3  # SEMI2K serves two, ABY3 three; MPyC the rest


class StatsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statistics: list[Statistic] = Field(default_factory=lambda: ["sum", "mean", "variance"])  # type: ignore[arg-type]
    bins: list[float] | None = Field(None, description="histogram edges, increasing")


class MpcEngine:
    kind: Final = "secure_stats"

    def check(self, task: TaskSpec) -> None:
        params = StatsParams.model_validate(task.params)
        parties = [i.party for i in task.inputs]
        if len(parties) < 2 or len(set(parties)) != len(parties):
            raise ValueError("secure_stats takes one input from each of two or more parties")
        if any(len(i.columns) != 1 for i in task.inputs):
            raise ValueError("secure_stats reads one numeric column per input")
        if not set(task.receivers) <= set(parties):
            raise ValueError("secure_stats receivers must be input parties")
        if "histogram" in params.statistics:
            bins = params.bins or []
            if len(bins) < 2 or any(a >= b for a, b in itertools.pairwise(bins)):
                raise ValueError("histogram needs bins: at least two increasing edges")

    def operations(self) -> Mapping[str, Operation]:
        from silkgate.compute._engines._mpyc import run_at_node as run_mpyc_at_node

        return {"stats.run": Isolated(_run_at_node), "stats.mpyc": Isolated(run_mpyc_at_node)}

    def run(self, task: TaskSpec, cluster: Cluster) -> Json:
        parties = [i.party for i in task.inputs]
        op = "stats.run" if len(parties) <= SPU_MAX_PARTIES else "stats.mpyc"
        tls = op == "stats.mpyc"  # see _link: brpc over TLS is not usable in spu 0.9.5
        links = cluster.call_all(
            [(p, "link.prepare", {"rank": rank, "tls": tls}) for rank, p in enumerate(parties)]
        )
        addresses = [link["address"] for link in links]
        step: Json = {"parties": parties, "addresses": addresses}
        if tls:
            step["certificates"] = [link["certificate"] for link in links]
        answers = cluster.call_all(
            [(p, op, step | {"rank": rank}) for rank, p in enumerate(parties)]
        )
        delivered = next(a for a in answers if a.get("received"))
        statistics: Json = delivered["statistics"]
        return statistics | {"protocol": delivered["protocol"]}


def read_column(ctx: StepContext) -> np.ndarray[Any, Any]:
    (item,) = ctx.task.inputs_of(ctx.party)
    series = ctx.source.read(item.dataset, item.columns)[item.columns[0]].dropna()
    ctx.meter.add_rows(len(series))
    values = series.to_numpy()
    if values.dtype.kind in "iub":
        return values.astype(np.int64)
    return values.astype(np.float64)


def _run_at_node(ctx: StepContext, args: Json) -> Json:
    import json

    import jax
    import spu
    import spu.libspu as libspu
    from spu.utils import frontend

    jax.config.update("jax_enable_x64", True)  # type: ignore[no-untyped-call]  # int64/float64 inputs as they are, not 32-bit

    params = StatsParams.model_validate(ctx.task.params)
    parties: list[str] = list(args["parties"])
    rank, world = int(args["rank"]), len(parties)
    values = read_column(ctx)
    link = make_link(
        f"{ctx.session}-spu", parties, args["addresses"], rank, 0.8 * ctx.task.limits.time_s
    )
    ctx.log.info("stats %s rank %d of %s", ctx.task.id, rank, parties)
    try:
        shapes = [
            json.loads(s) for s in link.all_gather(json.dumps([len(values), values.dtype.kind]))
        ]
        integer = all(kind == "i" for _n, kind in shapes)
        values = values.astype(np.int64 if integer else np.float64)
        protocol = libspu.ProtocolKind.ABY3 if world == 3 else libspu.ProtocolKind.SEMI2K
        config = libspu.RuntimeConfig(protocol=protocol, field=libspu.FieldType.FM128)
        config.fxp_fraction_bits = FRACTION_BITS
        io = spu.Io(world, config)
        shares = io.make_shares(values, libspu.Visibility.VIS_SECRET)
        for peer in range(world):
            if peer != rank:
                link.send_async(peer, _pack_share(shares[peer]))
        mine = [shares[rank] if peer == rank else _unpack_share(libspu, link.recv(peer))
                for peer in range(world)]  # fmt: skip
        dtype = np.int64 if integer else np.float64
        examples = [np.zeros(n, dtype=dtype) for n, _kind in shapes]
        names = [f"x{peer}" for peer in range(world)]
        wanted = [s for s in params.statistics if s != "count"]
        function = _statistics(wanted, params.bins)
        executable, _ = frontend.compile(
            frontend.Kind.JAX, function, examples, {}, names,
            [libspu.Visibility.VIS_SECRET] * world,
            lambda outputs: [f"out{i}" for i in range(len(outputs))],
        )  # fmt: skip
        runtime = spu.Runtime(link, config)
        for name, share in zip(names, mine, strict=True):
            runtime.set_var(name, share)
        runtime.run(executable)
        outputs = [runtime.get_var(name) for name in executable.output_names]
        receivers = [parties.index(r) for r in ctx.task.receivers]
        own = pack([_pack_share(s) for s in outputs])
        for receiver in receivers:
            if receiver != rank:
                link.send_async(receiver, own)
        if rank not in receivers:
            link.barrier()
            return {"received": False}
        gathered = [own if peer == rank else bytes(link.recv(peer)) for peer in range(world)]
        link.barrier()
    finally:
        link.stop_link()
    per_party = [[_unpack_share(libspu, s) for s in unpack(g)] for g in gathered]
    revealed = [io.reconstruct([per_party[p][i] for p in range(world)])
                for i in range(len(outputs))]  # fmt: skip
    total_rows = sum(n for n, _kind in shapes)
    statistics: Json = {
        "count": total_rows,
        "rows_by_party": dict(zip(parties, [n for n, _ in shapes], strict=True)),
    }
    for name, value in zip(wanted, revealed, strict=True):
        if name == "sum":
            statistics["sum"] = int(value) if integer else float(value)
        elif name == "histogram":
            statistics["histogram"] = [int(v) for v in np.asarray(value).tolist()]
        else:
            statistics[name] = float(value)
    return {"received": True, "statistics": statistics,
            "protocol": "ABY3" if world == 3 else "SEMI2K"}  # fmt: skip


def _statistics(wanted: Sequence[str], bins: list[float] | None) -> Any:
    import jax.numpy as jnp

    def compute(*columns: Any) -> tuple[Any, ...]:
        x = jnp.concatenate(columns)
        n = x.shape[0]
        total = jnp.sum(x)
        mean = total.astype(jnp.float64) / n if "mean" in wanted or "variance" in wanted else None
        out: list[Any] = []
        for name in wanted:
            if name == "sum":
                out.append(total)
            elif name == "mean":
                out.append(mean)
            elif name == "variance":
                centred = x.astype(jnp.float64) - mean
                out.append(jnp.sum(centred * centred) / n)
            elif name == "histogram":
                edges = list(bins or [])
                counts = [
                    jnp.sum(
                        ((x >= lo) & (x < hi if i < len(edges) - 2 else x <= hi)).astype(jnp.int64)
                    )
                    for i, (lo, hi) in enumerate(itertools.pairwise(edges))
                ]
                out.append(jnp.stack(counts))
        return tuple(out)

    return compute


def _pack_share(share: Any) -> bytes:
    return pack([bytes(share.meta), *[bytes(c) for c in share.share_chunks]])


def _unpack_share(libspu: Any, data: bytes) -> Any:
    parts = unpack(bytes(data))
    share = libspu.Share()
    share.meta = parts[0]
    share.share_chunks = parts[1:]
    return share
