"""Logseq ``key:: value`` lines: the line syntax (FORMATS 1.3), key rules (1.4) and value
typing (1.5), shared by page properties and block properties."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kb_compiler.config import ParseOptions
from kb_compiler.model import (
    Diagnostic,
    Property,
    PropertyValue,
    Reference,
    RefKind,
    Severity,
    normalize_key,
    page_id,
)
from kb_compiler.parse.logseq_inline import (
    InlineFindings,
    Locate,
    ScanContext,
    mask_value,
    may_refer,
    scan_inline,
)

# mldoc: optional spaces, a key of non-space characters without ':', '::', optional
# spaces, then the rest of the line is the value (a value never spans lines).
_PROPERTY_LINE = re.compile(r"[ \t]*+([^\s:]++)::[ \t]*+")
_KEY_PUNCTUATION = frozenset(".*+!-_?$%&=<>/")
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_COMMA_OR_BRACKET = re.compile(r"\[\[|\]\]|[,，]")
_ONLY_EMPTY_LINKS = re.compile(r"(?:[\s,，]|\[\[\s*\]\])*")
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

# Built-in keys whose values Logseq never parses for links or types (FORMATS 1.6).
UNPARSED_KEYS = frozenset({
    "title", "icon", "template", "id", "custom-id", "filters", "background-color",
    "ls-type", "hl-type", "hl-color", "hl-value", "logseq.order-list-type",
    "logseq.tldraw.page", "logseq.tldraw.shape", "query-properties", "query-sort-by",
    "macro",
})
# Built-in keys Logseq never shows ("hidden-built-in-properties" in its graph parser's
# property.cljs): ids, fold state, timestamps, query-table settings, PDF highlights.
HIDDEN_KEYS = frozenset({
    "id", "custom-id", "collapsed", "heading", "background-color", "created-at", "updated-at",
    "last-modified-at", "query-table", "query-properties", "query-sort-by", "query-sort-desc",
    "ls-type", "hl-type", "hl-page", "hl-stamp", "hl-color", "hl-value",
    "logseq.order-list-type", "logseq.tldraw.page", "logseq.tldraw.shape", "todo", "doing",
    "now", "later", "done",
})
# Keys whose values split on commas, each piece a page (more come from config.edn).
COMMA_KEYS = frozenset({"alias", "aliases", "tags"})
# Keys that name pages without making reference edges (they become Page.aliases).
ALIAS_KEYS = frozenset({"alias", "aliases"})


@dataclass
class ParsedProperty:
    """One property line: the Property (None when its key is invalid and dropped) and
    the references and problems found in it."""

    property: Property | None
    findings: InlineFindings = field(default_factory=InlineFindings)


def property_line_match(masked_line: str) -> re.Match[str] | None:
    """The match of a ``key:: value`` line, or None. Run it on the code-masked line so
    a fenced ``a:: b`` is never a property."""
    if "::" not in masked_line:
        return None
    return _PROPERTY_LINE.match(masked_line)


def valid_property_key(key: str) -> bool:
    """Logseq's ``valid-property-name?``: an EDN-keyword-like name (FORMATS 1.4)."""
    if not key or key[0].isdigit() or key[0] in "#/":
        return False
    if key[0] in "-+." and len(key) > 1 and key[1].isdigit():
        return False
    return all(char.isalnum() or char in _KEY_PUNCTUATION for char in key)


def read_property(raw_line: str, masked_line: str, match: re.Match[str], line: int,
                  path: str, options: ParseOptions, *, column_offset: int = 0
                  ) -> ParsedProperty:
    """Turn a matched property line (1-based ``line`` in the file) into a Property.
    ``column_offset`` is where ``raw_line`` begins in the file's line (0-based)."""
    raw_key = match.group(1)
    if not valid_property_key(raw_key):
        problem = Diagnostic(
            "invalid-property-key", Severity.WARNING, path, line,
            column_offset + match.start(1) + 1,
            f"'{raw_key}' is not a valid property name; the property is ignored",
            target=raw_key)
        return ParsedProperty(None, InlineFindings(diagnostics=[problem]))
    key = normalize_key(raw_key)
    value_start = match.end()
    raw_value = raw_line[value_start:].rstrip()
    masked_value = masked_line[value_start:value_start + len(raw_value)]

    def locate(offset: int) -> tuple[int, int]:
        return line, column_offset + value_start + offset + 1

    value, names, findings = type_value(key, raw_value, masked_value, path, locate, options)
    prop = Property(key, raw_key, raw_value, value, line, names)
    return ParsedProperty(prop, findings)


