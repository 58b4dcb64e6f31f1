"""Logseq ``{{macros}}`` on a static page.

Macros with a meaning without the app are rendered: ``video``/``youtube``/``tweet``
become links, ``cloze`` hides its answer until clicked, ``query`` shows what it finds
(``queries``), ``namespace`` lists the namespace's tree, the vault's own text macros
(``:macros`` in ``config.edn``) are expanded once. Macros that need the running app
(``renderer`` and plugin macros) are shown plainly as code.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from kb_compiler.emit.site.render import RenderOptions, RenderState, render_markdown
from kb_compiler.emit.site.vaultwide import VAULT_READ
from kb_compiler.model import page_id
from kb_compiler.parse.web_media import LOGSEQ_MEDIA_MACROS, WebEmbed, logseq_macro_address
from kb_compiler.resolve import target_id

if TYPE_CHECKING:
    from kb_compiler.emit.site.linker import PageLinker

_PLACEHOLDER = re.compile(r"\$(\d+)")
MAX_MACRO_DEPTH = 2
MAX_NAMESPACE_DEPTH = 32  # as deep as the site makes namespace pages


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
    if lowered == "namespace" and args and not linker.shallow:
        return namespace_tree(linker, args[0])
    template = dict(getattr(linker.context.kb.config, "macros", ()) or ()).get(name)
    if template is not None and linker.macro_depth < MAX_MACRO_DEPTH:
        return _expand(linker, template, args)
    return _plain(meta)


def namespace_tree(linker: PageLinker, written: str) -> str:
    """``{{namespace x}}``: the pages under namespace ``x``, as a tree of links, as Logseq
    lists them (published pages and the pages the site makes up for names only). Spans
    styled as a list, indented by depth: the macro sits in a line of text, where a list
    would end the paragraph. The tree changes with any page of the vault, which the page
    then depends on."""
    context = linker.context
    linker.report.reads.add(VAULT_READ)
    name = written.strip().removeprefix("[[").removesuffix("]]").strip()
    root = target_id(context.lookup(name, None, linker.page.id)) or page_id(name)
    items: list[str] = []
    stack = [(child, 1) for child in reversed(_shown_children(linker, root))]
    while stack:  # depth first, in name order
        key, depth = stack.pop()
        items.append(f'<span class="namespace-item" style="--depth: {depth}" role="listitem">'
                     f"{_child_link(linker, key)}</span>")
        if depth < MAX_NAMESPACE_DEPTH:
            stack.extend((child, depth + 1) for child in reversed(_shown_children(linker, key)))
    title = f'<span class="namespace-title">{_escape(name)}</span>'
    if not items:
        return title
    return (f'<span class="namespace-macro">{title}<span class="namespace-tree" role="list">'
            f'{"".join(items)}</span></span>')


def _shown_children(linker: PageLinker, key: str) -> list[str]:
    """In name order, as Logseq lists them."""
    context = linker.context
    return sorted(context.shown_children(key),
                  key=lambda child: (context.display_name(child).lower(), child))


def _child_link(linker: PageLinker, key: str) -> str:
    """A namespace child by its last segment, as Logseq's tree shows it."""
    href = linker.context.href(linker.file, key) or ""
    label = linker.context.display_name(key).rsplit("/", 1)[-1]
    return f'<a class="internal" href="{_escape(href)}">{_escape(label)}</a>'


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
