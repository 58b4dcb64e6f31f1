"""Known problems: a baseline lets a team adopt ``kbc check`` in CI or pre-commit on a
vault that already has problems, and fail only on new ones.

The baseline is a report ``kbc check --format json -o FILE`` wrote. A problem is known
when the baseline holds one with the same path, code and message; lines are not part of
the match, since editing a page moves the problems below the edit (nor are the line
numbers some messages name: "already used at line 12"). Each baseline entry
covers one problem, so a second broken link to the same page in the same file is new.
Where a page holds more problems of one kind than the baseline, the known ones are
those that best line up with the lines the baseline names (see ``_known``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kb_compiler.errors import KbcError, one_line
from kb_compiler.model import Diagnostic

_Key = tuple[str, str, str]  # path, code, message (its line numbers masked)
_LINE_NUMBER = re.compile(r"\bline \d+")
# How many more of the same a file holds: fixing one of two bad bytes is no new problem.
_FILE_COUNT = re.compile(r" \(\d+ invalid sequences in the file\)")
_ALIGNMENT_LIMIT = 1_000_000  # cells of the line alignment; past it, the first are known


def _key(path: str, code: str, message: str) -> _Key:
    # NFC: macOS names files in NFD, so a baseline written there spelt "Café.md" apart
    # from the same file checked out on Linux, and every problem in it came back as new.
    message = _FILE_COUNT.sub("", _LINE_NUMBER.sub("line #", message))
    return unicodedata.normalize("NFC", path), code, unicodedata.normalize("NFC", message)


@dataclass(frozen=True)
class Baseline:
    """The problems a baseline file records: for each (path, code, message), the lines
    it was found on."""

    source: str
    lines: dict[_Key, tuple[int, ...]]

    @property
    def size(self) -> int:
        return sum(len(lines) for lines in self.lines.values())


@dataclass(frozen=True)
class Subtracted:
    """What is left to report, how many problems the baseline hid, and how many of its
    entries no longer occur (the baseline can be written again, smaller)."""

    diagnostics: tuple[Diagnostic, ...]
    known: int
    fixed: int


def read_baseline(path: Path) -> Baseline:
    """The baseline in ``path``; ``KbcError`` (naming the file and line) when it cannot
    be read or is not a ``kbc check --format json`` report."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KbcError("baseline file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise KbcError(f"cannot read the baseline: {reason}", path=str(path)) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise KbcError(f"the baseline is not JSON: {error.msg}", path=str(path),
                       line=error.lineno) from None
    except RecursionError:
        raise KbcError("the baseline is not a report: it nests too deeply to read",
                       path=str(path)) from None
    entries = document.get("diagnostics") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise KbcError("the baseline is not a 'kbc check --format json' report (no "
                       "'diagnostics' list)", path=str(path))
    lines: defaultdict[_Key, list[int]] = defaultdict(list)
    for number, entry in enumerate(entries, start=1):
        key, line = _entry(entry)
        if key is None:
            raise KbcError(f"baseline entry {number} lacks a text 'path', 'code' or "
                           "'message'", path=str(path))
        lines[key].append(line)
    return Baseline(str(path), {key: tuple(found) for key, found in lines.items()})


def _entry(entry: object) -> tuple[_Key | None, int]:
    if not isinstance(entry, dict):
        return None, 0
    path, code, message = (entry.get(name) for name in ("path", "code", "message"))
    if not (isinstance(path, str) and isinstance(code, str) and isinstance(message, str)):
        return None, 0
    line = entry.get("line")
    return _key(path, code, message), line if isinstance(line, int) else 0


def subtract(diagnostics: Iterable[Diagnostic], baseline: Baseline) -> Subtracted:
    """``diagnostics`` without the problems ``baseline`` knows (order kept)."""
    found = list(diagnostics)
    groups: defaultdict[_Key, list[int]] = defaultdict(list)
    for position, diagnostic in enumerate(found):
        groups[_key(diagnostic.path, diagnostic.code, diagnostic.message)].append(position)
    hidden: set[int] = set()
    for key, positions in groups.items():
        hidden.update(_known(positions, found, baseline.lines.get(key, ())))
    kept = tuple(d for position, d in enumerate(found) if position not in hidden)
    return Subtracted(kept, known=len(hidden), fixed=baseline.size - len(hidden))


def _known(positions: list[int], found: list[Diagnostic], lines: tuple[int, ...]) -> set[int]:
    """Which of one kind's problems the baseline covers. With more problems than
    entries, the new ones are those left over when the entries are matched in order to
    the problems nearest their old lines: an edit shifts the lines below it alike, so a
    line inserted anywhere is told apart from the problems it moved."""
    if len(positions) <= len(lines):
        return set(positions)
    if len(positions) * len(lines) > _ALIGNMENT_LIMIT:
        return set(positions[: len(lines)])
    positions = sorted(positions, key=lambda position: found[position].line)
    now = [found[position].line for position in positions]
    return {positions[index] for index in _aligned(sorted(lines), now)}


def _aligned(old: list[int], now: list[int]) -> list[int]:
    """Indexes into ``now`` (sorted, longer than ``old``) of an order-keeping match of
    every ``old`` line that moves the lines least in total."""
    rows, columns = len(old), len(now)
    infinite = float("inf")
    # cost[i][j]: the first i old lines matched within the first j current ones.
    cost = [[0.0] * (columns + 1)] + [[infinite] * (columns + 1) for _ in range(rows)]
    for i in range(1, rows + 1):
        for j in range(i, columns + 1):
            cost[i][j] = min(cost[i][j - 1], cost[i - 1][j - 1] + abs(old[i - 1] - now[j - 1]))
    matched = []
    i, j = rows, columns
    while i:
        if cost[i][j] == cost[i][j - 1] and j > i:
            j -= 1
        else:
            matched.append(j - 1)
            i, j = i - 1, j - 1
    return matched


def baseline_note(subtracted: Subtracted, baseline: Baseline) -> str:
    """What the summary line adds: ``; 1,166 known problems in FILE not shown`` and how
    many of the baseline's problems are gone."""
    note = f"; {subtracted.known:,} known {_problems(subtracted.known)} in " \
           f"{one_line(baseline.source)} not shown"
    if subtracted.fixed:
        note += f", {subtracted.fixed:,} no longer found (write the baseline again to " \
                "drop them)"
    return note


def _problems(count: int) -> str:
    return "problem" if count == 1 else "problems"
