"""Parse stage: one page file's bytes -> a ``Page``. Pure per file: the result depends
only on (path, bytes, options), so pages can be parsed in parallel and cached.

Dialect knowledge lives in ``logseq.py`` (Org pages: ``logseq_org.py``, whiteboards:
``logseq_whiteboard.py``) and ``obsidian.py``; this module only decodes,
names the page, picks the dialect and makes sure no input ever raises.
"""

from __future__ import annotations

from dataclasses import replace

from kb_compiler.config import ParseOptions
from kb_compiler.encoding import REPAIRED, CodeMask, DecodedText, decode
from kb_compiler.model import Diagnostic, Dialect, Page, Severity, SourceFile
from kb_compiler.parse.detect import detect_dialect
from kb_compiler.parse.directives import MARKER, parse_directives
from kb_compiler.parse.logseq import parse_logseq
from kb_compiler.parse.logseq_blocks import code_only_masked as logseq_code_mask
from kb_compiler.parse.logseq_org import parse_org
from kb_compiler.parse.logseq_whiteboard import WHITEBOARD_SUFFIX, is_whiteboard, parse_whiteboard
from kb_compiler.parse.names import page_name_for_path
from kb_compiler.parse.obsidian import code_only_masked as obsidian_code_mask
from kb_compiler.parse.obsidian import parse_obsidian

ORG_SUFFIXES = (".org",)


def parse_source(source: SourceFile, options: ParseOptions) -> Page:
    """Read ``source`` from disk and parse it; an unreadable file becomes an empty page
    with a diagnostic."""
    try:
        data = source.absolute.read_bytes()
    except OSError as error:
        name = page_name_for_path(source.path, options, is_journal=source.is_journal)
        problem = Diagnostic(
            "unreadable-file", Severity.ERROR, source.path, 0, 0,
            f"cannot read file: {error.strerror or error}",
        )
        return Page(source.path, name, source.dialect_hint or Dialect.MARKDOWN, "",
                    diagnostics=(problem,))
    return parse_page(source, data, options)


def parse_page(source: SourceFile, data: bytes, options: ParseOptions) -> Page:
    """Parse one page file's bytes. Never raises: a parser failure on hostile input is
    reported as an ``internal-error`` diagnostic and the page keeps its name and text."""
    is_org = source.path.lower().endswith(ORG_SUFFIXES)
    whiteboard = is_whiteboard(source.path) and source.dialect_hint is Dialect.LOGSEQ
    decoded = _kept_as_written(decode(data, source.path, repair=options.fix_encoding,
                                      code_mask=_code_mask(source, is_org)))
    named_by = source.path.removesuffix(WHITEBOARD_SUFFIX) if whiteboard else source.path
    default_name = page_name_for_path(named_by, options, is_journal=source.is_journal)
    dialect = source.dialect_hint or detect_dialect(decoded.text)
    notes = (_org_note(source.path),) if is_org else ()
    try:
        if is_org:
            page = parse_org(source.path, decoded.text, options, default_name=default_name)
        elif whiteboard:
            page = parse_whiteboard(source.path, decoded.text, options,
                                    default_name=default_name)
        elif dialect is Dialect.LOGSEQ:
            page = parse_logseq(source.path, decoded.text, options, default_name=default_name)
        else:
            page = parse_obsidian(source.path, decoded.text, options,
                                  default_name=default_name, dialect=dialect)
    except RecursionError as error:  # defence in depth: parsers walk iteratively
        page = _failed_page(source, default_name, dialect, decoded.text, error)
    except Exception as error:  # one broken page must not stop the others
        page = _failed_page(source, default_name, dialect, decoded.text, error)
    return replace(
        page,
        is_journal=source.is_journal,
        diagnostics=(*decoded.diagnostics, *notes, *page.diagnostics),
        repaired_lines=decoded.repaired_lines,
    )


def _kept_as_written(decoded: DecodedText) -> DecodedText:
    """``decoded`` with each repaired line that a ``kbc-ignore encoding-repaired``
    directive covers put back as the file holds it: on a page about mojibake, the
    author's way to say "this damage is the example" outside code."""
    if not decoded.repaired_lines or MARKER not in decoded.text:
        return decoded
    silencer = parse_directives(decoded.text)
    kept = {diagnostic.line for diagnostic in decoded.diagnostics
            if diagnostic.code == REPAIRED and silencer.silences(diagnostic)}
    if not kept:
        return decoded
    lines = decoded.text.split("\n")
    for number, original in decoded.repaired_lines:
        if number in kept:
            lines[number - 1] = original
    return DecodedText(
        "\n".join(lines),
        tuple(d for d in decoded.diagnostics if d.code != REPAIRED or d.line not in kept),
        tuple(entry for entry in decoded.repaired_lines if entry[0] not in kept))


def _code_mask(source: SourceFile, is_org: bool) -> CodeMask:
    """What the page's dialect reads as code, which the encoding repair leaves as
    written (asked only of a page that holds suspect text)."""

    def mask(text: str) -> str:
        dialect = source.dialect_hint or detect_dialect(text)
        if is_org or dialect is Dialect.LOGSEQ:
            return logseq_code_mask(text)
        return obsidian_code_mask(text)

    return mask


def _org_note(path: str) -> Diagnostic:
    return Diagnostic(
        "unsupported-format", Severity.INFO, path, 0, 0,
        "Org-mode page: its outline, properties and references are read, and the site "
        "draws it as Logseq does, but for some Org markup (footnotes, description lists, "
        "timestamps, sub- and superscripts), shown as written",
    )


def _failed_page(
    source: SourceFile, name: str, dialect: Dialect, text: str, error: BaseException
) -> Page:
    problem = Diagnostic(
        "internal-error", Severity.ERROR, source.path, 0, 0,
        f"could not parse this page ({type(error).__name__}: {error}); kept as plain text",
    )
    return Page(source.path, name, dialect, text, diagnostics=(problem,))
