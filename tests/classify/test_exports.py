from __future__ import annotations

import silkgate.classify as classify


def test_all_is_sorted_complete_and_public() -> None:
    assert classify.__all__ == sorted(classify.__all__, key=lambda n: (not n.isupper(), n))
    assert all(hasattr(classify, name) for name in classify.__all__)
    assert not [n for n in classify.__all__ if n.startswith("_")]


def test_every_exception_is_a_silkgate_error() -> None:
    from silkgate.domain import InvalidInput, SilkgateError

    assert issubclass(classify.ClassifyError, SilkgateError)
    assert issubclass(classify.UnsupportedFormat, InvalidInput)
    assert issubclass(classify.InvalidRecognizer, InvalidInput)
