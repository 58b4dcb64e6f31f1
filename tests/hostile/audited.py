"""Run the ``kbc`` command line under an audit hook that records every file or folder
opened inside a forbidden folder, to prove kbc never reads outside the vault.

    python tests/hostile/audited.py FORBIDDEN LOG kbc-arguments...

Each forbidden open is appended to LOG at once (worker processes forked by kbc inherit
the hook and write there too). ``sys.addaudithook`` sees every ``open()``,
``os.open``, ``os.scandir`` and ``os.listdir`` made by Python code, kbc's and its
libraries' alike."""

from __future__ import annotations

import os
import sys
import threading

_WATCHED = frozenset({"open", "os.open", "os.scandir", "os.listdir"})


def install(forbidden: str, log: str) -> None:
    forbidden = os.path.realpath(forbidden)
    busy = threading.local()

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event not in _WATCHED or not args or getattr(busy, "on", False):
            return
        path = args[0]
        if not isinstance(path, str | bytes | os.PathLike):
            return
        busy.on = True
        try:
            real = os.path.realpath(os.fsdecode(path))
            if real == forbidden or real.startswith(forbidden + os.sep):
                handle = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                os.write(handle, f"{event} {os.fsdecode(path)!r}\n".encode())
                os.close(handle)
        except (OSError, ValueError):
            pass
        finally:
            busy.on = False

    sys.addaudithook(hook)


if __name__ == "__main__":
    install(sys.argv[1], sys.argv[2])
    from kb_compiler.cli import main

    main(args=sys.argv[3:], prog_name="kbc")
