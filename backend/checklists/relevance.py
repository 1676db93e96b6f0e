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
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal, TypeVar

MAX_DEPTH: Final = 32

# Stable error codes, the same in JavaScript.
UNEXPECTED_CHARACTER: Final = "unexpected_character"
UNTERMINATED_STRING: Final = "unterminated_string"
UNEXPECTED_TOKEN: Final = "unexpected_token"  # noqa: S105 - an error code, not a secret
UNEXPECTED_END: Final = "unexpected_end"
UNKNOWN_NAME: Final = "unknown_name"
TOO_DEEP: Final = "too_deep"

# One alternative per token kind. ASCII classes on purpose: Python's \\d and \\s accept more than
# JavaScript's, and the PWA uses the very same pattern.
_TOKEN: Final = re.compile(
    r"(?P<space>[ \t\r\n]+)|(?P<string>'[^']*'|\"[^\"]*\")|(?P<number>-?[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<symbol>==|!=|<=|>=|[<>()\[\],])"
)
_COMPARISONS: Final = ("==", "!=", "<=", ">=", "<", ">")
_CONSTANTS: Final[dict[str, bool | None]] = {"true": True, "false": False, "null": None}
_KEYWORDS: Final = frozenset({"and", "or", "not", "in"})
_FUNCTIONS: Final = frozenset({"answer", "count"})

_Ordered = TypeVar("_Ordered", float, str)


class ExpressionError(ValueError):
    """An expression that does not parse: a stable ``code`` and the 0-based ``position``."""

    def __init__(self, code: str, message: str, position: int) -> None:
        self.code = code
        self.message = message
        self.position = position
        super().__init__(f"{message} (at character {position + 1})")


@dataclass(frozen=True, slots=True)
class Const:
    value: str | float | bool | None


@dataclass(frozen=True, slots=True)
class ListConst:
    values: tuple[str | float | bool | None, ...]


@dataclass(frozen=True, slots=True)
class Call:
    function: Literal["answer", "count"]
    key: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Logic:
    op: Literal["and", "or"]
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class IsNull:
    operand: Node
    negated: bool


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Member:
    needle: Node
    haystack: Node
    negated: bool


Node = Const | ListConst | Call | Not | Logic | IsNull | Compare | Member


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string, number, name, symbol or end
    text: str
    position: int

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the expression"
        if self.kind == "string":
            return "a string"
        return f"'{self.text}'"


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            char = source[position]
            if char in "'\"":
                raise ExpressionError(UNTERMINATED_STRING, "this string has no closing quote", position)
            hint = "; compare with ==" if char == "=" else ""
            raise ExpressionError(UNEXPECTED_CHARACTER, f"unexpected character '{char}'{hint}", position)
        kind = match.lastgroup
        if kind == "string":
            tokens.append(_Token("string", match[0][1:-1], position))
        elif kind in ("number", "name", "symbol"):
            tokens.append(_Token(kind, match[0], position))
        position = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[min(self.index, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.index += 1
        return token

    def at(self, text: str) -> bool:
        """Whether the next token is this keyword or symbol (their texts never overlap)."""
        token = self.peek()
        return token.kind in ("name", "symbol") and token.text == text

    def fail(self, token: _Token, expected: str) -> ExpressionError:
        code = UNEXPECTED_END if token.kind == "end" else UNEXPECTED_TOKEN
        return ExpressionError(code, f"expected {expected}, found {token.describe()}", token.position)

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise self.fail(self.peek(), f"'{text}'")
        self.take()

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            message = f"the expression nests more than {MAX_DEPTH} levels deep"
            raise ExpressionError(TOO_DEEP, message, token.position)

    def expression(self) -> Node:
        node = self.logic("or")
        if self.peek().kind != "end":
            raise self.fail(self.peek(), "'and', 'or' or the end of the expression")
        return node

    def logic(self, op: Literal["and", "or"]) -> Node:
        operands = [self.logic("and") if op == "or" else self.negation()]
        while self.at(op):
            self.take()
            operands.append(self.logic("and") if op == "or" else self.negation())
        return operands[0] if len(operands) == 1 else Logic(op, tuple(operands))

    def negation(self) -> Node:
        if not self.at("not"):
            return self.comparison()
        self.enter(self.take())
        node = Not(self.negation())
        self.depth -= 1
        return node

    def comparison(self) -> Node:
        left = self.operand()
        token = self.peek()
        if token.kind == "symbol" and token.text in _COMPARISONS:
            self.take()
            right = self.operand()
            if token.text in ("==", "!=") and Const(None) in (left, right):
                return IsNull(right if left == Const(None) else left, negated=token.text == "!=")
            return Compare(token.text, left, right)
        negated = self.at("not")
        if negated:
            self.take()
            if not self.at("in"):
                raise self.fail(self.peek(), "'in' after 'not'")
        if not self.at("in"):
            return left
        self.take()
        return Member(left, self.haystack(), negated=negated)

    def haystack(self) -> Node:
        if not self.at("["):
            return self.operand()
        self.take()
        values: list[str | float | bool | None] = []
        expected = "a string, a number, true, false or null"
        if not self.at("]"):
            values.append(self.literal(self.take(), expected))
            while self.at(","):
                self.take()
                values.append(self.literal(self.take(), expected))
        if not self.at("]"):
            raise self.fail(self.peek(), "',' or ']'")
        self.take()
        return ListConst(tuple(values))

    def literal(self, token: _Token, expected: str) -> str | float | bool | None:
        if token.kind == "string":
            return token.text
        if token.kind == "number":
            return float(token.text)
        if token.kind == "name" and token.text in _CONSTANTS:
            return _CONSTANTS[token.text]
        raise self.fail(token, expected)

    def operand(self) -> Node:
        token = self.take()
        if token.kind in ("string", "number") or (token.kind == "name" and token.text in _CONSTANTS):
            return Const(self.literal(token, "a value"))
        if token.kind == "name" and token.text in _FUNCTIONS:
            self.expect("(")
            key = self.take()
            if key.kind != "string":
                raise self.fail(key, "an item key in quotes")
            self.expect(")")
            return Call("answer" if token.text == "answer" else "count", key.text)
        if token.kind == "name" and token.text not in _KEYWORDS:
            message = f"unknown name '{token.text}'; read an answer with answer('key')"
            raise ExpressionError(UNKNOWN_NAME, message, token.position)
        if token.kind == "symbol" and token.text == "(":
            self.enter(token)
            node = self.logic("or")
            self.expect(")")
            self.depth -= 1
            return node
        raise self.fail(token, "a value, answer(...), count(...) or '('")


@lru_cache(maxsize=1024)
def parse(source: str) -> Node:
    """Parse an expression into its tree; raise `ExpressionError` if it is not well formed."""
    return _Parser(source).expression()


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
