"""`psi`: private set intersection between two parties' nodes, by SecretFlow PSI (spu 0.9.5).

Guarantee: each party learns only the intersection (or only its size, with
``output: cardinality``) of the two key sets, and the receivers alone get it; semi-honest
parties (RR22 in its default mode, KKRT, ECDH). Protocols: ``rr22`` (default), ``kkrt``,
``ecdh`` with ``curve`` ``25519`` | ``fourq`` | ``sm2``; ``ub`` runs unbalanced PSI
(``ub_psi_execute``, ECDH-OPRF) for a small client set against a large server set, the
server named by the role ``server``. The server's node does the offline step
(``psi.ub_offline``, a step process of its own) once per version of its key set: it
evaluates the OPRF on every key under a secret key of its own and keeps both in its state
directory. Each task's ``psi.run`` then transfers that cache to the client and runs the
online step for the client's keys, so only the client learns the intersection.

``keep: true`` holds the intersection at both input nodes instead of releasing it: each
node writes it to its state directory under the task id once every node has finished
(``psi.keep``), the receivers get only its size, and a later ``dp_query`` at either node
may restrict its rows to it (``within``, see `_dp`). Both input nodes then see the
intersection (as with two receivers); it never reaches the scheduler or a receiver.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import operator
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

from silkgate.compute._engines._base import Cluster, Isolated, Json, Operation, StepContext
from silkgate.compute._engines._link import make_link, reserve_port
from silkgate.compute._errors import TaskFailed, TaskRefused
from silkgate.compute._spec import TaskSpec
from silkgate.domain import InvalidInput

KEPT_DIR = "psi-kept"  # under the node's state directory
UB_CACHE_DIR = "ub-psi"
_SESSION = re.compile(r"^[a-z0-9][a-z0-9_-]{0,127}$")


class PsiParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    protocol: Literal["rr22", "kkrt", "ecdh", "ub"] = "rr22"
    curve: Literal["25519", "fourq", "sm2"] = "fourq"
    output: Literal["intersection", "cardinality"] = "intersection"
    keys_unique: bool = False
    keep: bool = False


class PsiEngine:
    kind: Final = "psi"

    def check(self, task: TaskSpec) -> None:
        params = PsiParams.model_validate(task.params)
        parties = [i.party for i in task.inputs]
        if len(parties) != 2 or len(set(parties)) != 2:
            raise ValueError("psi takes exactly two inputs held by two different parties")
        widths = {len(i.columns) for i in task.inputs}
        if len(widths) != 1:
            raise ValueError("psi inputs must name the same number of key columns")
        if not set(task.receivers) <= set(parties):
            raise ValueError("psi receivers must be the two input parties")
        if params.protocol == "ub":
            servers = [p for p, r in task.roles.items() if r == "server"]
            if len(servers) != 1 or servers[0] not in parties:
                raise ValueError("ub psi needs roles: {PARTY: 'server'} naming one input party")
            if task.receivers != tuple(p for p in parties if p != servers[0]):
                raise ValueError("ub psi delivers the intersection to the client party only")
        if params.keep:
            if params.output != "cardinality":
                raise ValueError(
                    "keep holds the intersection at the input nodes and releases only its"
                    " size: set output to cardinality"
                )
            if params.protocol == "ub":
                raise ValueError("keep is not available with ub psi (only its client learns)")
            if any(len(i.columns) != 1 for i in task.inputs):
                raise ValueError("keep takes one key column per input")

    def operations(self) -> Mapping[str, Operation]:
        return {
            "psi.run": Isolated(_run_at_node),
            "psi.ub_offline": Isolated(_ub_offline),
            "psi.keep": _keep,
        }

    def run(self, task: TaskSpec, cluster: Cluster) -> Json:
        parties = [i.party for i in task.inputs]
        if PsiParams.model_validate(task.params).protocol == "ub":
            server = next(p for p, r in task.roles.items() if r == "server")
            parties.sort(key=lambda p: p != server)  # rank 0 serves, rank 1 is the client
            cluster.call(server, "psi.ub_offline", {})
        links = cluster.call_all([(p, "link.prepare", {}) for p in parties])
        addresses = [link["address"] for link in links]
        answers = cluster.call_all(
            [(p, "psi.run", {"parties": parties, "addresses": addresses, "rank": rank})
             for rank, p in enumerate(parties)]
        )  # fmt: skip
        delivered = [a for a in answers if a.get("received")]
        first = delivered[0]
        result: Json = {"count": first["count"], "receivers": list(task.receivers)}
        if "intersection" in first:
            result["intersection"] = first["intersection"]
        params = PsiParams.model_validate(task.params)
        result["protocol"] = params.protocol
        if params.keep:
            cluster.call_all([(p, "psi.keep", {}) for p in parties])
            result["kept_at"] = sorted(parties)
        return result


def _run_at_node(ctx: StepContext, args: Json) -> Json:
    import spu.psi as psi

    task = ctx.task
    params = PsiParams.model_validate(task.params)
    parties: list[str] = list(args["parties"])
    rank = int(args["rank"])
    (item,) = task.inputs_of(ctx.party)
    columns = list(item.columns)
    source = _keys_file(ctx, item.dataset, item.columns)
    output = ctx.workdir / "intersection.csv"
    receivers = [parties.index(r) for r in task.receivers]
    is_receiver = rank in receivers
    server_cache = None
    if params.protocol == "ub":  # its reports count the cache, not the rows read here
        ctx.meter.add_rows(ctx.source.describe(item.dataset).rows)
    if params.protocol == "ub" and rank == 0:
        server_cache = _cache_of(ctx, item.dataset, source, columns)
        if not (server_cache / "ready").is_file():
            raise TaskFailed(f"no offline ub-psi cache of {item.dataset!r}: psi.ub_offline first")
    started = time.perf_counter()
    link = make_link(
        f"{ctx.session}-psi", parties, args["addresses"], rank, 0.8 * task.limits.time_s
    )
    ctx.log.info("psi %s rank %d of %s (%s): link formed in %.3f s", task.id, rank, parties,
                 params.protocol, time.perf_counter() - started)  # fmt: skip
    started = time.perf_counter()
    try:
        if params.protocol == "ub":
            _run_ub(psi, link, rank, source, columns, output, server_cache or ctx.workdir)
        else:
            config = psi.PsiExecuteConfig(
                protocol_conf=psi.PsiProtocolConfig(
                    protocol=_protocol(psi, params.protocol),
                    receiver_rank=receivers[0],
                    broadcast_result=len(receivers) == 2 or params.keep,
                    ecdh_params=psi.EcdhParams(curve=_curve(psi, params.curve)),
                ),
                input_params=psi.InputParams(
                    path=str(source), selected_keys=columns, keys_unique=params.keys_unique
                ),
                output_params=psi.OutputParams(path=str(output), disable_alignment=True),
            )
            report = psi.psi_execute(config, link)
            ctx.meter.add_rows(int(report.original_count))
    finally:
        link.stop_link()
    ctx.log.info("psi %s: protocol ran in %.3f s", task.id, time.perf_counter() - started)
    if params.keep:
        _hold(ctx, item.dataset, columns, _read_keys(output, columns))
    if not is_receiver:
        return {"received": False}
    started = time.perf_counter()
    keys = _read_keys(output, columns)
    ctx.log.info("psi %s: %d keys read in %.3f s", task.id, len(keys),
                 time.perf_counter() - started)  # fmt: skip
    answer: Json = {"received": True, "count": len(keys)}
    if params.output == "intersection":
        answer["intersection"] = keys
    return answer


def _run_ub(psi: Any, link: Any, rank: int, source: Path, columns: list[str], output: Path,
            holder: Path) -> None:  # fmt: skip
    """Transfer the server's cache to the client, then run the online step on the client's keys.

    ``holder`` holds ``cache/`` (and, at the server, ``secret.key``).
    """
    role = psi.UbPsiRole.ROLE_SERVER if rank == 0 else psi.UbPsiRole.ROLE_CLIENT
    for mode in (psi.UbPsiMode.MODE_OFFLINE_TRANSFER_CACHE, psi.UbPsiMode.MODE_ONLINE):
        config = psi.UbPsiExecuteConfig(
            mode=mode,
            role=role,
            server_receive_result=False,
            client_receive_result=True,
            cache_path=str(holder / "cache"),
            input_params=psi.InputParams(path=str(source), selected_keys=columns),
            output_params=psi.OutputParams(path=str(output), disable_alignment=True),
            server_params=psi.UbPsiServerParams(
                secret_key_path=str(holder / "secret.key") if rank == 0 else ""
            ),
        )
        psi.ub_psi_execute(config, link)


def _keys_file(ctx: StepContext, dataset: str, columns: tuple[str, ...]) -> Path:
    """The dataset as a CSV spu reads: its own file, else its key columns written out.

    The caller meters the rows read (from spu's report where it has one: counting them
    first would be another pass over the file before the link opens).
    """
    source = ctx.source.csv_path(dataset)
    if source is None:
        source = ctx.workdir / "keys.csv"
        ctx.source.read(dataset, columns).astype(str).to_csv(source, index=False)
    return source


def _cache_of(ctx: StepContext, dataset: str, source: Path, columns: list[str]) -> Path:
    """Where the ub-PSI server keeps the offline cache of this version of its key set.

    In the node's state directory, one per dataset, named by a digest of the key file and
    columns; it holds ``cache/`` and the OPRF's ``secret.key``.
    """
    digest = hashlib.sha256(json.dumps(columns).encode())
    with source.open("rb") as keys:
        digest.update(hashlib.file_digest(keys, "sha256").digest())
    return ctx.workdir.parent / UB_CACHE_DIR / dataset / digest.hexdigest()[:32]


def _ub_offline(ctx: StepContext, args: Json) -> Json:
    """``psi.ub_offline``: make the server's offline cache unless this version has one.

    A step of its own, so the brpc link it needs (a link of one party) lives and ends in a
    process other than the online step's.
    """
    import spu.psi as psi

    (item,) = ctx.task.inputs_of(ctx.party)
    columns = list(item.columns)
    source = _keys_file(ctx, item.dataset, item.columns)
    ctx.meter.add_rows(ctx.source.describe(item.dataset).rows)
    cache = _cache_of(ctx, item.dataset, source, columns)
    root = cache.parent
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    if (cache / "ready").is_file():
        ctx.log.info("ub psi %s: reusing the offline cache of %s", ctx.task.id, item.dataset)
        return {"made": False}
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    key = staging / "secret.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o600)
    address = f"{ctx.host}:{reserve_port(ctx.host)}"
    solo = make_link(
        f"{ctx.session}-ub-offline", [ctx.party], [address], 0, 0.8 * ctx.task.limits.time_s
    )
    try:
        config = psi.UbPsiExecuteConfig(
            mode=psi.UbPsiMode.MODE_OFFLINE_GEN_CACHE,
            role=psi.UbPsiRole.ROLE_SERVER,
            cache_path=str(staging / "cache"),  # spu empties this directory first
            input_params=psi.InputParams(path=str(source), selected_keys=columns),
            output_params=psi.OutputParams(path=str(ctx.workdir / "offline.csv")),  # unused
            server_params=psi.UbPsiServerParams(secret_key_path=str(key)),
        )
        report = psi.ub_psi_execute(config, solo)
    finally:
        solo.stop_link()
    ctx.log.info("ub psi %s: offline cache of %d keys made", ctx.task.id, report.original_count)
    (staging / "ready").touch()
    try:
        staging.rename(cache)
    except OSError:  # a concurrent task made it first
        shutil.rmtree(staging, ignore_errors=True)
    for old in root.iterdir():
        if old != cache and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return {"made": True}


# -- intersections kept at the nodes -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeptIntersection:
    """An intersection a node holds for a psi task with ``keep``: never sent anywhere."""

    task: str
    dataset: str
    columns: tuple[str, ...]
    keys: frozenset[str]


def kept_intersection(ctx: StepContext, task_id: str) -> KeptIntersection:
    """The intersection this node keeps for ``task_id``; TaskRefused if it keeps none."""
    path = _kept_dir(ctx) / f"{task_id}.json"
    if not path.is_file():
        raise TaskRefused(
            f"node {ctx.party!r} keeps no intersection of psi task {task_id!r}: the task is"
            " unknown here, did not succeed, or did not set keep",
            field="params.within.task",
        )
    held = json.loads(path.read_text(encoding="utf-8"))
    return KeptIntersection(
        task=task_id,
        dataset=str(held["dataset"]),
        columns=tuple(held["columns"]),
        keys=frozenset(str(k) for k in held["keys"]),
    )


def _kept_dir(ctx: StepContext) -> Path:
    return ctx.workdir.parent / KEPT_DIR  # a step's workdir lies in the node's state dir


def _pending(ctx: StepContext) -> Path:
    if not _SESSION.match(ctx.session):
        raise InvalidInput(f"{ctx.session!r} is not a session id", field="session")
    return _kept_dir(ctx) / f"{ctx.task.id}.{ctx.session}.pending"


def _hold(ctx: StepContext, dataset: str, columns: list[str], keys: list[Any]) -> None:
    """Write this attempt's intersection aside; ``psi.keep`` commits it when all succeeded."""
    _kept_dir(ctx).mkdir(mode=0o700, exist_ok=True)
    held = {"task": ctx.task.id, "dataset": dataset, "columns": columns, "keys": keys}
    _pending(ctx).write_text(json.dumps(held), encoding="utf-8")


