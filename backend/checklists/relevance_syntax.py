"""The syntax of the relevance language: error codes, the tree, the tokenizer and the parser.

The grammar and the meaning of the language are documented in :mod:`backend.checklists.relevance`
(the reference the PWA's ``pwa/js/core/relevance.js`` follows); this module turns text into the
tree of the node types below by recursive descent, and :func:`backend.checklists.relevance.evaluate`
interprets that tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

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
