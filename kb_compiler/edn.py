"""A small, tolerant EDN reader for Logseq's ``logseq/config.edn``.

Why not the ``edn_format`` package: it reads the docs graph's config, but fails on forms
real Logseq configs hold: ``#_`` discards (valid EDN), ``#(...)`` anonymous functions and
``#"regex"`` literals in query transforms, and tags it does not know. This reader keeps
what kbc needs (maps, vectors, lists, sets, strings, keywords, numbers, booleans, nil)
and skips what it cannot use: a tag is dropped and its form kept, ``#_`` and ``^meta``
drop the next form, ``#(...)`` reads as a list, ``#"..."`` as a string.

It reads iteratively (an explicit stack), so deep nesting cannot exhaust Python's
recursion limit. A truncated file (unterminated string or collection) raises
``EdnError`` with the line where the broken form starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["EdnError", "Keyword", "Symbol", "read_edn"]


class Keyword(str):
    """An EDN keyword, held without its colon (``:file/name-format`` is
    ``Keyword("file/name-format")``); it compares equal to that plain string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f":{str.__str__(self)}"


class Symbol(str):
    """An EDN symbol (``fn``, ``sort-by``...)."""

    __slots__ = ()


class EdnError(ValueError):
    """Text that is not readable EDN; ``line`` is 1-based."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


_TOKEN = re.compile(
    r"""
    (?P<skip>[\s,]+|;[^\n]*)
    |(?P<string>"(?:[^"\\]|\\.)*")
    |(?P<regex>\#"(?:[^"\\]|\\.)*")
    |(?P<open>\#\{|\#\(|\#:{1,2}[^\s,()\[\]{}"]*\{|[(\[{])
    |(?P<close>[)\]}])
    |(?P<drop>\#_|\^)
    |(?P<ignore>\#\#?[^\s,()\[\]{}"]+|~@|[`'~@])
    |(?P<char>\\(?:newline|space|tab|return|formfeed|backspace|u[0-9a-fA-F]{4}|.))
    |(?P<atom>[^\s,()\[\]{}";\\]+)
    |(?P<junk>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_INT = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|\d+)N?")
_FLOAT = re.compile(r"[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?M?")
_RATIO = re.compile(r"[+-]?\d+/\d+")
_CHARS = {"newline": "\n", "space": " ", "tab": "\t", "return": "\r",
          "formfeed": "\f", "backspace": "\b"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "\\": "\\"}
_CLOSERS = {"{": "}", "[": "]", "(": ")"}


@dataclass
class _Frame:
    opener: str  # "{", "[", "(", "#{" (a set)
    offset: int
    items: list[object] = field(default_factory=list)
    drop_next: int = 0

    def add(self, value: object) -> None:
        if self.drop_next:
            self.drop_next -= 1
        else:
            self.items.append(value)

    def close(self) -> object:
        if self.opener == "#{":
            return frozenset(_hashable(item) for item in self.items)
        if self.opener == "[":
            return self.items
        if self.opener == "(":
            return tuple(self.items)
        pairs = self.items[: len(self.items) // 2 * 2]
        return {_hashable(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)}


def read_edn(text: str) -> object:
    """The first form in ``text`` as plain Python values: dict, list (vector), tuple
    (list), frozenset (set), str, Keyword, Symbol, int, float, bool or None."""
    top = _Frame("[", 0)
    stack = [top]
    position = 0
    while position < len(text) and not top.items:
        match = _TOKEN.match(text, position)
        assert match is not None  # the junk group matches any character
        position = match.end()
        kind = match.lastgroup
        token = match.group()
        if kind == "junk" and token == '"':
            raise EdnError("unterminated string", _line(text, match.start()))
        if kind == "open":
            opener = {"#{": "#{", "#(": "("}.get(token, token[-1])
            stack.append(_Frame(opener, match.start()))
        elif kind == "close":
            if len(stack) > 1 and _CLOSERS[_bracket(stack[-1].opener)] == token:
                done = stack.pop()
                stack[-1].add(done.close())
            # a stray closer is skipped: tolerant by design
        elif kind == "drop":
            stack[-1].drop_next += 1
        elif kind in ("string", "regex", "char", "atom"):
            stack[-1].add(_scalar(kind, token))
    if len(stack) > 1:
        opened = stack[-1]  # the innermost open form: where the author most likely erred
        raise EdnError(f"unterminated '{opened.opener}'", _line(text, opened.offset))
    return top.items[0] if top.items else None


def _bracket(opener: str) -> str:
    return "{" if opener == "#{" else opener


def _scalar(kind: str, token: str) -> object:
    if kind == "string":
        return _unescape(token[1:-1])
    if kind == "regex":
        return token[2:-1]
    if kind == "char":
        body = token[1:]
        if body.startswith("u") and len(body) == 5:
            return chr(int(body[1:], 16))
        return _CHARS.get(body, body)
    return _atom(token)


def _atom(token: str) -> object:
    if token in ("true", "false"):
        return token == "true"
    if token == "nil":
        return None
    if _INT.fullmatch(token):
        return int(token.rstrip("N"), 0 if token.lower().lstrip("+-").startswith("0x") else 10)
    if _FLOAT.fullmatch(token):
        return float(token.rstrip("M"))
    if _RATIO.fullmatch(token):
        numerator, denominator = token.split("/")
        return int(numerator) / int(denominator) if int(denominator) else float("nan")
    if token.startswith(":"):
        return Keyword(token.lstrip(":"))
    return Symbol(token)


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            code = body[index + 1]
            if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[index + 2:index + 6]):
                out.append(chr(int(body[index + 2:index + 6], 16)))
                index += 6
                continue
            out.append(_ESCAPES.get(code, code))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _hashable(value: object) -> object:
    """Map keys and set members must hash: vectors become tuples, maps sorted pairs."""
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted(((repr(k), _hashable(v)) for k, v in value.items()), key=repr))
    return value


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
