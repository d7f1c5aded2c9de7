"""The engines, one per task kind; the registry maps a kind to its engine."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from silkgate.compute._engines._base import Engine
    from silkgate.compute._spec import TaskKind


@cache
def engines() -> dict[str, Engine]:
    """Built on first use, so importing silkgate.compute does not load spu, jax or flwr."""
    from silkgate.compute._engines._dp import DpEngine
    from silkgate.compute._engines._fl import FlEngine
    from silkgate.compute._engines._he import HeEngine
    from silkgate.compute._engines._mpc import MpcEngine
    from silkgate.compute._engines._psi import PsiEngine

    found: list[Engine] = [PsiEngine(), MpcEngine(), HeEngine(), DpEngine(), FlEngine()]
    return {e.kind: e for e in found}


def engine_for(kind: TaskKind) -> Engine:
    return engines()[kind]
