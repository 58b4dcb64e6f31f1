"""Diagnostic output formats: one module per format, each with one entry point
``render(result, options) -> str``. Adding a format means adding a module and a line to
``FORMATS``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kb_compiler.check import CheckResult
from kb_compiler.model import Diagnostic


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render: ``color`` adds ANSI styles (text only); ``path_prefix`` is put in
    front of every vault-relative path in text, github and sarif output, so paths read
    relative to where the command runs (the repository root in CI). The json format
    keeps vault-relative paths, as INTERFACE.md says."""

    color: bool = False
    path_prefix: str = ""


Renderer = Callable[[CheckResult, RenderOptions], str]
MESSAGE_WIDTH = 300  # characters of a message (or help) the formats read by people show


def _registry() -> dict[str, Renderer]:
    from kb_compiler.check.formats import github, json_format, sarif, text

    return {
        "text": text.render,
        "json": json_format.render,
        "github": github.render,
        "sarif": sarif.render,
    }


FORMAT_NAMES: tuple[str, ...] = ("text", "json", "github", "sarif")


def render(name: str, result: CheckResult, options: RenderOptions | None = None) -> str:
    """Render ``result`` in the format ``name`` (one of ``FORMAT_NAMES``)."""
    return _registry()[name](result, options or RenderOptions())


def prefixed(path: str, prefix: str) -> str:
    """``prefix`` joined to a vault-relative path with exactly one ``/``."""
    if not prefix or prefix == ".":
        return path
    return prefix.rstrip("/") + "/" + path


def shortened(text: str, width: int = MESSAGE_WIDTH) -> str:
    """``text`` cut in the middle to ``width`` characters when it is longer, so a
    message quoting a huge name (a link of thousands of brackets) stays a line a person
    can read; its start and its end (``' does not exist``) stay. The json and sarif
    formats keep messages whole."""
    if len(text) <= width:
        return text
    head = (width - 1) * 2 // 3
    return text[:head] + "\u2026" + text[len(text) - (width - 1 - head):]


def advice(diagnostic: Diagnostic) -> str | None:
    """The diagnostic's suggestion as a reader sees it: a near-miss name (a diagnostic
    about a target) as a question, other advice (re-save the file as UTF-8) as it is."""
    if not diagnostic.suggestion:
        return None
    if diagnostic.target is None:
        return diagnostic.suggestion
    return f"did you mean '{diagnostic.suggestion}'?"
