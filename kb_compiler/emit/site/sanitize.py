"""Raw HTML in pages, made harmless with nh3 (the Rust ammonia sanitizer).

Kept: the markup Markdown itself produces, harmless layout tags (``div``, ``span``,
``details``...), audio and video players (their files found as images' are), classes,
ids, and ``style`` attributes reduced to a list of visual properties whose values load
nothing (no ``url(``, no ``expression``). Dropped: script, style and iframe elements
with their content, every ``on*`` attribute, forms, and links whose scheme is not http,
https or mailto (``javascript:`` above all). Our own markup (links we resolved, embeds,
code, math) is never passed through here: the renderer keeps it in placeholders and
puts it back afterwards.
"""

from __future__ import annotations

import contextvars
import functools
import html
import re
from collections.abc import Callable

import nh3

TAGS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
        "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "li", "mark",
        "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "span",
        "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "time", "tr", "tt", "u", "ul", "var", "wbr", "center", "font", "audio", "video", "source"
    }
)
CLEAN_CONTENT_TAGS = frozenset(
    {"script", "style", "iframe", "object", "embed", "template", "noscript", "frame",
     "frameset", "applet", "svg", "math", "textarea", "select", "button", "form"}
)
ATTRIBUTES = {
    "*": {"class", "id", "style", "title", "lang", "dir", "align", "role", "aria-label",
          "aria-hidden"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "input": {"type", "checked", "disabled"},
    "ol": {"start", "type", "reversed"},
    "li": {"value", "data-task"},  # data-task: an Obsidian task's status character
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
    "time": {"datetime"},
    "font": {"color"},
    # Players: no poster (a second URL), no autoplay.
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "video": {"src", "controls", "loop", "muted", "preload", "width", "height", "playsinline"},
    "source": {"src", "type"},
}
_MEDIA_TAGS = frozenset({"img", "audio", "video", "source"})  # src is a file, not a page
STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color", "border", "border-color", "border-style", "border-width",
        "border-radius", "border-top", "border-right", "border-bottom", "border-left", "padding",
        "padding-top", "padding-right", "padding-bottom", "padding-left", "margin", "margin-top",
        "margin-right", "margin-bottom", "margin-left", "font-weight", "font-style", "font-size",
        "font-family", "font-variant", "text-align", "text-decoration", "text-transform",
        "line-height", "letter-spacing", "white-space", "vertical-align", "width", "max-width",
        "min-width", "height", "max-height", "min-height", "display", "opacity", "list-style-type"
    }
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_UNSAFE_STYLE = re.compile(r"url\s*\(|expression\s*\(|javascript:|@import|\\|<|behavior", re.I)
# A frame and the address it shows; and the padding in percent (with a height of 0) that
# keeps a box at a video's proportions: an empty gap once the frame is gone.
_FRAME = re.compile(r"""<iframe\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))[^>]*>"""
                    r"(?:.*?</iframe\s*>)?", re.IGNORECASE | re.DOTALL)
_RATIO_BOX = re.compile(r"padding-(?:top|bottom)\s*:\s*[\d.]+\s*%", re.IGNORECASE)
_RATIO_BOX_PART = re.compile(r"padding-(?:top|bottom)\s*:\s*[\d.]+\s*%|height\s*:\s*0(?:px)?",
                             re.IGNORECASE)
# Ids our own page chrome uses; raw HTML must not take them (DOM clobbering).
_RESERVED_ID = re.compile(r"^kbc-", re.I)


# (url, is_media) -> the URL to write, or None to drop the attribute: lets the page
# being rendered point raw HTML's local links and images at the site's own files.
UrlFilter = Callable[[str, bool], "str | None"]
_URL_FILTER: contextvars.ContextVar[UrlFilter | None] = contextvars.ContextVar(
    "kbc_url_filter", default=None)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        rewrite = _URL_FILTER.get()
        return rewrite(value, tag in _MEDIA_TAGS) if rewrite is not None else value
    if attribute == "style" and (_UNSAFE_STYLE.search(value) or _RATIO_BOX.search(value)):
        ratio_box = _RATIO_BOX.search(value) is not None
        kept = [part for part in value.split(";") if not _UNSAFE_STYLE.search(part)
                and not (ratio_box and _RATIO_BOX_PART.fullmatch(part.strip()))]
        return ";".join(kept) if kept else None
    if attribute == "id" and _RESERVED_ID.match(value):
        return None
    if attribute == "type" and tag == "input" and value.lower() != "checkbox":
        return None
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True,
    )


def sanitize_html(fragment: str, url_filter: UrlFilter | None = None) -> str:
    """``fragment`` with everything that could run script removed; ``url_filter``
    rewrites (or drops) the ``href``/``src`` values raw HTML carries. A frame (a video
    player of another site) becomes a link to what it showed."""
    if "<iframe" in fragment.lower():
        fragment = _FRAME.sub(_frame_link, fragment)
    token = _URL_FILTER.set(url_filter)
    try:
        return _cleaner().clean(fragment)
    finally:
        _URL_FILTER.reset(token)


def _frame_link(found: re.Match[str]) -> str:
    url = html.unescape(next(part for part in found.groups() if part is not None)).strip()
    if not url.lower().startswith(("https://", "http://")):
        return ""
    shown = html.escape(url, quote=True)
    return (f'<a class="macro-media external" href="{shown}">'
            f'<span aria-hidden="true">\u25b6</span> Embedded: {shown}</a>')