def _keep(ctx: StepContext, args: Json) -> Json:
    """``psi.keep``: commit the intersection this attempt's ``psi.run`` held aside."""
    pending = _pending(ctx)
    if not pending.is_file():
        raise TaskFailed(f"node {ctx.party!r} holds no intersection of attempt {ctx.session!r}")
    pending.replace(_kept_dir(ctx) / f"{ctx.task.id}.json")
    for stale in _kept_dir(ctx).glob(f"{ctx.task.id}.*.pending"):
        stale.unlink(missing_ok=True)
    return {"kept": True}


def _read_keys(output: Path, columns: list[str]) -> list[str] | list[list[str]]:
    """The distinct keys of spu's output file, sorted (as strings, rows as lists)."""
    if not output.is_file():
        return []
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    table = pa_csv.read_csv(
        output,
        convert_options=pa_csv.ConvertOptions(
            include_columns=columns,
            column_types=dict.fromkeys(columns, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if len(columns) == 1:
        keys: list[str] = table.column(0).to_pylist()
        return keys if _ascending(keys) else sorted(set(keys))
    rows = list(zip(*(table.column(c).to_pylist() for c in columns), strict=True))
    return [list(row) for row in (rows if _ascending(rows) else sorted(set(rows)))]


def _ascending(items: Sequence[Any]) -> bool:
    """Strictly ascending, so already distinct and sorted (spu keeps the input's order)."""
    return all(map(operator.lt, items, itertools.islice(items, 1, None)))


def _protocol(psi: object, name: str) -> object:
    table = {"rr22": "PROTOCOL_RR22", "kkrt": "PROTOCOL_KKRT", "ecdh": "PROTOCOL_ECDH"}
    return psi.parse_protocol(table[name])  # type: ignore[attr-defined]


def _curve(psi: object, name: str) -> object:
    table = {"25519": "CURVE_25519", "fourq": "CURVE_FOURQ", "sm2": "CURVE_SM2"}
    return psi.parse_curve_type(table[name])  # type: ignore[attr-defined]
