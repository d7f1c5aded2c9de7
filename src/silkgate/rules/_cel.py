"""Clause conditions: CEL text parsed by cel-python, compiled once into fast closures.

Guarantee: a compiled `Condition` returns what cel-python's own interpreter returns for the
same expression and inputs (tests check this on every shipped clause with hypothesis).
Assumptions: inputs are the plain JSON-like values of `_facts.activation` (bool, int, str,
lists of str, dicts of those), and the expression type-checks on them.

cel-python parses every condition (so the syntax is CEL's, never Python's, and nothing is
ever passed to ``eval``). Its tree-walking interpreter takes about a millisecond per
expression, too slow for thousands of assessments a second, so the parse tree is compiled
here into nested closures for the subset rulebooks use: literals, variables, field access,
``!``, unary ``-``, ``&&``, ``||``, ``?:``, comparisons, ``in``, ``+ - *``, list literals,
``size()``, ``contains/startsWith/endsWith`` and the ``exists``/``all`` macros. Anything else
still works: it is evaluated by cel-python's interpreter (slow path).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import celpy
import lark
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError

Activation = Mapping[str, Any]
_Fn = Callable[[Activation], Any]


class ConditionSyntaxError(ValueError):
    """The condition is not valid CEL, or names a variable or field that does not exist."""


class ConditionEvalError(ValueError):
    """The condition could not be evaluated on the given inputs."""


class _Unsupported(Exception):
    """A construct outside the compiled subset: the interpreter evaluates it instead."""


_ENV = celpy.Environment()

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "relation_lt": operator.lt,
    "relation_le": operator.le,
    "relation_gt": operator.gt,
    "relation_ge": operator.ge,
    "relation_eq": operator.eq,
    "relation_ne": operator.ne,
    "relation_in": lambda item, container: item in container,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "addition_add": operator.add,
    "addition_sub": operator.sub,
    "multiplication_mul": operator.mul,
}
_PASS_THROUGH = frozenset(
    {"expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication",
     "unary", "member", "primary", "paren_expr"}
)  # fmt: skip
# The global functions of the CEL standard definitions that cel-python implements.
_CEL_FUNCTIONS = frozenset(
    {"size", "int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration",
     "dyn", "type", "matches", "has"}
)  # fmt: skip
_METHODS: dict[str, Callable[[Any, Any], bool]] = {
    "contains": lambda s, arg: arg in s,
    "startsWith": lambda s, arg: s.startswith(arg),
    "endsWith": lambda s, arg: s.endswith(arg),
}


def _to_python(value: Any) -> Any:
    """A cel-python value as the plain Python value the fast path works on."""
    if value is None:
        return None
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list | tuple):
        return [_to_python(v) for v in value]
    if isinstance(value, dict):
        return {_to_python(k): _to_python(v) for k, v in value.items()}
    raise _Unsupported(type(value).__name__)


def _literal(token: lark.Token) -> Any:
    # cel-python decodes its own literal syntax (escapes, raw strings, uint suffixes).
    if token.type in ("BYTES_LIT", "UINT_LIT", "FLOAT_LIT"):
        raise _Unsupported(token.type)
    return _to_python(_ENV.program(_ENV.compile(str(token))).evaluate({}))


def _only_child(tree: lark.Tree[Any]) -> Any:
    if len(tree.children) != 1:
        raise _Unsupported(tree.data)
    return tree.children[0]


class _Compiler:
    """Turns a cel-python parse tree into a closure over an activation mapping."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema

    def compile(self, node: Any, bound: frozenset[str]) -> _Fn:
        if not isinstance(node, lark.Tree):
            raise _Unsupported(repr(node))
        method = getattr(self, f"_{node.data}", None)
        if method is None:
            raise _Unsupported(str(node.data))
        fn: _Fn = method(node, bound)
        return fn

    # expr: conditionalor ["?" conditionalor ":" expr]
    def _expr(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        if len(node.children) == 1:
            return self.compile(node.children[0], bound)
        cond, then, other = (self.compile(c, bound) for c in node.children)
        return lambda a: then(a) if cond(a) else other(a)

    def _conditionalor(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        if len(node.children) == 1:
            return self.compile(node.children[0], bound)
        left, right = (self.compile(c, bound) for c in node.children)
        return lambda a: bool(left(a)) or bool(right(a))

    def _conditionaland(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        if len(node.children) == 1:
            return self.compile(node.children[0], bound)
        left, right = (self.compile(c, bound) for c in node.children)
        return lambda a: bool(left(a)) and bool(right(a))

    def _binary(self, node: lark.Tree[Any], bound: frozenset[str], table: dict[str, Any]) -> _Fn:
        if len(node.children) == 1:
            return self.compile(node.children[0], bound)
        op_node, right_node = node.children
        op = table.get(op_node.data)
        if op is None:
            raise _Unsupported(str(op_node.data))
        left = self.compile(op_node.children[0], bound)
        right = self.compile(right_node, bound)
        return lambda a: op(left(a), right(a))

    def _relation(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        return self._binary(node, bound, _COMPARE)

    def _addition(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        return self._binary(node, bound, _ARITH)

    def _multiplication(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        return self._binary(node, bound, _ARITH)

    def _unary(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        if len(node.children) == 1:
            return self.compile(node.children[0], bound)
        op_node, operand_node = node.children
        operand = self.compile(operand_node, bound)
        if op_node.data == "unary_not":
            return lambda a: not operand(a)
        if op_node.data == "unary_neg":
            return lambda a: -operand(a)
        raise _Unsupported(str(op_node.data))

    def _member(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        return self.compile(_only_child(node), bound)

    def _primary(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        return self.compile(_only_child(node), bound)

    def _paren_expr(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        return self.compile(_only_child(node), bound)

    def _literal(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        value = _literal(_only_child(node))
        return lambda a: value

    def _ident(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        name = str(_only_child(node))
        if name not in bound and name not in self.schema:
            known = ", ".join(sorted(self.schema))
            raise ConditionSyntaxError(f"unknown variable {name!r}; known: {known}")
        return lambda a: a[name]

    def _path(self, node: Any, bound: frozenset[str]) -> list[str] | None:
        """`data.subjects` as ["data", "subjects"] when it starts at a schema variable."""
        if not isinstance(node, lark.Tree):
            return None
        if node.data in _PASS_THROUGH and len(node.children) == 1:
            return self._path(node.children[0], bound)
        if node.data == "ident":
            name = str(node.children[0])
            return None if name in bound else [name]
        if node.data == "member_dot":
            inner = self._path(node.children[0], bound)
            return None if inner is None else [*inner, str(node.children[1])]
        return None

    def _check_path(self, path: list[str]) -> None:
        level: Any = self.schema
        for depth, name in enumerate(path):
            if not isinstance(level, Mapping):
                return
            if name not in level:
                known = ", ".join(sorted(level))
                if depth == 0:
                    raise ConditionSyntaxError(f"unknown variable {name!r}; known: {known}")
                raise ConditionSyntaxError(
                    f"unknown field {'.'.join(path[: depth + 1])!r}; "
                    f"{'.'.join(path[:depth])} has: {known}"
                )
            level = level[name]

    def _member_dot(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        path = self._path(node, bound)
        if path is not None:
            self._check_path(path)
        target = self.compile(node.children[0], bound)
        field = str(node.children[1])
        return lambda a: target(a)[field]

    def _exprlist(self, node: lark.Tree[Any] | None, bound: frozenset[str]) -> list[_Fn]:
        if node is None:
            return []
        return [self.compile(c, bound) for c in node.children]

    def _list_lit(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        items = self._exprlist(node.children[0] if node.children else None, bound)
        if all(_is_constant(c) for c in (node.children[0].children if node.children else [])):
            values = [item({}) for item in items]
            return lambda a: values
        return lambda a: [item(a) for item in items]

    def _member_dot_arg(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        target_node, name_token, *rest = node.children
        name = str(name_token)
        args_node = rest[0] if rest else None
        arg_nodes = list(args_node.children) if args_node is not None else []
        if name in ("exists", "all") and len(arg_nodes) == 2:
            var = self._path(arg_nodes[0], frozenset())
            if var is None or len(var) != 1:
                raise _Unsupported("macro variable")
            target = self.compile(target_node, bound)
            body = self.compile(arg_nodes[1], bound | {var[0]})
            quantifier = any if name == "exists" else all
            return lambda a: quantifier(bool(body({**a, var[0]: item})) for item in target(a))
        if not (name == "size" and not arg_nodes) and not (
            name in _METHODS and len(arg_nodes) == 1
        ):
            raise _Unsupported(f"method {name}")
        target = self.compile(target_node, bound)
        args = [self.compile(c, bound) for c in arg_nodes]
        if name == "size" and not args:
            return lambda a: len(target(a))
        if name in _METHODS and len(args) == 1:
            method, (arg,) = _METHODS[name], args
            return lambda a: method(target(a), arg(a))
        raise _Unsupported(f"method {name}")

    def _ident_arg(self, node: lark.Tree[Any], bound: frozenset[str]) -> _Fn:
        name_token, *rest = node.children
        if str(name_token) != "size":
            raise _Unsupported(f"function {name_token}")
        args = self._exprlist(rest[0] if rest else None, bound)
        if len(args) == 1:
            (arg,) = args
            return lambda a: len(arg(a))
        raise _Unsupported(f"function {name_token}")


def _is_constant(node: Any) -> bool:
    if isinstance(node, lark.Tree):
        if node.data in ("ident", "ident_arg", "member_dot", "member_dot_arg", "member_index"):
            return False
        return all(_is_constant(c) for c in node.children)
    return True


@dataclass(frozen=True, slots=True)
class Condition:
    """One compiled CEL condition; call it with an activation mapping to get a bool."""

    text: str
    compiled: bool
    _fast: _Fn | None
    _program: celpy.Runner

    def __call__(self, activation: Activation) -> bool:
        try:
            if self._fast is not None:
                result = self._fast(activation)
            else:
                result = self.interpret(activation)
        except (KeyError, TypeError, IndexError, CELEvalError) as exc:
            raise ConditionEvalError(f"cannot evaluate {self.text!r}: {exc}") from exc
        if not isinstance(result, bool):
            raise ConditionEvalError(f"{self.text!r} gave {result!r}, not true or false")
        return result

    def interpret(self, activation: Activation) -> Any:
        """The same condition evaluated by cel-python's interpreter (the reference)."""
        context = {name: json_to_cel(value) for name, value in activation.items()}
        try:
            result = self._program.evaluate(context)
            if isinstance(result, CELEvalError):
                raise result
            return _to_python(result)
        except (CELEvalError, _Unsupported) as exc:
            raise ConditionEvalError(f"cannot evaluate {self.text!r}: {exc}") from exc


def compile_condition(text: str, schema: Mapping[str, Any]) -> Condition:
    """Parse ``text`` as CEL and compile it; ``schema`` names the variables and their fields.

    Raises ConditionSyntaxError for text that is not CEL or names an unknown variable or field.
    """
    try:
        tree = _ENV.compile(text)
    except CELParseError as exc:
        raise ConditionSyntaxError(f"not valid CEL: {' '.join(str(exc).split())}") from exc
    program = _ENV.program(tree)
    compiler = _Compiler(schema)
    try:
        fast: _Fn | None = compiler.compile(tree, frozenset())
    except _Unsupported:
        fast = None
        _check_references(compiler, tree)
    return Condition(text=text, compiled=fast is not None, _fast=fast, _program=program)


def _check_references(compiler: _Compiler, tree: lark.Tree[Any]) -> None:
    """Name checks for conditions the interpreter evaluates (macro variables are skipped)."""
    for node in tree.iter_subtrees():
        if node.data in ("ident_arg", "dot_ident_arg"):
            name = str(node.children[0])
            if name not in _CEL_FUNCTIONS:
                known = ", ".join(sorted(_CEL_FUNCTIONS))
                raise ConditionSyntaxError(f"unknown function {name!r}; CEL has: {known}")
        if node.data == "member_dot":
            path = compiler._path(node, frozenset())
            if path is not None and path[0] in compiler.schema:
                compiler._check_path(path)
