"""pagefind's service mode (``pagefind --service``), spoken directly, so a bundle is made
from the documents in the order kbc gives them.

pagefind's command line indexes the files of ``--site`` in the order the file system
lists them, and the bundle's bytes depend on that order: ext4 lists a folder by a hash
of the names seeded per disk, tmpfs newest first, so the same pages gave different
bundles on two machines. The service takes the files one message at a time instead.

The protocol is the one pagefind's own Python and Node wrappers speak: each message a
base64-encoded JSON object followed by a comma, each answer likewise, in the order the
messages came. The Python wrapper waits 0.1 s before reading each answer (6 s for 45
pages), so the files are sent at once here and the answers read by a thread.
"""

from __future__ import annotations

import base64
import binascii
import errno
import json
import queue
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any

_END = b","
# Errors of starting a program that a second try may not meet. One full test run in
# about twenty-five had EFAULT from exec while two shards' services were starting.
_TRANSIENT_START_ERRORS = frozenset({errno.EFAULT, errno.EAGAIN, errno.ETXTBSY, errno.EINTR})


def _start(command: Sequence[str], errors: IO[bytes]) -> subprocess.Popen[bytes]:
    """The service started, tried a second time after a transient start error."""
    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(list(command), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errors)

    try:
        return start()
    except OSError as error:
        if error.errno not in _TRANSIENT_START_ERRORS:
            raise
    return start()


class PagefindError(Exception):
    """The service failed: its error message, or the last line it wrote on stderr."""


class _Stopped(PagefindError):
    """The service's output ended before its answer: what it said on stderr tells why."""


def write_bundle(command: Sequence[str], documents: Sequence[tuple[str, str]], bundle: Path,
                 *, language: str, timeout: float,
                 started: Callable[[subprocess.Popen[bytes]], None] | None = None) -> None:
    """Index ``documents`` (site file, HTML), in that order, into the bundle folder
    ``bundle`` with the service ``command`` starts. ``started`` is handed the process
    (to kill it on cancel). ``PagefindError`` when the service fails or times out."""
    with tempfile.TemporaryFile() as errors:
        process = _start(command, errors)
        if started is not None:
            started(process)
        try:
            files = _Session(process, timeout).run(documents, language)
            status = process.wait(timeout=timeout)
        except _Stopped:
            status = process.wait()
            raise PagefindError(_last_line(errors) or f"exit status {status}") from None
        except subprocess.TimeoutExpired:
            raise PagefindError(f"not done in {timeout:.0f} s") from None
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
        if status != 0:
            raise PagefindError(_last_line(errors) or f"exit status {status}")
    _write(files, bundle)


def _write(files: list[dict[str, str]], bundle: Path) -> None:
    """The bundle's files, as the service gave them (``WriteFiles`` had the service
    write them itself, and it answered before every file was whole: a run's
    ``pagefind.js`` or ``pagefind-ui.css`` came out empty now and then)."""
    for file in files:
        relative = PurePosixPath(file["path"])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise PagefindError(f"a bundle file outside the bundle: {file['path']!r}")
        target = bundle.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(file["content"]))


class _Session:
    def __init__(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.stdin = process.stdin
        self.timeout = timeout
        self.sent = 0
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def run(self, documents: Sequence[tuple[str, str]], language: str) -> list[dict[str, str]]:
        """The bundle's files (``path``, base64 ``content``) for ``documents``."""
        self._send({"type": "NewIndex", "config": {"force_language": language}})
        index = self._answer("NewIndex")["index_id"]
        for file, html in documents:
            self._send({"type": "AddFile", "index_id": index, "file_path": file,
                        "url": None, "file_contents": html})
        self._send({"type": "GetFiles", "index_id": index})
        for _ in documents:
            self._answer("IndexedFile")
        files: list[dict[str, str]] = self._answer("GetFiles")["files"]
        self.stdin.close()  # the service ends with its input
        return files

    def _send(self, payload: dict[str, Any]) -> None:
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload})
        try:
            self.stdin.write(base64.b64encode(message.encode("utf-8")) + _END)
            self.stdin.flush()
        except OSError:
            raise _Stopped() from None

    def _answer(self, kind: str) -> dict[str, Any]:
        try:
            answer = self.answers.get(timeout=self.timeout)
        except queue.Empty:
            raise PagefindError(f"no answer in {self.timeout:.0f} s") from None
        if answer is None:
            raise _Stopped()
        payload = answer.get("payload") or {}
        if payload.get("type") != kind:
            raise PagefindError(str(payload.get("message") or payload))
        return payload

    def _read(self, stdout: IO[bytes]) -> None:
        pieces: list[bytes] = []  # of an answer not yet whole (GetFiles' are megabytes)
        try:
            while chunk := stdout.read1(1 << 16):  # type: ignore[attr-defined]
                *complete, rest = chunk.split(_END)
                for number, message in enumerate(complete):
                    if number == 0:
                        message = b"".join([*pieces, message])
                    self.answers.put(json.loads(base64.b64decode(message)))
                pieces = [rest] if complete else [*pieces, rest]
        except (OSError, ValueError, binascii.Error):
            pass  # a broken answer ends the session: the waiting side reports it
        self.answers.put(None)


def _last_line(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = stream.read().decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""
