"""Contracts: deterministic Python run by endorsing peers on their committed state.

A contract sees the world only through its ``TxContext``: reads and range reads (recorded
with the versions seen, for MVCC validation), writes (buffered into the write set), the
creator's certified attributes, the configuration and the transaction's own timestamp. It
must not read clocks, draw random numbers or do I/O, so that every honest peer computes
the same read/write set and its endorsement matches the others'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from silkgate.ledger._codec import canonical, loads
from silkgate.ledger._errors import ContractRefused
from silkgate.ledger._transactions import ReadWriteSet
from silkgate.ledger._types import JsonValue

if TYPE_CHECKING:
    from silkgate.ledger._config import ConsortiumConfig
    from silkgate.ledger._identity import Member, Msp
    from silkgate.ledger._store import StateEntry


class StateReader(Protocol):
    def get(self, key: str) -> StateEntry | None: ...

    def range(self, start: str, end: str) -> list[StateEntry]: ...


class TxContext:
    """The view a contract function runs in; builds the read/write set as it goes."""

    def __init__(
        self,
        reader: StateReader,
        *,
        tx_id: str,
        creator: Member,
        timestamp: dt.datetime,
        config: ConsortiumConfig,
        msp: Msp,
    ) -> None:
        self._reader = reader
        self.tx_id = tx_id
        self.creator = creator
        self.timestamp = timestamp
        self.config = config
        self.msp = msp
        self.rwset = ReadWriteSet()

    def get(self, key: str) -> Any:
        """The value at ``key`` (a write earlier in this transaction wins), or None."""
        if key in self.rwset.writes:
            return self.rwset.writes[key]
        entry = self._reader.get(key)
        if key not in self.rwset.reads:
            self.rwset.reads[key] = None if entry is None else entry.version
        return None if entry is None else loads(entry.value)

    def range(self, start: str, end: str) -> list[tuple[str, Any]]:
        """Committed entries with ``start <= key < end``, recorded against phantom reads."""
        entries = self._reader.range(start, end)
        self.rwset.ranges.append((start, end, [(e.key, e.version) for e in entries]))
        return [(e.key, loads(e.value)) for e in entries]

    def put(self, key: str, value: JsonValue) -> None:
        canonical(value)  # fail now, inside the contract, if it cannot be stored
        self.rwset.writes[key] = value

    def delete(self, key: str) -> None:
        self.rwset.writes[key] = None


Function = Callable[[Any, TxContext, dict[str, Any]], JsonValue]
F = TypeVar("F", bound=Function)


def function(fn: F) -> F:
    """Mark a method as callable through transactions: ``fn(self, ctx, args) -> response``."""
    fn.__ledger_function__ = True  # type: ignore[attr-defined]
    return fn


class Contract:
    """Base of contracts: ``name`` and methods marked ``@function``."""

    name: ClassVar[str]

    def functions(self) -> list[str]:
        return sorted(
            n for n in dir(type(self)) if getattr(getattr(type(self), n), "__ledger_function__", 0)
        )

    def invoke(self, ctx: TxContext, function_name: str, args: JsonValue) -> JsonValue:
        method = getattr(type(self), function_name, None)
        if method is None or not getattr(method, "__ledger_function__", False):
            raise ContractRefused(
                f"{self.name} has no function {function_name!r}; one of "
                f"{', '.join(self.functions())}",
                field="function",
            )
        if not isinstance(args, dict):
            raise ContractRefused("arguments must be a JSON object", field="args")
        result: JsonValue = method(self, ctx, args)
        return result

    def owner(self, function_name: str, args: JsonValue, reader: StateReader) -> str | None:
        """The organisation owning what the transaction touches, for ``owner+K`` policies.

        Peers call this when validating, on their committed state, not trusting the client.
        The default reads the dataset named by ``args["dataset_id"]``.
        """
        if not isinstance(args, dict) or not isinstance(args.get("dataset_id"), str):
            return None
        entry = reader.get(f"dataset/{args['dataset_id']}")
        if entry is None:
            return None
        owner = loads(entry.value).get("owner")
        return owner if isinstance(owner, str) else None


def require(args: dict[str, Any], name: str, kind: type | tuple[type, ...] = str) -> Any:
    """``args[name]`` if present with the right type, else ContractRefused naming it."""
    value = args.get(name)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        expected = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ContractRefused(f"argument {name!r} must be a {expected}", field=name)
    return value


def dataset_record(ctx: TxContext, dataset_id: str) -> dict[str, Any]:
    record = ctx.get(f"dataset/{dataset_id}")
    if record is None:
        raise ContractRefused(f"no dataset {dataset_id!r} on the ledger", field="dataset_id")
    assert isinstance(record, dict)
    return record


def require_owner(ctx: TxContext, record: dict[str, Any]) -> None:
    if ctx.creator.org != record["owner"] or ctx.creator.role not in ("client", "admin"):
        raise ContractRefused(
            f"{ctx.creator.subject} may not change {record['id']}: only clients and admins of "
            f"{record['owner']} may",
            field="creator",
        )


def parse_time(text: Any, field: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise ContractRefused(f"{text!r} is not an ISO 8601 time", field=field) from None
    if when.tzinfo is None:
        raise ContractRefused(f"{text!r} has no time zone", field=field)
    return when
