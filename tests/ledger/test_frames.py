"""Endpoint frames carry exactly the JSON values json would, whichever encoder wrote them."""

from __future__ import annotations

import json
import math

import pytest

from silkgate.ledger._endpoint import decode_frame, encode_frame


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"op": "endorse", "proposal": '{"a":"q\\"\\n中😀"}'}, id="nested-json-text"),
        pytest.param({"response": 2**70}, id="integer-past-64-bits"),
        pytest.param({"response": [1, 2.5, -0.0, 1e16, {"b": None}]}, id="floats"),
        pytest.param({"response": {"1": True, "x": [False, ""]}}, id="plain"),
    ],
)
def test_a_frame_decodes_to_the_value_encoded(value: dict[str, object]) -> None:
    frame = encode_frame(value)

    assert int.from_bytes(frame[:4], "big") == len(frame) - 4
    assert decode_frame(frame[4:]) == value


def test_non_finite_numbers_survive_as_json_writes_them() -> None:
    decoded = decode_frame(encode_frame({"response": [math.nan, math.inf]})[4:])

    assert math.isnan(decoded["response"][0])
    assert decoded["response"][1] == math.inf


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"a":123456789012345678901234567890}', id="big-integer"),
        pytest.param(b'{"a":"\\ud800"}', id="lone-surrogate"),
        pytest.param(b'{"a":1,"a":2}', id="duplicate-key"),
        pytest.param(b'{"a":[1.5,"x"]}', id="float"),
    ],
)
def test_decoding_agrees_with_json(body: bytes) -> None:
    assert decode_frame(body) == json.loads(body)
