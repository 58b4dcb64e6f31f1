"""The json format, exactly as INTERFACE.md (``kbc check --format json``) writes it:
a summary and the diagnostics sorted by (path, line, column, code), paths relative to
the vault."""

from __future__ import annotations

import json

from kb_compiler.check import CheckResult
from kb_compiler.check.formats import RenderOptions
from kb_compiler.model import Diagnostic


def render(result: CheckResult, options: RenderOptions) -> str:
    document = {
        "summary": {"pages": result.pages, "errors": result.errors, "warnings": result.warnings},
        "diagnostics": [as_dict(diagnostic) for diagnostic in result.diagnostics],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def as_dict(diagnostic: Diagnostic) -> dict[str, object]:
    """One diagnostic in INTERFACE.md's key order."""
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "message": diagnostic.message,
        "target": diagnostic.target,
        "suggestion": diagnostic.suggestion,
    }
