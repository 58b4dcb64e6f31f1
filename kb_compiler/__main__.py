"""``python -m kb_compiler``: the same command line as the ``kbc`` console script."""

from __future__ import annotations

from kb_compiler.cli import main

if __name__ == "__main__":
    main(prog_name="kbc")
