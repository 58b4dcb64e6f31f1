"""The sarif format: a SARIF 2.1.0 log for code-scanning upload.

One run, tool ``kbc`` with a rule per code (every code kbc documents, plus any other
code the run reports), one result per diagnostic with its physical location. Paths are
relative URIs against ``%SRCROOT%`` (the repository root when ``path_prefix`` names the
vault's folder in it); columns count Unicode code points, as Python strings do. Nothing
depends on the clock or the machine, so the log is byte-identical between runs.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePosixPath
from urllib.parse import quote

from kb_compiler import __version__
from kb_compiler.check import CheckResult
from kb_compiler.check.codes import KNOWN_CODES, code_info
from kb_compiler.check.formats import RenderOptions, advice, prefixed
from kb_compiler.model import Diagnostic, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
ROOT = "%SRCROOT%"


def render(result: CheckResult, options: RenderOptions) -> str:
    codes = sorted(set(KNOWN_CODES) | {d.code for d in result.diagnostics})
    index = {code: position for position, code in enumerate(codes)}
    run = {
        "tool": {
            "driver": {
                "name": "kbc",
                "fullName": "kb-compiler (kbc check)",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(code) for code in codes],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index[d.code], options.path_prefix) for d in result.diagnostics],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _rule(code: str) -> dict[str, object]:
    info = code_info(code)
    return {
        "id": code,
        "name": "".join(part.capitalize() for part in code.split("-")),
        "shortDescription": {"text": info.summary},
        "defaultConfiguration": {"level": LEVEL[info.default]},
    }


def _result(diagnostic: Diagnostic, rule_index: int, path_prefix: str) -> dict[str, object]:
    text = diagnostic.message
    suggested = advice(diagnostic)
    if suggested:
        text += f" ({suggested})"
    physical: dict[str, object] = {"artifactLocation": _artifact(prefixed(diagnostic.path,
                                                                         path_prefix))}
    region = _region(diagnostic)
    if region:
        physical["region"] = region
    found: dict[str, object] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVEL[diagnostic.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    }
    pairs = (("target", diagnostic.target), ("suggestion", diagnostic.suggestion))
    extra = {key: value for key, value in pairs if value}
    if extra:
        found["properties"] = extra
    return found


def _region(diagnostic: Diagnostic) -> dict[str, int]:
    if diagnostic.line < 1:
        return {}
    region = {"startLine": diagnostic.line}
    if diagnostic.column > 0:
        region["startColumn"] = diagnostic.column
        if diagnostic.end_column and diagnostic.end_column > diagnostic.column:
            region["endColumn"] = diagnostic.end_column
    return region


def _artifact(path: str) -> dict[str, str]:
    """A location relative to the source root, or a file URI for a vault outside it."""
    if path.startswith("/"):
        return {"uri": PurePosixPath(path).as_uri()}
    return {"uri": uri(path), "uriBaseId": ROOT}


def uri(path: str) -> str:
    """A relative URI reference for a path: every character outside the unreserved set
    percent-encoded (so ``a:b.md`` cannot read as a scheme), ``/`` kept."""
    return quote(os.fsencode(path), safe="/")  # a name's bytes that are not UTF-8 too
