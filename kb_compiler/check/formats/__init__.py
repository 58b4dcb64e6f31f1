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


def advice(diagnostic: Diagnostic) -> str | None:
    """The diagnostic's suggestion as a reader sees it: a near-miss name (a diagnostic
    about a target) as a question, other advice (re-save the file as UTF-8) as it is."""
    if not diagnostic.suggestion:
        return None
    if diagnostic.target is None:
        return diagnostic.suggestion
    return f"did you mean '{diagnostic.suggestion}'?"
