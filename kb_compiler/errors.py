"""The one exception type users can cause. The CLI turns it into a one-line message and
exit status 2; everything else a user's files can do wrong is a Diagnostic."""

from __future__ import annotations


class KbcError(Exception):
    """A problem that stops a command from running: bad path, bad option, bad config,
    refused output folder. ``str(error)`` is the one line shown to the user; it names the
    file (and line) when there is one."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")