def type_value(key: str, raw: str, masked: str, path: str, locate: Locate,
               options: ParseOptions, *, markdown: bool = True
               ) -> tuple[PropertyValue, tuple[str, ...], InlineFindings]:
    """A property value typed as Logseq types it (FORMATS 1.5): the value, the page
    names it references, and the references and problems found in it. A Markdown
    value is read with Markdown's inline rules (an Org page's, without them)."""
    if key in UNPARSED_KEYS or key in _normalized(options.unreferenced_keys):
        return raw, (), InlineFindings()
    if not raw:
        return "", (), InlineFindings()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw, (), InlineFindings()  # quoted: stays text, quotes kept
    link_kind = RefKind.TAG if key == "tags" else RefKind.PROPERTY
    context = ScanContext(path, locate, property=key, link_kind=link_kind)
    if markdown:
        masked = mask_value(raw, masked)
    if splits_on_commas(key, options):
        findings = _scan_comma_pieces(raw, masked, context)
    else:
        findings = scan_inline(raw, masked, context)
    names = _page_names(findings.references)
    if key in ALIAS_KEYS:  # aliases name the page itself: no reference edges
        findings.references = [r for r in findings.references if r.kind is RefKind.BLOCK_REF]
    if names:
        return names, names, findings
    if "[[" in raw and _ONLY_EMPTY_LINKS.fullmatch(raw):
        return (), (), findings  # relations:: [[]]: an empty reference list
    return scalar_value(raw), (), findings


def splits_on_commas(key: str, options: ParseOptions) -> bool:
    """Whether Logseq reads each comma-separated piece of the key's values as a page
    (FORMATS 1.5, step 4)."""
    return key in COMMA_KEYS or key in _normalized(options.comma_separated_keys)


@lru_cache(maxsize=32)
def _normalized(keys: frozenset[str]) -> frozenset[str]:
    """Configured keys in lookup form (config.edn may write them as ``:keyword``)."""
    return frozenset(normalize_key(key.lstrip(":")) for key in keys)


def scalar_value(raw: str) -> PropertyValue:
    """A value with no links typed as Logseq types it: ``true``/``false``, a number of
    digits, else the text."""
    if raw in ("true", "false"):
        return raw == "true"
    if _DIGITS.fullmatch(raw):
        try:
            return int(raw)
        except ValueError:  # more digits than Python converts: keep the text
            return raw
    return raw


def _page_names(references: list[Reference]) -> tuple[str, ...]:
    """Page names in order, each once (by page identity)."""
    seen: set[str] = set()
    names: list[str] = []
    for ref in references:
        if ref.kind is RefKind.BLOCK_REF or ref.is_asset or not ref.target:
            continue
        identity = page_id(ref.target)
        if identity not in seen:
            seen.add(identity)
            names.append(ref.target)
    return tuple(names)


def comma_spans(masked: str) -> list[tuple[int, int]]:
    """Spans of the value between commas (ASCII or full-width) outside ``[[ ]]``."""
    pieces: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for token in _COMMA_OR_BRACKET.finditer(masked):
        text = token.group()
        if text == "[[":
            depth += 1
        elif text == "]]":
            depth = max(0, depth - 1)
        elif depth == 0:
            pieces.append((start, token.start()))
            start = token.end()
    pieces.append((start, len(masked)))
    return pieces


def _scan_comma_pieces(raw: str, masked: str, context: ScanContext) -> InlineFindings:
    """Each comma-separated piece: its references, or else the piece's own text as a
    page name (``tags:: motor, steering wheel``)."""
    found = InlineFindings()
    for start, end in comma_spans(masked):
        piece = raw[start:end]
        offset = start + len(piece) - len(piece.lstrip())
        text = piece.strip()
        if not text:
            continue

        def locate(at: int, base: int = start) -> tuple[int, int]:
            return context.locate(base + at)

        if may_refer(text):
            piece_context = ScanContext(context.path, locate, context.property,
                                        context.link_kind)
            piece_found = scan_inline(piece, masked[start:end], piece_context)
            found.diagnostics.extend(piece_found.diagnostics)
            if piece_found.references or "[[" in text:
                found.references.extend(piece_found.references)
                continue
        if not _URL_LIKE.match(text):
            line, column = context.locate(offset)
            found.references.append(Reference(
                context.link_kind, text, line, column, property=context.property, raw=text))
    return found
