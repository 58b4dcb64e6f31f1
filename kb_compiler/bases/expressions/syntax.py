"""Expression text to syntax tree: ``ExpressionError``, the node classes, the tokenizer and
the parser behind ``parse_expression``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kb_compiler.bases.expressions.text import to_text
from kb_compiler.bases.expressions.values import Regex, compile_regex, num

_MAX_DEPTH = 128  # keeps parsing and evaluation well inside Python's recursion limit


class ExpressionError(ValueError):
    """Text that is not an expression; ``offset`` is the 0-based position of the problem."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at column {offset}")
        self.message = message
        self.offset = offset


# -- syntax tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed expression: the root of an immutable tree of the node classes below."""


@dataclass(frozen=True)
class Literal(Expression):
    value: object


@dataclass(frozen=True)
class Name(Expression):
    name: str


@dataclass(frozen=True)
class ListLiteral(Expression):
    items: tuple[Expression, ...]


@dataclass(frozen=True)
class ObjectLiteral(Expression):
    entries: tuple[tuple[str, Expression], ...]


@dataclass(frozen=True)
class Unary(Expression):
    operator: str
    operand: Expression


@dataclass(frozen=True)
class Binary(Expression):
    operator: str
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Member(Expression):
    target: Expression
    name: str


@dataclass(frozen=True)
class Index(Expression):
    target: Expression
    index: Expression


@dataclass(frozen=True)
class Call(Expression):
    name: str
    args: tuple[Expression, ...]


@dataclass(frozen=True)
class MethodCall(Expression):
    target: Expression
    name: str
    args: tuple[Expression, ...]


# -- tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, regex, name, op, end
    text: str  # the source text, so the next token starts at offset + len(text)
    offset: int
    value: object = None


_OPERATORS = ("||", "&&", "==", "!=", "<=", ">=", *"<>+-*/%!()[]{},.:")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_KEYWORDS: dict[str, object] = {"true": True, "false": False, "null": None}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            tokens.append(_Token("end", "", pos))
            return tokens
        token = _next_token(text, pos, tokens[-1] if tokens else None)
        tokens.append(token)
        pos += len(token.text)


def _next_token(text: str, pos: int, previous: _Token | None) -> _Token:
    char = text[pos]
    if "0" <= char <= "9":
        raw = _NUMBER.match(text, pos)[0]  # type: ignore[index]
        return _Token("number", raw, pos, _number_literal(raw))
    if char in "\"'":
        return _string_token(text, pos)
    if char == "/" and _operand_expected(previous):
        return _regex_token(text, pos)
    if char.isalpha() or char in "_$":
        end = pos + 1
        while end < len(text) and (text[end].isalnum() or text[end] in "_$"):
            end += 1
        return _Token("name", text[pos:end], pos, text[pos:end])
    for operator in _OPERATORS:
        if text.startswith(operator, pos):
            return _Token("op", operator, pos)
    raise ExpressionError(f"unexpected character {char!r}", pos)


def _number_literal(raw: str) -> int | float:
    # Short digit runs stay exact ints; anything else is a double, as in JavaScript.
    if raw.isdigit() and len(raw) <= 16:
        return num(int(raw))
    return num(float(raw))


def _operand_expected(previous: _Token | None) -> bool:
    # A '/' starts a regex only where a value may begin, otherwise it divides.
    return previous is None or (previous.kind == "op" and previous.text not in ")]}")


def _string_token(text: str, start: int) -> _Token:
    quote, pos = text[start], start + 1
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == quote:
            return _Token("string", text[start : pos + 1], start, "".join(out))
        if char == "\\" and pos + 1 < len(text):
            decoded, pos = _escape(text, pos + 1)
            out.append(decoded)
            continue
        out.append(char)
        pos += 1
    raise ExpressionError("unterminated string", start)


def _escape(text: str, pos: int) -> tuple[str, int]:
    char = text[pos]
    width = {"u": 4, "x": 2}.get(char, 0)
    digits = text[pos + 1 : pos + 1 + width]
    if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
        return chr(int(digits, 16)), pos + 1 + width
    return _ESCAPES.get(char, char), pos + 1


def _regex_token(text: str, start: int) -> _Token:
    pos, in_class = start + 1, False
    while pos < len(text) and text[pos] != "\n":
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "/" and not in_class:
            end = pos + 1
            while end < len(text) and text[end].isalpha():
                end += 1
            regex = _regex_literal(text[start + 1 : pos], text[pos + 1 : end], start)
            return _Token("regex", text[start:end], start, regex)
        in_class = (in_class or char == "[") and char != "]"
        pos += 1
    raise ExpressionError("unterminated regular expression", start)


