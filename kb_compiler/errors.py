"""The one exception type users can cause. The CLI turns it into a one-line message and
exit status 2; everything else a user's files can do wrong is a Diagnostic."""

from __future__ import annotations

import re

# C0 and C1 controls but tab and line feed; the bidirectional embeddings, overrides and
# isolates, which reorder what a terminal shows after them ("Trojan Source"); and the
# Unicode line and paragraph separators, which some terminals break lines at.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


class KbcError(Exception):
    """A problem that stops a command from running: bad path, bad option, bad config,
    refused output folder. ``str(error)`` is the one line shown to the user; it names the
    file (and line) when there is one."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")


def printable(text: str) -> str:
    """``text`` with its control characters shown as U+FFFD: file names and page text
    reach the terminal in messages, and an escape sequence or a right-to-left override
    in them must not drive it.
    Tabs and line breaks stay; bytes of a file name that are not UTF-8 read as
    ``fs_text`` writes them."""
    return _CONTROL.sub("\ufffd", fs_text(text))


def one_line(text: str) -> str:
    """``printable`` for text that must stay on its line (a report's headline, a list of
    file names): line breaks show as U+FFFD too. A line break in a file name would start
    a line of the name's choosing, which a CI log may read as a command
    (GitHub's ``::error ...::``)."""
    return printable(text).replace("\n", "\ufffd")


def fs_text(text: str) -> str:
    """``text`` from the file system with the bytes that are not UTF-8 (Python keeps
    them as lone surrogates, which no UTF-8 output can hold) written as ``\\xNN``."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system byte gives
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
