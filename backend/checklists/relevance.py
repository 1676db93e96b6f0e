"""The relevance language: small, safe expressions over the answers of a checklist.

An item's ``relevant`` condition and a ``finding_on`` condition are written in it, and the PWA
(``pwa/js/core/relevance.js``) implements the same language; the vectors in
``tests/fixtures/vectors/relevance.json`` prove that both give the same results. Nothing is ever
handed to ``eval``: the text is tokenized, parsed by recursive descent into a tree of the node
types below, and that tree is interpreted.

Grammar::

    expression := or_expr END
    or_expr    := and_expr ('or' and_expr)*
    and_expr   := not_expr ('and' not_expr)*
    not_expr   := 'not' not_expr | comparison
    comparison := operand [('==' | '!=' | '<' | '<=' | '>' | '>=') operand
                           | 'in' haystack | 'not' 'in' haystack]
    haystack   := '[' [literal (',' literal)*] ']' | operand
    operand    := literal | ('answer' | 'count') '(' STRING ')' | '(' or_expr ')'
    literal    := STRING | NUMBER | 'true' | 'false' | 'null'

Strings are quoted with ``'`` or ``"`` and have no escapes (use the other quote). Numbers are
decimal: ``12``, ``-3``, ``0.5``. Comparisons do not chain (``a == b == c`` is an error); nesting of
parentheses and ``not`` is limited to ``MAX_DEPTH``.

Meaning:

* ``answer('k')`` is the answer of item ``k``; an unanswered item reads as null. ``count('k')`` is
  the length of a list answer (photos, rows, options), 0 when unanswered, 1 for any other answer.
* ``X == null`` (null literal on either side) is true when X is null; ``X != null`` is its negation.
* Any other comparison with a null value is false, ``!=`` included: an unanswered item is neither
  equal nor different to anything.
* ``==`` is strict: values of different types are never equal (``1 == '1'`` and ``true == 1`` are
  false); lists and objects compare element by element. ``!=`` is its negation.
* ``< <= > >=`` compare two numbers, or two strings by code point (so ISO dates and times order
  correctly); any other pair is false.
* ``X in L`` is true when X equals an element of the list L (a null X matches a null element);
  ``X not in L`` is ``not (X in L)``, but false when X is null. When L is not a list (an unanswered
  multi-choice) both are false.
* ``and``, ``or`` and ``not`` give booleans from truthiness: null, false, 0, '' and empty lists and
  objects are false, everything else true. The result of an expression is used the same way.

This module holds the meaning (evaluation); the syntax (tokens, tree, parser) is in
:mod:`backend.checklists.relevance_syntax`. The PWA and the shared vectors name this module as the
language's reference, and callers use ``relevance.parse`` and ``relevance.ExpressionError``, so the
parser's entry points (``parse``, ``ExpressionError``, ``MAX_DEPTH``, ``Node``) are re-exported
here: ``from backend.checklists import relevance`` is all a caller needs. The error codes and node
types are :mod:`~backend.checklists.relevance_syntax`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from backend.checklists.relevance_syntax import (
    MAX_DEPTH,
    Call,
    Compare,
    Const,
    ExpressionError,
    IsNull,
    ListConst,
    Logic,
    Member,
    Node,
    Not,
    parse,
)

__all__ = [
    "MAX_DEPTH",
    "ExpressionError",
    "Node",
    "evaluate",
    "holds",
    "parse",
    "strictly_equal",
    "truthy",
]

_Ordered = TypeVar("_Ordered", float, str)


def evaluate(node: Node, answers: Mapping[str, object]) -> object:
    """The value of a parsed expression over answers (item key → JSON value). Never raises."""
    match node:
        case Const(value):
            return value
        case ListConst(values):
            return list(values)
        case Call("answer", key):
            return answers.get(key)
        case Call(_, key):
            found = answers.get(key)
            return len(found) if isinstance(found, list) else 0 if found is None else 1
        case Not(operand):
            return not truthy(evaluate(operand, answers))
        case Logic("and", operands):
            return all(truthy(evaluate(operand, answers)) for operand in operands)
        case Logic(_, operands):
            return any(truthy(evaluate(operand, answers)) for operand in operands)
        case IsNull(operand, negated):
            return (evaluate(operand, answers) is None) != negated
        case Compare(op, left, right):
            return _compare(op, evaluate(left, answers), evaluate(right, answers))
        case Member(needle, haystack, negated):
            return _member(evaluate(needle, answers), evaluate(haystack, answers), negated=negated)
    raise AssertionError(f"not a node: {node!r}")  # pragma: no cover - the match is exhaustive


def holds(node: Node, answers: Mapping[str, object]) -> bool:
    """Whether a parsed expression is true over the answers."""
    return truthy(evaluate(node, answers))


def truthy(value: object) -> bool:
    """Truthiness of the language, the same in JavaScript: null, false, 0, '', [] and {} are false."""
    kind = _kind(value)
    if kind == "number":
        number = _number(value)
        return number != 0 and number == number  # NaN is false, as in JavaScript
    if kind in ("null", "boolean", "string", "list", "object"):
        return bool(value)
    return True


def strictly_equal(a: object, b: object) -> bool:
    """Equality of JSON values of the same type; numbers by value, containers element by element."""
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == "number":
        return _number(a) == _number(b)
    if kind == "list" and isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(strictly_equal(x, y) for x, y in zip(a, b, strict=True))
    if kind == "object" and isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(strictly_equal(a[k], b[k]) for k in a)
    return kind != "other" and a == b


def _compare(op: str, a: object, b: object) -> bool:
    if a is None or b is None:
        return False
    if op == "==":
        return strictly_equal(a, b)
    if op == "!=":
        return not strictly_equal(a, b)
    kind = _kind(a)
    if kind != _kind(b) or kind not in ("number", "string"):
        return False
    if kind == "number":
        return _order(op, _number(a), _number(b))
    return _order(op, str(a), str(b))  # code point order, as JavaScript is made to do


def _order(op: str, x: _Ordered, y: _Ordered) -> bool:
    return x < y if op == "<" else x <= y if op == "<=" else x > y if op == ">" else x >= y


def _member(needle: object, haystack: object, *, negated: bool) -> bool:
    if not isinstance(haystack, list):
        return False
    if needle is None:
        return not negated and any(element is None for element in haystack)
    found = any(strictly_equal(needle, element) for element in haystack)
    return found != negated


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object" if isinstance(value, dict) else "other"


def _number(value: object) -> float:
    """A number as JavaScript holds it: a double (huge integers become infinite, never an error)."""
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return float("inf") if value > 0 else float("-inf")
    return float("nan")