def _regex_literal(source: str, flags: str, offset: int) -> Regex:
    if any(flag not in "dgimsuy" for flag in flags) or len(set(flags)) != len(flags):
        raise ExpressionError(f"invalid regular expression flags '{flags}'", offset)
    try:
        compile_regex(source, flags)
    except (re.error, OverflowError, RecursionError, ValueError) as error:
        raise ExpressionError(f"invalid regular expression: {error}", offset) from None
    return Regex(source, flags)


# -- parser ----------------------------------------------------------------------------------

_PRECEDENCE = {
    "||": 0, "&&": 1, "==": 2, "!=": 2, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "+": 4, "-": 4, "*": 5, "/": 5, "%": 5,
}  # fmt: skip


class _Parser:
    """Precedence climbing over binary operators, recursive descent for the rest."""

    def __init__(self, text: str) -> None:
        self._tokens = _tokenize(text)
        self._pos = 0
        self._depth = 0

    def parse(self) -> Expression:
        node = self._binary(0)
        if self._token.kind != "end":
            raise ExpressionError("expected an operator or the end", self._token.offset)
        return node

    @property
    def _token(self) -> _Token:
        return self._tokens[self._pos]

    def _operator(self) -> str:
        return self._token.text if self._token.kind == "op" else ""

    def _advance(self) -> _Token:
        token = self._token
        if token.kind != "end":
            self._pos += 1
        return token

    def _accept(self, operator: str) -> bool:
        if self._operator() != operator:
            return False
        self._advance()
        return True

    def _expect(self, operator: str, expected: str = "") -> None:
        if not self._accept(operator):
            raise ExpressionError(f"expected {expected or repr(operator)}", self._token.offset)

    def _nest(self) -> None:
        self._depth += 1
        if self._depth > _MAX_DEPTH:
            raise ExpressionError("expression is nested too deeply", self._token.offset)

    def _binary(self, least: int) -> Expression:
        start = self._depth
        node = self._unary()
        while (level := _PRECEDENCE.get(self._operator(), -1)) >= least:
            self._nest()  # a long chain is a deep left spine in the tree
            operator = self._advance().text
            node = Binary(operator, node, self._binary(level + 1))
        self._depth = start
        return node

    def _unary(self) -> Expression:
        start = self._depth
        self._nest()
        node: Expression
        if self._operator() in ("!", "-"):
            operator = self._advance().text
            node = Unary(operator, self._unary())
        else:
            node = self._postfix(self._primary())
        self._depth = start
        return node

    def _postfix(self, node: Expression) -> Expression:
        while self._operator() in (".", "[", "("):
            self._nest()
            token = self._advance()
            if token.text == ".":
                node = Member(node, self._member_name())
            elif token.text == "[":
                node = Index(node, self._binary(0))
                self._expect("]")
            else:
                node = _call(node, self._items(")"), token.offset)
        return node

    def _member_name(self) -> str:
        token = self._token
        if token.kind != "name":
            raise ExpressionError("expected a field or method name after '.'", token.offset)
        self._advance()
        return token.text

    def _primary(self) -> Expression:
        token = self._advance()
        if token.kind in ("number", "string", "regex"):
            return Literal(token.value)
        if token.kind == "name":
            return Literal(_KEYWORDS[token.text]) if token.text in _KEYWORDS else Name(token.text)
        if token.kind == "op" and token.text == "(":
            node = self._binary(0)
            self._expect(")")
            return node
        if token.kind == "op" and token.text == "[":
            return ListLiteral(self._items("]"))
        if token.kind == "op" and token.text == "{":
            return self._object()
        raise ExpressionError("expected an expression", token.offset)

    def _items(self, close: str) -> tuple[Expression, ...]:
        items: list[Expression] = []
        while not self._accept(close):
            items.append(self._binary(0))
            if not self._accept(","):
                self._expect(close, f"',' or '{close}'")
                break
        return tuple(items)

    def _object(self) -> Expression:
        entries: list[tuple[str, Expression]] = []
        while not self._accept("}"):
            key = self._token
            if key.kind not in ("string", "name", "number"):
                raise ExpressionError("expected a key", key.offset)
            self._advance()
            self._expect(":")
            entries.append((to_text(key.value), self._binary(0)))
            if not self._accept(","):
                self._expect("}", "',' or '}'")
                break
        return ObjectLiteral(tuple(entries))


def _call(callee: Expression, args: tuple[Expression, ...], offset: int) -> Expression:
    if isinstance(callee, Name):
        return Call(callee.name, args)
    if isinstance(callee, Member):
        return MethodCall(callee.target, callee.name, args)
    raise ExpressionError("only functions and methods can be called", offset)


@lru_cache(maxsize=2048)
def parse_expression(text: str) -> Expression:
    """Parse a filter or formula; the same text always yields the same (immutable) tree."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text", 0)
    return _Parser(text).parse()
