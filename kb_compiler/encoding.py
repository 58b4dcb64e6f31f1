"""Bytes -> text for page files: BOM, line ends, invalid UTF-8 and mojibake repair.

Every page goes through ``decode`` before any parser sees it, so property values, tags
and titles are matched in their repaired form (FORMATS.md Part 3). Code (what the page's
dialect reads as code, which the caller finds with its ``code_mask``) is literal and is
never repaired: a page about mojibake shows its examples as written. Repair is two passes
per line: ftfy with every cosmetic fixer off (only encoding repairs, so correct text such
as curly quotes or full-width characters is never touched), then our own run repair for
what ftfy leaves (``repair_runs``): Mac Roman emoji (U+F8FF + ``üîç``) and damaged runs
inside lines that also hold correct non-ASCII text.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import ftfy
import ftfy.bad_codecs  # registers the sloppy-windows-1252 codec
from ftfy import TextFixerConfig
from ftfy.badness import is_bad

from kb_compiler.model import Diagnostic, Severity

_UTF8_BOM = b"\xef\xbb\xbf"
# Control bytes text does not hold (not tab, line ends, form feed or escape).
_BINARY_CONTROLS = bytes([*range(1, 9), *range(14, 27), *range(28, 32)])
# UTF-32's little-endian mark starts with UTF-16's, so it is tried first.
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
              (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))

# Only ftfy's encoding repairs: no HTML unescaping, no quote straightening, no width or
# ligature changes, no NFC, no control-character removal, no lossy U+FFFD substitution.
_FTFY_CONFIG = TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=True,
)

REPAIRED = "encoding-repaired"  # the code of each repaired line's diagnostic
_SNIPPET_WIDTH = 80
# Longer lines are decoded but not repaired: no page has prose lines this long, and
# repair costs microseconds per damaged spot, so a hostile 5 MB line of mojibake would
# cost seconds. Such a line is generated data, not an author's text.
MAX_REPAIR_LINE = 100_000


@dataclass(frozen=True, slots=True)
class DecodedText:
    """A page file's text as parsers see it (LF line ends, no BOM, repaired when asked),
    with the problems found on the way."""

    text: str
    diagnostics: tuple[Diagnostic, ...] = ()
    # (line number, the line as the file holds it) of each line the repair changed
    repaired_lines: tuple[tuple[int, str], ...] = ()


# Text -> the same text with its code blanked (each line keeping its length).
CodeMask = Callable[[str], str]


def decode(data: bytes, path: str, *, repair: bool = True,
           code_mask: CodeMask | None = None) -> DecodedText:
    """Decode a page file's bytes. Never raises: a binary file gives empty text and an
    ``invalid-encoding`` error; invalid UTF-8 is replaced by U+FFFD and reported at the
    first bad byte; mojibake outside the code ``code_mask`` blanks is repaired (when
    ``repair``) and reported per line."""
    wide = next((name for bom, name in _WIDE_BOMS if data.startswith(bom)), None)
    if wide is not None:
        text, diagnostics = _decode_wide(data, wide, path)
    elif _looks_binary(data):
        problem = Diagnostic(
            "invalid-encoding", Severity.ERROR, path, 0, 0,
            "binary file: not a text page (NUL and control bytes, as in a picture; or UTF-16 "
            "without a byte-order mark)",
        )
        return DecodedText("", (problem,))
    else:
        text, diagnostics = _decode_utf8(data, path)
    if not repair:
        return DecodedText(text, tuple(diagnostics))
    original = text
    text, repairs = repair_text(text, path, code_mask)
    diagnostics.extend(repairs)
    lines = original.split("\n") if repairs else []
    return DecodedText(text, tuple(diagnostics),
                       tuple((d.line, lines[d.line - 1]) for d in repairs))


def repair_text(text: str, path: str,
                code_mask: CodeMask | None = None) -> tuple[str, list[Diagnostic]]:
    """Repair mojibake line by line, outside the code ``code_mask`` blanks; one
    ``encoding-repaired`` diagnostic per changed line, at the column of its first
    change. Lines longer than ``MAX_REPAIR_LINE`` characters are left as they are."""
    lines = text.split("\n")
    suspect = [number for number, line in enumerate(lines)
               if len(line) <= MAX_REPAIR_LINE and not line.isascii() and _SUSPECT.search(line)]
    if not suspect:
        return text, []
    masked = code_mask(text).split("\n") if code_mask is not None else lines
    lost_leads = could_be_mac_roman("\n".join(masked))
    found: list[Diagnostic] = []
    for index in suspect:
        line = lines[index]
        fixed, steps = _repair_outside_code(line, masked[index], lost_leads)
        if fixed != line:
            lines[index] = fixed
            found.append(_repaired(path, index + 1, line, fixed, steps))
    if not found:
        return text, found
    return "\n".join(lines), found


def _repair_outside_code(line: str, masked: str,
                         lost_leads: bool) -> tuple[str, tuple[str, ...]]:
    """``line`` repaired where ``masked`` (the line with its code blanked) shows it as
    it is; the code between is kept as written."""
    if masked == line:
        return repair_line(line, lost_leads=lost_leads)
    parts: list[str] = []
    steps: list[str] = []
    for is_code, start, end in _code_runs(line, masked):
        part = line[start:end]
        if not is_code:
            part, part_steps = repair_line(part, lost_leads=lost_leads)
            steps.extend(step for step in part_steps if step not in steps)
        parts.append(part)
    return "".join(parts), tuple(steps)


def _code_runs(line: str, masked: str) -> list[tuple[bool, int, int]]:
    """(is code, start, end) runs of ``line``: code where the mask blanked a character.
    A blank belongs to the run before it (the first run: to the one after it)."""
    blanked = [masked[at] != char for at, char in enumerate(line)]
    first = next((flag for flag, char in zip(blanked, line, strict=True) if char != " "),
                 False)
    runs: list[tuple[bool, int, int]] = []
    start, current = 0, first
    for at, char in enumerate(line):
        if char != " " and blanked[at] != current:
            runs.append((current, start, at))
            start, current = at, blanked[at]
    runs.append((current, start, len(line)))
    return runs


def repair_line(line: str, *, lost_leads: bool | None = None) -> tuple[str, tuple[str, ...]]:
    """One line repaired, with the steps used (``encode macroman``, ``decode utf-8``...).
    Returns the line itself when nothing looks damaged. ``lost_leads``: whether an emoji
    that lost its U+F8FF may be guessed (``could_be_mac_roman`` of the page; by default,
    of the line)."""
    if lost_leads is None:
        lost_leads = could_be_mac_roman(line)
    fixed, explanation = ftfy.fix_and_explain(line, config=_FTFY_CONFIG)
    steps = [f"{action} {argument}" for action, argument in explanation or ()]
    fixed, run_steps = repair_runs(fixed, lost_leads=lost_leads)
    steps.extend(step for step in run_steps if step not in steps)
    fixed = _unlikely_repairs_undone(line, fixed)
    return (fixed, tuple(steps)) if fixed != line else (line, ())


def _unlikely_repairs_undone(line: str, fixed: str) -> str:
    """``fixed`` with four kinds of repair put back, where correct text is more likely:
    three characters ending a word turned into one letter of another script
    (``Café½«`` is correct text whose ``é½«`` reads, as Windows-1252, as the UTF-8 of
    ``齫``; damaged text of such a script makes runs of those letters, ``æ—¥æœ¬`` for
    ``日本``), a math sign typed on a Mac read as a letter (``_mac_math``), and a
    repair that swallowed a blank: ``â€`` before a space is ``”`` whose last byte was
    lost, not ``†`` (ftfy takes the space for a lost non-breaking one), and is left as
    it is, damage and all, rather than made a wrong character glued to the next word;
    and a repair that swallowed the closing quote of a quotation (``_closes_a_quote``)."""
    if len(fixed) == len(line):
        return fixed
    kept: list[str] = []
    matcher = difflib.SequenceMatcher(None, line, fixed, autojunk=False)
    for tag, start, end, fixed_start, fixed_end in matcher.get_opcodes():
        repaired = fixed[fixed_start:fixed_end]
        glued = (tag == "replace" and end - start == 3 and len(repaired) == 1
                 and start > 0 and line[start - 1].isalpha() and repaired.isalpha()
                 and not unicodedata.name(repaired, "").startswith("LATIN"))
        math = tag == "replace" and len(repaired) == 1 and _mac_math(line, start, end)
        spaced = tag == "replace" and " " in line[start:end] and \
            not any(char.isspace() for char in repaired)
        closing = tag == "replace" and _closes_a_quote(line, start, end, repaired)
        kept.append(line[start:end] if glued or math or spaced or closing else repaired)
    return "".join(kept)


_QUOTES = {"”": "“", "»": "«"}


def _closes_a_quote(line: str, start: int, end: int, repaired: str) -> bool:
    """The replaced text ends with the closing quote of a quotation opened before it,
    which the repair swallowed: ``“XÃ”`` is a Vietnamese or Portuguese word in capitals
    ending in Ã, quoted, not the Windows-1252 form of ``Ô`` (C3 94)."""
    quote = line[end - 1]
    opening = _QUOTES.get(quote)
    return (opening is not None and quote not in repaired
            and line.count(opening, 0, start) > line.count(quote, 0, start))


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, and more than one in ten (UTF-16 without its byte-order mark) or
    beside control bytes no text holds (a picture, an archive: about one byte in ten).
    A text page a crash or a sync tool damaged holds a few NULs in otherwise good text,
    UTF-8 or not: it is read, and they are reported where they are."""
    nuls = data.count(0)
    if not nuls:
        return False
    if nuls * 10 > len(data):
        return True
    controls = len(data) - len(data.translate(None, _BINARY_CONTROLS))
    return controls * 100 > len(data)


