"""Reading rulebooks from YAML: the packaged ones, or a user's directory of ``*.yaml``."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from silkgate.rules._cel import (
    Condition,
    ConditionEvalError,
    ConditionSyntaxError,
    compile_condition,
)
from silkgate.rules._errors import RulebookError
from silkgate.rules._facts import SCHEMA, sample_activation
from silkgate.rules._model import Rulebook

_PACKAGE = "silkgate.rules"
_FOLDER = "rulebooks"


@lru_cache(maxsize=4096)
def compile_clause_condition(text: str) -> Condition:
    """Compile a condition once per process (the text alone determines the result)."""
    return compile_condition(text, SCHEMA)


def parse_rulebook(text: str, *, path: str) -> Rulebook:
    """Parse and check one rulebook; RulebookError names ``path`` and the clause at fault."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulebookError(f"not valid YAML: {' '.join(str(exc).split())}", path=path) from exc
    if not isinstance(raw, dict):
        raise RulebookError("expected a mapping with id, title, jurisdictions, clauses", path=path)
    try:
        rulebook = Rulebook.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc, raw, path) from exc
    sample = sample_activation()
    for clause in rulebook.clauses:
        try:
            condition = compile_clause_condition(clause.condition)
            agree = condition(sample) == condition.interpret(sample)
        except (ConditionSyntaxError, ConditionEvalError) as exc:
            raise RulebookError(f"condition: {exc}", path=path, clause=clause.id) from exc
        if not agree:
            raise RulebookError(
                "condition: evaluates differently from CEL's definition (check operand types)",
                path=path,
                clause=clause.id,
            )
    return rulebook


def _validation_error(exc: ValidationError, raw: dict[str, Any], path: str) -> RulebookError:
    error = exc.errors()[0]
    location = error["loc"]
    clause: str | None = None
    clauses = raw.get("clauses")
    if len(location) >= 2 and location[0] == "clauses" and isinstance(location[1], int):
        entry = clauses[location[1]] if isinstance(clauses, list) else None
        clause = str(entry.get("id")) if isinstance(entry, dict) else f"#{location[1] + 1}"
        location = location[2:]
    field = ".".join(str(part) for part in location)
    message = f"{field}: {error['msg']}" if field else error["msg"]
    return RulebookError(message, path=path, clause=clause)


def load_rulebooks(directory: Path | None = None) -> tuple[Rulebook, ...]:
    """The rulebooks in ``directory`` (every ``*.yaml``, by name), or the packaged ones.

    Raises RulebookError naming the file and clause when one is invalid.
    """
    if directory is not None:
        if not directory.is_dir():
            raise RulebookError("not a directory of rulebooks", path=str(directory))
        return _parse_all(
            (str(file), file.read_text(encoding="utf-8"))
            for file in sorted(directory.glob("*.yaml"))
        )
    folder = resources.files(_PACKAGE).joinpath(_FOLDER)
    entries = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".yaml")),
        key=lambda entry: entry.name,
    )
    return _parse_all((f"{_FOLDER}/{e.name}", e.read_text(encoding="utf-8")) for e in entries)


def _parse_all(files: Iterable[tuple[str, str]]) -> tuple[Rulebook, ...]:
    rulebooks: list[Rulebook] = []
    owner: dict[str, str] = {}
    for path, text in files:
        rulebook = parse_rulebook(text, path=path)
        for clause in rulebook.clauses:
            if clause.id in owner:
                raise RulebookError(
                    f"clause id already used in {owner[clause.id]}", path=path, clause=clause.id
                )
            owner[clause.id] = path
        rulebooks.append(rulebook)
    return tuple(rulebooks)
