"""A small JQL parser: clauses joined by AND / OR / NOT with parentheses, and ORDER BY.

Only syntax lives here; what a field or value means is decided by the fake that evaluates the tree.
Syntax errors raise :class:`JqlError` with messages shaped like Jira's ("Error in the JQL Query: ...
(line 1, character 5)").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

T = TypeVar("T")

OPERATORS = ("=", "!=", "~", "!~", "<", ">", "<=", ">=", "in", "not in", "is", "is not")
_VALID_OPERATORS = "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'"
_KEYWORDS = frozenset({"and", "or", "not", "order", "by", "in", "is", "empty", "null", "asc", "desc"})
_WORD_CHARS = frozenset("_-.@:")


class JqlError(ValueError):
    """A JQL query Jira would refuse with a 400; ``message`` is the errorMessages entry."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Empty:
    """The EMPTY / NULL keyword."""


Value = str | Function | Empty


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str  # lower-case, one of OPERATORS
    values: tuple[Value, ...]


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[SortKey, ...] = ()


TokenKind = Literal["word", "string", "op", "lparen", "rparen", "comma", "eof"]


@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str
    offset: int

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"(line {line}, character {column})"


def _error(text: str, offset: int, problem: str) -> JqlError:
    return JqlError(f"Error in the JQL Query: {problem} {_where(text, offset)}")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "\"'":
            start, i, chars = i, i + 1, []
            while i < n and text[i] != char:
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise _error(text, start, f"The quoted string '{text[start + 1 :]}' has not been completed.")
            tokens.append(_Token("string", "".join(chars), start))
            i += 1
        elif text.startswith(("!=", "!~", "<=", ">="), i):
            tokens.append(_Token("op", text[i : i + 2], i))
            i += 2
        elif char in "=~<>":
            tokens.append(_Token("op", char, i))
            i += 1
        elif char in "(),":
            kind: TokenKind = "lparen" if char == "(" else "rparen" if char == ")" else "comma"
            tokens.append(_Token(kind, char, i))
            i += 1
        elif char.isalnum() or char in _WORD_CHARS:
            start = i
            while i < n and (text[i].isalnum() or text[i] in _WORD_CHARS):
                i += 1
            tokens.append(_Token("word", text[start:i], start))
        else:
            raise _error(
                text,
                i,
                f"The character '{char}' is a reserved JQL character. You must enclose it in a string "
                f"or use the escape '\\u{ord(char):04x}' instead.",
            )
    tokens.append(_Token("eof", "", n))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def at(self, kind: TokenKind) -> bool:
        return self.tokens[self.pos].kind == kind

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def fail(self, token: _Token, expected: str) -> JqlError:
        if token.kind == "eof":
            return JqlError(f"Error in the JQL Query: Expecting {expected} but reached the end of the query.")
        return _error(self.text, token.offset, f"Expecting {expected} but got '{token.text}'.")

    def query(self) -> Query:
        where: Node | None = None
        if not self.at("eof") and self.peek.word != "order":
            where = self.or_expr()
        order: list[SortKey] = []
        if self.peek.word == "order":
            self.take()
            if self.peek.word != "by":
                raise self.fail(self.peek, "'BY'")
            self.take()
            order.append(self.sort_key())
            while self.at("comma"):
                self.take()
                order.append(self.sort_key())
        if not self.at("eof"):
            raise self.fail(self.peek, "either 'OR' or 'AND'" if not order else "',' or the end of the query")
        return Query(where, tuple(order))

    def sort_key(self) -> SortKey:
        token = self.take()
        if token.kind not in ("word", "string") or token.word in _KEYWORDS:
            raise self.fail(token, "a field name")
        descending = False
        if self.peek.word in ("asc", "desc"):
            descending = self.take().word == "desc"
        return SortKey(token.text, descending)

    def or_expr(self) -> Node:
        return self._joined("or", self.and_expr, Or)

    def and_expr(self) -> Node:
        return self._joined("and", self.unary, And)

    def _joined(self, word: str, part: Callable[[], Node], join: Callable[[tuple[Node, ...]], Node]) -> Node:
        """``part (word part)*``: one part as it is, several joined by ``join``."""
        parts = [part()]
        while self.peek.word == word:
            self.take()
            parts.append(part())
        return parts[0] if len(parts) == 1 else join(tuple(parts))

    def unary(self) -> Node:
        if self.peek.word == "not":
            self.take()
            return Not(self.unary())
        if self.at("lparen"):
            self.take()
            node = self.or_expr()
            if not self.at("rparen"):
                raise self.fail(self.peek, "')'")
            self.take()
            return node
        return self.clause()

    def clause(self) -> Clause:
        token = self.take()
        if token.kind not in ("word", "string") or token.word in _KEYWORDS:
            raise self.fail(token, "a field name")
        operator = self.operator()
        if operator in ("in", "not in"):
            return Clause(token.text, operator, self.value_list())
        if operator in ("is", "is not"):
            value = self.take()
            if value.word not in ("empty", "null"):
                raise self.fail(value, "'EMPTY' or 'NULL'")
            return Clause(token.text, operator, (Empty(),))
        return Clause(token.text, operator, (self.value(),))

    def operator(self) -> str:
        token = self.take()
        if token.kind == "op":
            return token.text
        if token.word == "in":
            return "in"
        if token.word == "is":
            if self.peek.word == "not":
                self.take()
                return "is not"
            return "is"
        if token.word == "not" and self.peek.word == "in":
            self.take()
            return "not in"
        raise self.fail(token, f"operator. The valid operators are {_VALID_OPERATORS}.")

    def value(self) -> Value:
        token = self.take()
        if token.kind == "string":
            return token.text
        if token.kind != "word" or token.word in _KEYWORDS - {"empty", "null"}:
            raise self.fail(token, "either a value, list or function")
        if token.word in ("empty", "null"):
            return Empty()
        if self.at("lparen"):
            self.take()
            args: list[str] = []
            while not self.at("rparen"):
                arg = self.take()
                if arg.kind not in ("word", "string"):
                    raise self.fail(arg, "a function argument")
                args.append(arg.text)
                if self.at("comma"):
                    self.take()
            self.take()
            return Function(token.text, tuple(args))
        return token.text

    def value_list(self) -> tuple[Value, ...]:
        if not self.at("lparen"):
            raise self.fail(self.peek, "'('")
        self.take()
        values = [self.value()]
        while self.at("comma"):
            self.take()
            values.append(self.value())
        if not self.at("rparen"):
            raise self.fail(self.peek, "')'")
        self.take()
        return tuple(values)


def compile_tree(node: Node, clause: Callable[[Clause], Callable[[T], bool]]) -> Callable[[T], bool]:
    """A predicate for a parsed condition: ``clause`` compiles each leaf, AND / OR / NOT are the same for all."""
    if isinstance(node, And):
        parts = [compile_tree(p, clause) for p in node.parts]
        return lambda item: all(p(item) for p in parts)
    if isinstance(node, Or):
        parts = [compile_tree(p, clause) for p in node.parts]
        return lambda item: any(p(item) for p in parts)
    if isinstance(node, Not):
        inner = compile_tree(node.part, clause)
        return lambda item: not inner(item)
    return clause(node)


def parse(text: str) -> Query:
    """Parse a JQL string; an empty or blank string is a query without restriction."""
    return _Parser(text).query()
