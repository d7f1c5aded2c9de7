"""The fast JSON paths write and read exactly what ``json`` does, or fail as it does."""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silkgate.ledger._codec import canonical, loads


def _reference(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _outcome(fn: Any, value: Any) -> object:
    try:
        return fn(value)
    except Exception as exc:  # the same kind of failure is part of the contract
        return type(exc)


_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    _text,
)
_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(_text, children, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_canonical_writes_the_bytes_json_writes(value: Any) -> None:
    assert canonical(value) == _reference(value)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_loads_reads_the_value_json_reads(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)

    got, expected = loads(text.encode()), json.loads(text)

    assert _reference(got) == _reference(expected)
    assert type(got) is type(expected)


class _Colour(enum.Enum):
    RED = 1


class _Name(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({1: "x", 2: "y"}, id="integer-keys"),
        pytest.param({"a": _Colour.RED}, id="enum-json-refuses"),
        pytest.param({"a": _Name("b")}, id="str-subclass"),
        pytest.param([2**64, -(2**63) - 1], id="integers-past-orjson"),
        pytest.param([1e16, -0.0, math.nan], id="floats"),
        pytest.param([[[[[]]]]] * 300, id="wide"),
    ],
)
def test_canonical_matches_json_outside_the_fast_path(value: Any) -> None:
    assert _outcome(canonical, value) == _outcome(_reference, value)


def test_canonical_refuses_a_cyclic_value_as_json_does() -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)

    with pytest.raises(ValueError, match="Circular"):
        canonical({"a": cyclic})


def test_canonical_of_deep_nesting_matches_json() -> None:
    deep: list[Any] = []
    for _ in range(400):  # past orjson's depth limit, within json's
        deep = [deep]

    assert canonical(deep) == _reference(deep)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"NaN", id="nan"),
        pytest.param(b'["\\ud800"]', id="lone-surrogate"),
        pytest.param(b"18446744073709551616", id="integer-past-64-bits"),
        pytest.param("[1]".encode("utf-16"), id="utf-16"),
        pytest.param(b'{"a":1,"a":2}', id="duplicate-key"),
        pytest.param(b"[1,]", id="malformed"),
        pytest.param(b"1E400", id="float-overflow"),
    ],
)
def test_loads_matches_json_on_unusual_input(data: bytes) -> None:
    got, expected = _outcome(loads, data), _outcome(json.loads, data)

    assert ascii(got) == ascii(expected)
