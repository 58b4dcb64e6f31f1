"""The text of the site's markup, as feed summaries, hover previews, cut snippets and the
search index read it: words the page shows apart stay apart.

Markup keeps them apart in two ways. A tag that starts a new box (a paragraph, a list
item, a line break, a cell) separates words; ``markup_text`` reads it as a space. Pieces
the site lays out side by side with CSS (a task's marker badge before its text, a
property's name and value, a query's results) are written with a space between them
(``apart``): white space between flex, grid or block boxes is not drawn, so the page
looks the same, but its text reads "NOW Write changelog", not "NOWWrite changelog",
wherever it is read without the style sheet (pagefind, a copy, a feed reader).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_TAG = re.compile(r"<[^>]+>")
# Tags inside a line of text: dropped without a space, or "**Says**, Thinks" would read
# "Says , Thinks" (every other tag separates words, as a block or a line break does).
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|cite|code|del|dfn|em|i|ins|kbd|mark|q|s|samp|"
                         r"small|span|strong|sub|sup|time|u|var)(?:\s[^>]*)?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def apart(pieces: Iterable[str]) -> str:
    """Markup pieces the site lays out as separate boxes, with a space between them
    (empty pieces left out)."""
    return " ".join(piece for piece in pieces if piece)


def markup_text(markup: str) -> str:
    """The text of ``markup`` on one line: its words, as the page shows them apart."""
    return html.unescape(_SPACE.sub(" ", _TAG.sub(" ", _INLINE_TAG.sub("", markup)))).strip()
