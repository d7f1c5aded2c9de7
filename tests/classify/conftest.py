from __future__ import annotations

import pytest

from silkgate.classify import Classifier


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    """One Classifier for the session: its Presidio analyzer is built once."""
    return Classifier()
