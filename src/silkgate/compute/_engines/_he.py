"""`he_aggregate`: encrypted sums and weighted sums of the parties' vectors, TenSEAL CKKS.

Guarantee: the key holder (role ``key_holder``, else the first receiver) alone holds the
secret key; the other nodes and the scheduler, which adds the ciphertexts, see only
ciphertexts and the public context. Semi-honest parties; CKKS is approximate, so results
carry an error of about 2⁻²⁰ relative to the values' scale. The key holder learns the
aggregate only. Each party's vector is, per ``vector``: ``column_sums`` (one sum per
column of its input, the default) or ``values`` (the column's values in row order; all
parties' vectors must then have the same length).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from silkgate.compute._engines._base import Cluster, Json, Operation, StepContext
from silkgate.compute._spec import TaskSpec

POLY_MODULUS = 8192
SLOTS = POLY_MODULUS // 2


class HeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["sum", "weighted_sum"] = "sum"
    vector: Literal["column_sums", "values"] = "column_sums"
    weights: dict[str, float] = Field(default_factory=dict)


class HeEngine:
    kind: Final = "he_aggregate"

    def check(self, task: TaskSpec) -> None:
        params = HeParams.model_validate(task.params)
        parties = [i.party for i in task.inputs]
        if len(set(parties)) != len(parties):
            raise ValueError("he_aggregate takes one input per party")
        if params.op == "weighted_sum" and set(params.weights) != set(parties):
            raise ValueError("weighted_sum needs one weight per input party")
        if params.vector == "values" and any(len(i.columns) != 1 for i in task.inputs):
            raise ValueError("vector 'values' reads one column per input")
        holders = [p for p, r in task.roles.items() if r == "key_holder"]
        if holders and holders[0] not in task.receivers:
            raise ValueError("the key holder must be a receiver")

    def operations(self) -> Mapping[str, Operation]:
        return {"he.keygen": _keygen, "he.encrypt": _encrypt, "he.decrypt": _decrypt}

    def run(self, task: TaskSpec, cluster: Cluster) -> Json:
        import tenseal as ts

        params = HeParams.model_validate(task.params)
        holder = next((p for p, r in task.roles.items() if r == "key_holder"), task.receivers[0])
        public = cluster.call(holder, "he.keygen", {})["context"]
        context = ts.context_from(base64.b64decode(public))
        parts = cluster.call_all(
            [(i.party, "he.encrypt", {"context": public}) for i in task.inputs]
        )
        lengths = {p["length"] for p in parts}
        if len(lengths) != 1:
            raise ValueError(f"the parties' vectors differ in length: {sorted(lengths)}")
        total: list[Any] | None = None
        for item, part in zip(task.inputs, parts, strict=True):
            chunks = [ts.ckks_vector_from(context, base64.b64decode(c)) for c in part["chunks"]]
            if params.op == "weighted_sum":
                chunks = [c * float(params.weights[item.party]) for c in chunks]
            total = chunks if total is None else [a + b for a, b in zip(total, chunks, strict=True)]
        assert total is not None
        summed = [base64.b64encode(c.serialize()).decode() for c in total]
        answer = cluster.call(holder, "he.decrypt", {"chunks": summed, "length": lengths.pop()})
        return {"values": answer["values"], "op": params.op, "parties": len(task.inputs)}


def _keygen(ctx: StepContext, args: Json) -> Json:
    import tenseal as ts

    context = ts.context(
        ts.SCHEME_TYPE.CKKS, poly_modulus_degree=POLY_MODULUS, coeff_mod_bit_sizes=[60, 40, 40, 60]
    )
    context.global_scale = 2**40
    ctx.memory["secret"] = context.serialize(save_secret_key=True)
    public = context.serialize(save_secret_key=False)
    return {"context": base64.b64encode(public).decode()}


def _encrypt(ctx: StepContext, args: Json) -> Json:
    import tenseal as ts

    params = HeParams.model_validate(ctx.task.params)
    context = ts.context_from(base64.b64decode(args["context"]))
    if context.has_secret_key():
        raise ValueError("refusing a context that carries a secret key")
    (item,) = ctx.task.inputs_of(ctx.party)
    frame = ctx.source.read(item.dataset, item.columns)
    ctx.meter.add_rows(len(frame))
    if params.vector == "column_sums":
        vector = [float(frame[c].astype(float).sum()) for c in item.columns]
    else:
        vector = [float(v) for v in frame[item.columns[0]].astype(float).tolist()]
    chunks = [
        base64.b64encode(ts.ckks_vector(context, vector[i : i + SLOTS]).serialize()).decode()
        for i in range(0, max(len(vector), 1), SLOTS)
    ]
    return {"chunks": chunks, "length": len(vector)}


def _decrypt(ctx: StepContext, args: Json) -> Json:
    import tenseal as ts

    secret = ctx.memory.get("secret")
    if secret is None:
        raise ValueError("this node generated no key for the task's session")
    context = ts.context_from(secret)
    values: list[float] = []
    for chunk in args["chunks"]:
        values.extend(ts.ckks_vector_from(context, base64.b64decode(chunk)).decrypt())
    ctx.memory["done"] = True
    return {"values": values[: int(args["length"])]}
