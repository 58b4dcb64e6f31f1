"""The text format: diagnostics the way a good compiler prints them.

::

    vault/pages/profile-(id).md:28:7: error[broken-embed] embedded page 'X' does not exist
       |
    28 | - {{embed [[X]]}}
       |   ^^^^^^^^^^^^^^^
       = help: did you mean 'profile-(id)'?

The source line is quoted with carets under the span (``column`` to ``end_column``,
exclusive; one caret when the end is unknown). Tabs show as four spaces and wide
characters count double, so the carets line up in a terminal; control characters in
the vault's text are shown as U+FFFD so a page cannot send escape sequences to the
terminal; very long lines are cut to a window around the span.
"""

from __future__ import annotations

import click
from rich.cells import cell_len

from kb_compiler.check import CheckResult
from kb_compiler.check.formats import RenderOptions, advice, prefixed, shortened
from kb_compiler.errors import one_line
from kb_compiler.model import Diagnostic, Severity

TAB = "    "
WINDOW = 160  # characters of a long source line shown around the span
LEAD = 60  # of which before the span

_STYLE = {
    Severity.ERROR: {"fg": "red", "bold": True},
    Severity.WARNING: {"fg": "yellow", "bold": True},
    Severity.INFO: {"fg": "cyan", "bold": True},
}


def render(result: CheckResult, options: RenderOptions) -> str:
    """Every diagnostic with its source line, one blank line apart."""
    lines_of: dict[str, list[str]] = {}
    out: list[str] = []
    for diagnostic in result.diagnostics:
        text = result.texts.get(diagnostic.path)
        if text is not None and diagnostic.path not in lines_of:
            lines_of[diagnostic.path] = text.split("\n")
        source = _source_line(lines_of.get(diagnostic.path), diagnostic.line)
        out.extend(_diagnostic(diagnostic, source, options))
        out.append("")
    return "".join(line + "\n" for line in out)


def summary_line(result: CheckResult) -> str:
    """``kbc check: 2 errors, 1 warning in 12 pages`` (or ``no problems``)."""
    parts = [
        _plural(count, noun)
        for count, noun in (
            (result.errors, "error"),
            (result.warnings, "warning"),
            (result.infos, "info"),
        )
        if count
    ]
    found = ", ".join(parts) if parts else "no problems"
    return f"kbc check: {found} in {_plural(result.pages, 'page')}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 or noun == "info" else f"{count} {noun}s"


def _source_line(lines: list[str] | None, line: int) -> str | None:
    if lines is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1].rstrip("\r")


def _diagnostic(diagnostic: Diagnostic, source: str | None, options: RenderOptions) -> list[str]:
    style = _Styler(options.color)
    out = [_headline(diagnostic, options, style)]
    gutter = " " * len(str(diagnostic.line))
    if source is not None:
        shown, carets = _quote(source, diagnostic.column, diagnostic.end_column)
        out.append(style(f"{gutter} |", fg="blue", bold=True))
        out.append(style(f"{diagnostic.line} | ", fg="blue", bold=True) + shown)
        if carets:
            mark = style(carets.lstrip(), **_STYLE[diagnostic.severity])
            pad = carets[: len(carets) - len(carets.lstrip())]
            out.append(style(f"{gutter} | ", fg="blue", bold=True) + pad + mark)
    suggested = advice(diagnostic)
    if suggested:
        help_text = f"help: {clean(shortened(suggested))}"
        lead = f"{gutter} = " if source is not None else "  = "
        out.append(style(lead, fg="blue", bold=True) + style(help_text, fg="cyan"))
    return out


def plain_headline(diagnostic: Diagnostic) -> str:
    """The diagnostic's first line without colour (``path:line:col: error[code] ...``),
    safe to print: what a build or an export lists of the problems it met."""
    return _headline(diagnostic, RenderOptions(), _Styler(False))


def _headline(diagnostic: Diagnostic, options: RenderOptions, style: _Styler) -> str:
    where = clean(prefixed(diagnostic.path, options.path_prefix))
    if diagnostic.line > 0:
        where += f":{diagnostic.line}"
        if diagnostic.column > 0:
            where += f":{diagnostic.column}"
    label = style(f"{diagnostic.severity.value}[{diagnostic.code}]", **_STYLE[diagnostic.severity])
    message = style(clean(shortened(diagnostic.message)), bold=True)
    return f"{style(where + ':', bold=True)} {label} {message}"


def _quote(source: str, column: int, end_column: int | None) -> tuple[str, str]:
    """The source line as shown and the caret line under the span ("" for no span)."""
    start = column - 1
    offset, core = _window(source, max(start, 0))
    left_mark = "…" if offset else ""
    right_mark = "…" if offset + len(core) < len(source) else ""
    shown = left_mark + _display(core) + right_mark
    if column < 1 or start > len(source):
        return shown, ""
    end = end_column - 1 if end_column and end_column > column else start + 1
    span = source[start : min(end, offset + len(core))] or " "
    width = cell_len(left_mark + _display(source[offset:start]))
    return shown, " " * width + "^" * max(1, cell_len(_display(span)))


def _window(source: str, start: int) -> tuple[int, str]:
    """The part of a long line shown around ``start``: (its offset, its text)."""
    if len(source) <= WINDOW:
        return 0, source
    offset = max(0, min(start - LEAD, len(source) - WINDOW))
    return offset, source[offset : offset + WINDOW]


def _display(text: str) -> str:
    return clean(text.replace("\t", TAB))


def clean(text: str) -> str:
    """Text from a vault with control characters (escape sequences, line breaks)
    neutralized."""
    return one_line(text.replace("\t", TAB))


class _Styler:
    """``click.style`` when colour is on, the plain text otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, **style: object) -> str:
        return click.style(text, **style) if self.color and text else text  # type: ignore[arg-type]