def _decode_utf8(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    # Line ends are normalised on the bytes, before decoding, so the line of a bad byte
    # is counted the same way parsers count lines.
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    diagnostics: list[Diagnostic] = []
    if b"\x00" in data:
        diagnostics.append(_nul_bytes(data, path))
        data = data.replace(b"\x00", "\ufffd".encode())
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        diagnostics.append(_invalid_utf8(data, error, path))
    return text, diagnostics


def _nul_bytes(data: bytes, path: str) -> Diagnostic:
    offset = data.index(b"\x00")
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    count = data.count(b"\x00")
    more = f" ({count} in the file)" if count > 1 else ""
    return Diagnostic(
        "invalid-encoding", Severity.ERROR, path, data.count(b"\n", 0, offset) + 1, column,
        f"NUL byte in a text page; read as U+FFFD{more}",
        suggestion="the file may be damaged: remove the NUL bytes",
    )


def _decode_wide(data: bytes, name: str, path: str) -> tuple[str, list[Diagnostic]]:
    """A UTF-16 or UTF-32 file is unambiguous thanks to its BOM: read it, but say it is
    not UTF-8, and report invalid code units where they are, as for UTF-8."""
    codec = name.lower()
    problems = [Diagnostic(
        "invalid-encoding", Severity.WARNING, path, 0, 0,
        f"file is {name}, not UTF-8; read as {name}",
        suggestion="re-save the file as UTF-8",
    )]
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        text = data.decode(codec, errors="replace")
        problems.append(_invalid_wide(data, error, name, path, text))
    return text.replace("\r\n", "\n").replace("\r", "\n"), problems


def _invalid_wide(data: bytes, error: UnicodeDecodeError, name: str, path: str,
                  replaced: str) -> Diagnostic:
    codec = name.lower()
    before = data[:error.start].decode(codec, errors="replace").removeprefix("\ufeff")
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    line_start = before.rfind("\n") + 1
    bad = replaced.count("\ufffd") - data.decode(codec, errors="ignore").count("\ufffd")
    more = f" ({bad} invalid sequences in the file)" if bad > 1 else ""
    return Diagnostic(
        "invalid-encoding", Severity.ERROR, path, before.count("\n") + 1,
        len(before) - line_start + 1,
        f"invalid {name} code unit; decoded with U+FFFD replacement{more}",
        suggestion="the file may be damaged or cut short: re-save it as UTF-8",
    )


def _invalid_utf8(data: bytes, error: UnicodeDecodeError, path: str) -> Diagnostic:
    offset = error.start
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    bad = _count_invalid(data)
    more = f" ({bad} invalid sequences in the file)" if bad > 1 else ""
    return Diagnostic(
        "invalid-encoding", Severity.ERROR, path, line, column,
        f"invalid UTF-8 byte 0x{data[offset]:02X}; decoded with U+FFFD replacement{more}",
        suggestion="re-save the file as UTF-8 (it may be Latin-1 or Windows-1252)",
    )


def _count_invalid(data: bytes) -> int:
    """How many invalid sequences the file holds (U+FFFD already in the file excluded)."""
    replaced = data.decode("utf-8", errors="replace").count("\ufffd")
    return replaced - data.count("\ufffd".encode())


def _repaired(
    path: str, number: int, before: str, after: str, steps: tuple[str, ...]
) -> Diagnostic:
    start, end_before, end_after = _changed_span(before, after)
    old, new = _snippet(before, start, end_before), _snippet(after, start, end_after)
    how = f" ({', '.join(steps)})" if steps else ""
    return Diagnostic(
        REPAIRED, Severity.WARNING, path, number, start + 1,
        f"repaired encoding damage: '{old}' -> '{new}'{how}",
        end_column=end_after + 1,  # the page keeps the repaired text, so mark that span
    )


def _changed_span(before: str, after: str) -> tuple[int, int, int]:
    """(first differing index, end of the change in ``before``, end in ``after``)."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    tail = 0
    while (tail < limit - start
           and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]):
        tail += 1
    return start, len(before) - tail, len(after) - tail


def _snippet(line: str, start: int, end: int) -> str:
    """The changed part widened to whole words, capped, with invisible characters
    (U+F8FF draws as nothing) shown as escapes."""
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    while end < len(line) and not line[end].isspace():
        end += 1
    text = line[start:end]
    if len(text) > _SNIPPET_WIDTH:
        text = text[: _SNIPPET_WIDTH - 1] + "…"
    return "".join(_visible(char) for char in text)


def _visible(char: str) -> str:
    code = ord(char)
    if 0xE000 <= code <= 0xF8FF or code < 0x20 or 0x7F <= code < 0xA0:
        return f"\\u{code:04x}"
    return char


# --- Run repair: what ftfy leaves -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _WrongCodec:
    """A single-byte code page UTF-8 was wrongly read with."""

    name: str  # Python codec name, to get the original bytes back
    lead4: str  # what the 4-byte lead F0 (every emoji starts with it) became
    upper: str  # the characters bytes 0x80-0xFF decode to

    @property
    def steps(self) -> tuple[str, str]:
        label = "macroman" if self.name == "mac_roman" else self.name
        return (f"encode {label}", "decode utf-8")


def _upper_half(codec: str) -> str:
    return bytes(range(0x80, 0x100)).decode(codec)


_MAC_ROMAN = _WrongCodec("mac_roman", "\uf8ff", _upper_half("mac_roman"))
_WINDOWS_1252 = _WrongCodec(
    "sloppy-windows-1252", "\u00f0", _upper_half("sloppy-windows-1252")
)
_CODECS = (_MAC_ROMAN, _WINDOWS_1252)
_MAC_ROMAN_CHARS = frozenset(_MAC_ROMAN.upper)
_RUNS = {codec: re.compile(f"[{re.escape(codec.upper)}]{{2,}}") for codec in _CODECS}
# A line without any of these characters cannot hold mojibake, so the common case
# (ASCII, CJK, correct emoji) skips ftfy entirely.
_SUSPECT_CHARS = "".join(sorted(set(_MAC_ROMAN.upper + _WINDOWS_1252.upper)))
_SUSPECT = re.compile(f"[{re.escape(_SUSPECT_CHARS)}]")
_JOINERS = frozenset("\ufe0f\ufe0e\u200d\u20e3")
_EMOJI_PLANE = range(0x1F000, 0x1FB00)


def repair_runs(line: str, *, lost_leads: bool = True) -> tuple[str, tuple[str, ...]]:
    """Repair runs of two or more characters from a code page's upper half whose bytes
    are UTF-8: re-encode the run, decode each complete UTF-8 sequence in it, and keep a
    decoded character only when the run looks like damage (see ``_plausible``)."""
    steps: list[str] = []
    for codec in _CODECS:
        guess = lost_leads and codec is _MAC_ROMAN
        fixed = _RUNS[codec].sub(functools.partial(_repair_run, codec=codec, lost_leads=guess),
                                 line)
        if fixed != line:
            steps.extend(codec.steps)
            line = fixed
    return line, tuple(steps)


def _repair_run(match: re.Match[str], codec: _WrongCodec, lost_leads: bool) -> str:
    run = match.group()
    raw = run.encode(codec.name)
    out: list[str] = []
    index = 0
    previous_repaired = False
    if lost_leads and _lost_lead_at_start(match, raw):
        out.append((b"\xf0" + raw[:3]).decode("utf-8"))
        index, previous_repaired = 3, True
    while index < len(raw):
        size = utf8_length(raw[index])
        chunk = raw[index:index + size] if size and index + size <= len(raw) else b""
        decoded = _strict_utf8(chunk)
        original = run[index:index + size]
        before = out[-1][-1] if out else match.string[match.start() - 1:match.start()]
        if decoded and (_plausible(original, decoded, codec, previous_repaired)
                        or _accent_of(before, original, decoded, codec)):
            out.append(decoded)
            index += size
            previous_repaired = True
        else:
            out.append(run[index])
            index += 1
            previous_repaired = False
    return "".join(out)


# What a Mac keyboard types with Option: a math sign after "√" or "¬" is more likely
# math (σ ≈ √µ, ¬∞) than the damage of one Latin-1 letter (√µ is the Mac Roman of õ).
_MAC_MATH = frozenset("≠∞±≤≥µ∂∑∏π∫Ω°¬√÷◊≈∆")


def _mac_math(line: str, start: int, end: int) -> bool:
    """``line[start:end]`` is a math sign typed after "√" or "¬", with no letter on
    either side: the damage of a letter sits inside a word (``Espa√±a``, ``25¬∞C``)."""
    if end - start != 2 or line[start] not in "√¬" or line[start + 1] not in _MAC_MATH:
        return False
    before = line[start - 1] if start > 0 else " "
    after = line[end] if end < len(line) else " "
    return not before.isalpha() and not after.isalpha()


def could_be_mac_roman(text: str) -> bool:
    """Whether all of ``text`` could have come out of reading UTF-8 as Mac Roman: no
    character outside ASCII and Mac Roman's upper half. Only then is a token such as
    ``üîç`` taken for an emoji that lost its U+F8FF: a Turkish page writes ``üçü`` ("the
    three of them", the bytes of 🍟 without their lead) beside ``ş`` and ``ı``, which
    Mac Roman has no byte for."""
    return all(char.isascii() or char in _MAC_ROMAN_CHARS for char in set(text))


def _lost_lead_at_start(match: re.Match[str], raw: bytes) -> bool:
    """An emoji whose U+F8FF (the Mac Roman F0) was lost, as in ``üîç``: three
    continuation bytes forming an emoji, as a whole token (``Grüße`` is not one)."""
    if len(raw) < 3 or not all(0x80 <= byte <= 0xBF for byte in raw[:3]):
        return False
    text = match.string
    before = text[match.start() - 1] if match.start() > 0 else " "
    after = text[match.end()] if match.end() < len(text) else " "
    if before.isalnum() or after.isalnum():
        return False
    decoded = _strict_utf8(b"\xf0" + raw[:3])
    # An emoji Unicode has: correct text such as a run of "üüüü" (9F 9F 9F 9F) reads as
    # an unassigned code point (U+1F7DF) and a leftover "ü".
    return bool(decoded) and ord(decoded) in _EMOJI_PLANE and \
        unicodedata.category(decoded) == "So"


def _accent_of(before: str, original: str, decoded: str, codec: _WrongCodec) -> bool:
    """The Mac Roman damage of a combining accent (``ÃÅ``, CC 81) right after a
    letter: decomposed text, as macOS writes names (``Cafe`` + U+0301 read back as
    ``CafeÃÅ``)."""
    return (codec is _MAC_ROMAN and len(original) == 2 and before.isalpha()
            and original.encode(codec.name)[0] in (0xCC, 0xCD)
            and unicodedata.category(decoded) == "Mn")


def _plausible(original: str, decoded: str, codec: _WrongCodec, after_repair: bool) -> bool:
    """Whether ``original`` is damage rather than correct text that happens to re-encode
    as UTF-8 (``»ç`` is C8 8D under Mac Roman, a valid but absurd U+020D)."""
    if decoded in _JOINERS:
        return after_repair or is_bad(original)
    if unicodedata.category(decoded) in ("Cc", "Cs", "Co", "Cn"):
        return False
    lead = original.encode(codec.name)[0]
    if len(original) == 4:
        # U+F8FF never starts a 4-byte run in real text; an eth might, so ask for emoji.
        return lead == 0xF0 and (codec is _MAC_ROMAN or ord(decoded) in _EMOJI_PLANE
                                 or is_bad(original))
    if len(original) == 2:
        # Only the leads of Latin-1 letters (C2, C3: ``√©``, ``Ã©``). Other leads are
        # quotes and dashes (``”``, ``«``, ``—``) that often stand before an accented
        # letter in correct text; a line damaged through and through is ftfy's job.
        return lead in (0xC2, 0xC3) and is_bad(original)
    # Three bytes. E2 is the lead of punctuation and symbols (``‚Äô``, ``‚úÖ``); ftfy's
    # score misses some of them (U+2705), so a symbol or punctuation result is enough.
    if lead == 0xE2 and unicodedata.category(decoded)[0] in "PS":
        return True
    return is_bad(original)


def utf8_length(lead: int) -> int:
    """How many bytes the UTF-8 sequence starting with byte ``lead`` has; 0 when no
    sequence starts with it (a continuation byte, or one UTF-8 never uses)."""
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _strict_utf8(chunk: bytes) -> str:
    """The one character ``chunk`` encodes, or "" when it is not valid UTF-8."""
    try:
        decoded = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return decoded if len(decoded) == 1 else ""
