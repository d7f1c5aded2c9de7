"""Every package's __init__ is its interface: sorted, complete, no private leaks."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import silkgate
from silkgate.api import status_for
from silkgate.cli import EXIT_BAD_INPUT, EXIT_FAILURE, exit_code_for
from silkgate.domain import AccessDenied, InvalidInput, SilkgateError


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


PACKAGES = sorted(
    name
    for _finder, name, is_package in pkgutil.iter_modules(silkgate.__path__, "silkgate.")
    if is_package
)


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_sorted_and_public(package: str) -> None:
    module = importlib.import_module(package)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_isort_key), f"{package}.__all__ is not sorted"
    assert not [n for n in exported if n.startswith("_")], f"{package} exports private names"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{package}.__all__ names what it lacks: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_public_names_are_listed(package: str) -> None:
    module = importlib.import_module(package)
    defined_here = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(package + ".")
    }
    assert defined_here <= set(module.__all__), (
        f"{package} hides {defined_here - set(module.__all__)}"
    )


def _exported_errors() -> list[type[SilkgateError]]:
    found: list[type[SilkgateError]] = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, SilkgateError):
                found.append(value)
    return found


@pytest.mark.parametrize("error", _exported_errors(), ids=lambda e: e.__name__)
def test_every_exported_error_has_an_exit_code_and_http_status(error: type[SilkgateError]) -> None:
    instance = error.__new__(error)  # classification only; constructors differ
    expected_exit = EXIT_BAD_INPUT if issubclass(error, InvalidInput) else EXIT_FAILURE
    assert exit_code_for(instance) == expected_exit
    status = status_for(instance)
    if issubclass(error, InvalidInput):
        assert 400 <= status < 500
    elif issubclass(error, AccessDenied):
        assert status in (401, 403)
    else:
        assert status == 500
