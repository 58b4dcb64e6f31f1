"""Logseq ``{{macros}}`` on a static page.

Macros with a meaning without the app are rendered: ``video``/``youtube``/``tweet``
become links, ``cloze`` hides its answer until clicked, ``query`` shows what it finds
(``queries``), the vault's own text macros (``:macros`` in ``config.edn``) are expanded
once. Macros that need the running app (``renderer`` and plugin macros) are shown
plainly as code.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from kb_compiler.emit.site.render import RenderOptions, RenderState, render_markdown
from kb_compiler.parse.web_media import LOGSEQ_MEDIA_MACROS, WebEmbed, logseq_macro_address

if TYPE_CHECKING:
    from kb_compiler.emit.site.linker import PageLinker

_PLACEHOLDER = re.compile(r"\$(\d+)")
MAX_MACRO_DEPTH = 2


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def render_macro(linker: PageLinker, meta: dict[str, Any]) -> str:
    name = str(meta["name"])
    args: list[str] = [str(arg) for arg in meta["args"]]
    lowered = name.lower()
    if lowered in LOGSEQ_MEDIA_MACROS and args:
        url = logseq_macro_address(lowered, args[0])
        if url is None:
            return f'<code class="macro">{_escape(f"{{{{{lowered} {args[0]}}}}}")}</code>'
        return media_link("post" if lowered in ("tweet", "twitter") else "video", url)
    if lowered == "cloze" and args:
        return cloze_html(", ".join(args))
    if lowered == "query" and not linker.shallow:
        return linker.context.queries.render(linker, _written(meta), str(meta["arguments"]))
    template = dict(getattr(linker.context.kb.config, "macros", ()) or ()).get(name)
    if template is not None and linker.macro_depth < MAX_MACRO_DEPTH:
        return _expand(linker, template, args)
    return _plain(meta)


def cloze_html(text: str) -> str:
    """``{{cloze answer \\ cue}}``: the answer hidden until it is clicked (it takes the
    focus), the cue shown in its place. A last ``\\`` with nothing after it says there is
    no cue (Logseq's Cloze page: ``{{cloze \\ \\}}`` hides a backslash pair)."""
    answer, separator, cue = text.rpartition("\\\\")
    if not separator:
        answer, cue = text, ""
    shown = _escape(cue.strip()) or "\u2026"
    return (f'<span class="cloze" tabindex="0" title="Click to reveal">'
            f'<span class="cloze-cue">{shown}</span>'
            f'<span class="cloze-answer">{_escape(answer.strip())}</span></span>')


def _plain(meta: dict[str, Any]) -> str:
    return (f'<code class="macro" title="Logseq macro, shown as written (it needs the app)">'
            f"{_escape(_written(meta))}</code>")


def _written(meta: dict[str, Any]) -> str:
    return f"{{{{{meta['name']} {meta['arguments']}}}}}".replace(" }}", "}}")


def media_link(kind: WebEmbed, url: str) -> str:
    """A video or post on the web, as a link: the player needs the other site."""
    label = "Post" if kind == "post" else "Video"
    return (f'<a class="macro-media external" href="{_escape(url)}" rel="noopener">'
            f'<span aria-hidden="true">\u25b6</span> {label}: {_escape(url)}</a>')


def _expand(linker: PageLinker, template: str, args: list[str]) -> str:
    def argument(match: re.Match[str]) -> str:
        position = int(match.group(1)) - 1
        return args[position] if 0 <= position < len(args) else ""

    text = _PLACEHOLDER.sub(argument, template)
    linker.macro_depth += 1
    try:
        # A Logseq macro's template may be hiccup: "[:mark \"$1\"]".
        state = RenderState(linker, RenderOptions(embedded=True, allow_raw_html=False,
                                                  hiccup=True))
        return f'<span class="macro-expanded">{render_markdown(text, state, inline=True)}</span>'
    finally:
        linker.macro_depth -= 1
