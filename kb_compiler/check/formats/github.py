"""The github format: GitHub Actions workflow commands, one per diagnostic, so each
problem shows as an annotation on its line of a pull request::

    ::error file=vault/pages/a.md,line=3,col=5,endColumn=12,title=broken-link::...

Values are escaped as the Actions toolkit escapes them: ``%``, CR and LF in the
message; additionally ``:`` and ``,`` in properties. Severity ``info`` becomes a
``notice``. A problem with the whole file (line 0) is annotated on the file.
"""

from __future__ import annotations

import re

from kb_compiler.check import CheckResult
from kb_compiler.check.formats import RenderOptions, advice, prefixed, shortened
from kb_compiler.errors import fs_text
from kb_compiler.model import Diagnostic, Severity

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(result: CheckResult, options: RenderOptions) -> str:
    return "".join(annotation(d, options.path_prefix) + "\n" for d in result.diagnostics)


def annotation(diagnostic: Diagnostic, path_prefix: str = "") -> str:
    """The workflow command for one diagnostic."""
    properties = [("file", prefixed(diagnostic.path, path_prefix))]
    if diagnostic.line > 0:
        properties.append(("line", str(diagnostic.line)))
        if diagnostic.column > 0:
            properties.append(("col", str(diagnostic.column)))
            if diagnostic.end_column and diagnostic.end_column > diagnostic.column:
                properties.append(("endColumn", str(diagnostic.end_column)))
    properties.append(("title", f"kbc {diagnostic.code}"))
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = shortened(diagnostic.message)
    suggested = advice(diagnostic)
    if suggested:
        message += f"\nhelp: {shortened(suggested)}"
    return f"::{COMMAND[diagnostic.severity]} {listed}::{escape_data(message)}"


def escape_data(text: str) -> str:
    escaped = fs_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    # Other control characters from a vault's text would reach the log as they are.
    return _CONTROL.sub("\ufffd", escaped)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
