"""Text in the graph formats that are not JSON (JSON escapes it itself): control
characters written as ``\\xNN``. XML 1.0, hence GraphML, cannot hold most of them at
all, and DOT or Mermaid printed to a terminal would pass an escape sequence on."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with its control characters (but tab and line breaks) as ``\\xNN``."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)
