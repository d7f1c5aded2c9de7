"""`psi`: private set intersection between two parties' nodes, by SecretFlow PSI (spu 0.9.5).

Guarantee: each party learns only the intersection (or only its size, with
``output: cardinality``) of the two key sets, and the receivers alone get it; semi-honest
parties (RR22 in its default mode, KKRT, ECDH). Protocols: ``rr22`` (default), ``kkrt``,
``ecdh`` with ``curve`` ``25519`` | ``fourq`` | ``sm2``; ``ub`` runs unbalanced PSI
(``ub_psi_execute``, ECDH-OPRF) for a small client set against a large server set, the
server named by the role ``server``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from silkgate.compute._engines._base import Cluster, Isolated, Json, Operation, StepContext
from silkgate.compute._engines._link import make_link
from silkgate.compute._spec import TaskSpec


class PsiParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    protocol: Literal["rr22", "kkrt", "ecdh", "ub"] = "rr22"
    curve: Literal["25519", "fourq", "sm2"] = "fourq"
    output: Literal["intersection", "cardinality"] = "intersection"
    keys_unique: bool = False


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

    def operations(self) -> Mapping[str, Operation]:
        return {"psi.run": Isolated(_run_at_node)}

    def run(self, task: TaskSpec, cluster: Cluster) -> Json:
        parties = [i.party for i in task.inputs]
        if PsiParams.model_validate(task.params).protocol == "ub":
            server = next(p for p, r in task.roles.items() if r == "server")
            parties.sort(key=lambda p: p != server)  # rank 0 serves, rank 1 is the client
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
        result["protocol"] = PsiParams.model_validate(task.params).protocol
        return result


def _run_at_node(ctx: StepContext, args: Json) -> Json:
    import spu.psi as psi

    task = ctx.task
    params = PsiParams.model_validate(task.params)
    parties: list[str] = list(args["parties"])
    rank = int(args["rank"])
    (item,) = task.inputs_of(ctx.party)
    columns = list(item.columns)
    source = ctx.source.csv_path(item.dataset)
    rows = ctx.source.describe(item.dataset).rows
    if source is None:
        source = ctx.workdir / "keys.csv"
        ctx.source.read(item.dataset, item.columns).astype(str).to_csv(source, index=False)
    ctx.meter.add_rows(rows)
    output = ctx.workdir / "intersection.csv"
    receivers = [parties.index(r) for r in task.receivers]
    is_receiver = rank in receivers
    link = make_link(
        f"{ctx.session}-psi", parties, args["addresses"], rank, 0.8 * task.limits.time_s
    )
    ctx.log.info("psi %s rank %d of %s (%s)", task.id, rank, parties, params.protocol)
    try:
        if params.protocol == "ub":
            count = _run_ub(psi, link, rank, source, columns, output, ctx.workdir, params)
        else:
            config = psi.PsiExecuteConfig(
                protocol_conf=psi.PsiProtocolConfig(
                    protocol=_protocol(psi, params.protocol),
                    receiver_rank=receivers[0],
                    broadcast_result=len(receivers) == 2,
                    ecdh_params=psi.EcdhParams(curve=_curve(psi, params.curve)),
                ),
                input_params=psi.InputParams(
                    path=str(source), selected_keys=columns, keys_unique=params.keys_unique
                ),
                output_params=psi.OutputParams(path=str(output), disable_alignment=True),
            )
            report = psi.psi_execute(config, link)
            count = int(report.intersection_count)
    finally:
        link.stop_link()
    if not is_receiver:
        return {"received": False}
    keys = _read_keys(output, columns)
    answer: Json = {"received": True, "count": len(keys) if count < 0 else count}
    answer["count"] = len(keys)
    if params.output == "intersection":
        answer["intersection"] = keys
    return answer


def _run_ub(psi: object, link: object, rank: int, source: Path, columns: list[str],
            output: Path, workdir: Path, params: PsiParams) -> int:  # fmt: skip
    import os

    p = psi  # the module spu.psi
    key_path = workdir / "server.key"
    key_path.write_bytes(os.urandom(32))
    role = p.UbPsiRole.ROLE_SERVER if rank == 0 else p.UbPsiRole.ROLE_CLIENT  # type: ignore[attr-defined]
    config = p.UbPsiExecuteConfig(  # type: ignore[attr-defined]
        mode=p.UbPsiMode.MODE_FULL,  # type: ignore[attr-defined]
        role=role,
        server_receive_result=False,
        client_receive_result=True,
        cache_path=str(workdir / "ub-cache"),
        input_params=p.InputParams(path=str(source), selected_keys=columns),  # type: ignore[attr-defined]
        output_params=p.OutputParams(path=str(output), disable_alignment=True),  # type: ignore[attr-defined]
        server_params=p.UbPsiServerParams(secret_key_path=str(key_path)),  # type: ignore[attr-defined]
    )
    report = p.ub_psi_execute(config, link)  # type: ignore[attr-defined]
    return int(report.intersection_count)


def _read_keys(output: Path, columns: list[str]) -> list[str] | list[list[str]]:
    if not output.is_file():
        return []
    frame = pd.read_csv(output, usecols=columns, dtype=str, keep_default_na=False)[columns]
    frame = frame.drop_duplicates().sort_values(columns)
    if len(columns) == 1:
        return [str(v) for v in frame[columns[0]].tolist()]
    return [[str(v) for v in row] for row in frame.itertuples(index=False)]


def _protocol(psi: object, name: str) -> object:
    table = {"rr22": "PROTOCOL_RR22", "kkrt": "PROTOCOL_KKRT", "ecdh": "PROTOCOL_ECDH"}
    return psi.parse_protocol(table[name])  # type: ignore[attr-defined]


def _curve(psi: object, name: str) -> object:
    table = {"25519": "CURVE_25519", "fourq": "CURVE_FOURQ", "sm2": "CURVE_SM2"}
    return psi.parse_curve_type(table[name])  # type: ignore[attr-defined]
