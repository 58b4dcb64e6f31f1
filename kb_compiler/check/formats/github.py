"""The github format: GitHub Actions workflow commands, one per diagnostic, so each
problem shows as an annotation on its line of a pull request::

    ::error file=vault/pages/a.md,line=3,col=5,endColumn=12,title=broken-link::...

Values are escaped as the Actions toolkit escapes them: ``%``, CR and LF in the
message; additionally ``:`` and ``,`` in properties; other control characters, bidi
overrides and line separators show as U+FFFD, as in the text format. ``endColumn`` is
the span's last column (inclusive, unlike SARIF's). Severity ``info`` becomes a
``notice``. A problem with the whole file (line 0) is annotated on the file. Past
GitHub's cap of annotations per step, a notice first says how many there are.
"""

from __future__ import annotations

from collections import Counter

from kb_compiler.check import CheckResult
from kb_compiler.check.formats import RenderOptions, advice, prefixed, shortened
from kb_compiler.errors import printable
from kb_compiler.model import Diagnostic, Severity

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


# GitHub Actions annotates at most this many errors, warnings and notices per step and
# drops the rest without a word (actions/toolkit, docs/problem-matchers.md).
ANNOTATIONS_PER_KIND = 10


def render(result: CheckResult, options: RenderOptions) -> str:
    lines = [annotation(d, options.path_prefix) for d in result.diagnostics]
    capped = _capped(result.diagnostics)
    if capped:  # first, so that GitHub annotates it whatever follows
        lines.insert(0, capped)
    return "".join(line + "\n" for line in lines)


def _capped(diagnostics: tuple[Diagnostic, ...]) -> str | None:
    """A notice saying how many problems there are, when GitHub will show only some."""
    counts = Counter(d.severity for d in diagnostics)
    if all(count <= ANNOTATIONS_PER_KIND for count in counts.values()):
        return None
    found = ", ".join(f"{counts[severity]} {COMMAND[severity]}{'s' * (counts[severity] != 1)}"
                      for severity in Severity if counts[severity])
    message = (f"{found}: GitHub annotates only the first {ANNOTATIONS_PER_KIND} of each "
               "kind in a step; this step's log lists them all")
    return f"::notice title=kbc check::{escape_data(message)}"


def annotation(diagnostic: Diagnostic, path_prefix: str = "") -> str:
    """The workflow command for one diagnostic."""
    properties = [("file", prefixed(diagnostic.path, path_prefix))]
    if diagnostic.line > 0:
        properties.append(("line", str(diagnostic.line)))
        if diagnostic.column > 0:
            properties.append(("col", str(diagnostic.column)))
            # GitHub's endColumn is the span's last column (the toolkit defaults it to
            # col for one character); a diagnostic's end_column is one past it.
            if diagnostic.end_column and diagnostic.end_column > diagnostic.column:
                properties.append(("endColumn", str(diagnostic.end_column - 1)))
    properties.append(("title", f"kbc {diagnostic.code}"))
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = shortened(diagnostic.message)
    suggested = advice(diagnostic)
    if suggested:
        message += f"\nhelp: {shortened(suggested)}"
    return f"::{COMMAND[diagnostic.severity]} {listed}::{escape_data(message)}"


def escape_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    # Other control characters from a vault's text would reach the log as they are, and
    # a right-to-left override would reorder what the annotation shows.
    return printable(escaped)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
