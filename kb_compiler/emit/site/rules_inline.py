"""Inline markdown-it rules for the knowledge-base syntax both apps add to Markdown.

Each rule has markdown-it's own signature ``(state, silent) -> bool`` and only reads
syntax: it pushes a token whose ``meta`` says what was written (target, subpath,
label, size...). Nothing here resolves a name; the renderer asks the site for that.

Tokens pushed:
- ``wikilink``: ``[[Page]]``, ``[[Page#Heading|label]]``, ``![[embed]]``,
  ``{{embed [[Page]]}}``, and Logseq's ``[label]([[Page]])``;
- ``blockref``: ``((uuid))``, ``{{embed ((uuid))}}`` and ``[label](((uuid)))``;
- ``macro``: any other ``{{name args}}``;
- ``tag``: ``#tag`` and ``#[[multi word tag]]``;
- ``mark_open`` / ``mark_close``: ``==highlight==`` (Obsidian) and ``^^highlight^^``
  (Logseq);
- markdown's own ``image`` and ``link_open``/``link_close``, for a Logseq image or link
  whose address holds spaces (``![photo](../assets/my photo.png)``), which mldoc reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from kb_compiler.emit.site.scan import Scanner, raw_html, scanner
from kb_compiler.parse.logseq_html import opens_element
from kb_compiler.parse.logseq_inline import LATEX_CLOSE, in_three_braces
from kb_compiler.parse.logseq_inline import tag_at as logseq_tag_at
from kb_compiler.parse.obsidian_inline import WIKILINK as OBSIDIAN_WIKILINK
from kb_compiler.parse.obsidian_inline import tag_at as obsidian_tag_at
from kb_compiler.parse.text import is_escaped

_SIZE = re.compile(r"^\s*(\d+)(?:\s*x\s*(\d+))?\s*$")
_UUID_CHARS = re.compile(r"[0-9A-Za-z_-]+")
_MACRO_NAME = re.compile(r"[^\s,]+")
RuleFunc = Callable[[StateInline, bool], bool]


def split_wikilink(inner: str, *, embed: bool) -> dict[str, object]:
    """Split the text between ``[[`` and ``]]`` into target, subpath, label and size.

    ``raw_target`` keeps the part before ``|`` unsplit, because a Logseq page may be
    named ``C#``; the renderer decides which reading the page's dialect means.
    """
    target_part, label = _split_label(inner)
    target, _, subpath = target_part.partition("#")
    size = None
    if embed and label is not None and _SIZE.match(label):
        size, label = label.strip().replace(" ", ""), None
    return {
        "raw_target": target_part.strip(),
        "target": target.strip(),
        "subpath": subpath.strip() or None,
        "label": label.strip() if label and label.strip() else None,
        "embed": embed,
        "size": size,
    }


def _split_label(inner: str) -> tuple[str, str | None]:
    """Split at the first unescaped ``|`` (``\\|`` is how a table cell writes it)."""
    index = inner.find("|")
    if index < 0:
        return inner, None
    escaped = index > 0 and inner[index - 1] == "\\"
    head = inner[: index - 1] if escaped else inner[:index]
    return head, inner[index + 1 :]


def wikilink(state: StateInline, silent: bool) -> bool:
    """``[[target#subpath|label]]`` and the embed form ``![[...]]``, read as the page's
    parser reads them: Logseq pairs brackets (``[[a [[b]] c]]`` links ``a [[b]] c``),
    Obsidian takes the innermost (it links ``b``)."""
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if embed and _page_syntax(state) is False:
        return False  # Logseq reads "!" and a link (its embed is {{embed}}), as the check
    start = pos + 1 if embed else pos
    if not src.startswith("[[", start):
        return False
    if _obsidian_syntax(state):
        if pos > 0 and src[pos - 1] == "!" and is_escaped(src, pos - 1):
            return False  # "\![[x]]": the escape rule took "\!", the rest is text too
        found = OBSIDIAN_WIKILINK.match(src, start)
        end = found.end() if found else -1
    elif scanner(state).opens(start):
        end = scanner(state).closing(start)
    else:
        return False
    return take_wikilink(state, start, end, silent)


def take_wikilink(state: StateInline, start: int, end: int, silent: bool) -> bool:
    """Push the wikilink from ``state.pos`` (``!`` included) to ``end`` (-1: none), its
    ``[[`` at ``start``, and move past it; False when it ends past the text's end."""
    if end < 0 or end > state.posMax:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = split_wikilink(state.src[start + 2 : end - 2],
                                    embed=start > state.pos)
        token.content = state.src[state.pos:end]
    state.pos = end
    return True


def _page_syntax(state: StateInline) -> bool | None:
    """True for an Obsidian page's text, False for a Logseq page's, None for text read
    without a page (a heading's plain text)."""
    kbc = state.env.get("kbc") if isinstance(state.env, dict) else None
    return None if kbc is None else bool(kbc.options.obsidian_syntax)


def _obsidian_syntax(state: StateInline) -> bool:
    return _page_syntax(state) is True


def logseq_syntax(state: StateInline) -> bool:
    """A Logseq page's text (not a heading's plain text, read without a page)."""
    return _page_syntax(state) is False


def logseq_latex(state: StateInline, silent: bool) -> bool:
    """Logseq's ``\\( ... \\)`` and ``\\[ ... \\]`` math, which mldoc reads at a
    backslash before an escape: nothing inside is a link or tag (as the parser reads it,
    ``logseq_inline.code_math_and_escape_spans``)."""
    src, pos = state.src, state.pos
    close = LATEX_CLOSE.get(src[pos + 1:pos + 2]) if src.startswith("\\", pos) else None
    if close is None or not logseq_syntax(state):
        return False
    end = scanner(state).find(close, pos + 2)  # indexed: linear on unclosed openers
    if end < 0 or end + len(close) > state.posMax:
        return False
    if not silent:
        token = state.push("math_inline" if close == "\\)" else "math_inline_double", "math", 0)
        token.content = src[pos + 2:end]
        token.markup = src[pos:pos + 2]
    state.pos = end + len(close)
    return True


def logseq_html(html_inline: RuleFunc) -> RuleFunc:
    """markdown-it's ``html_inline`` rule, replaced on Logseq pages by mldoc's raw HTML
    (``parse.logseq_html``): a whole element of a known tag, or a comment, is one piece
    of HTML whose inside is no link; any other "<" is text, as Logseq shows it."""

    def rule(state: StateInline, silent: bool) -> bool:
        src, pos = state.src, state.pos
        if src[pos] != "<" or not logseq_syntax(state):
            return html_inline(state, silent)
        if not opens_element(src, pos, not state.pending):
            return False
        end = raw_html(state).end(pos, state.posMax)
        if end < 0:
            return False
        if not silent:
            state.push("html_inline", "", 0).content = src[pos:end]
        state.pos = end
        return True

    return rule


def within_line(rule: RuleFunc, mark: str) -> RuleFunc:
    """markdown-it's ``rule`` for what opens at ``mark`` (a code span at a backtick,
    math at ``$``), kept to one line on Logseq pages: mldoc's code spans and dollar math
    never hold a line break, and the Logseq parser reads them line by line."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if state.src[start] != mark:
            return False
        line_end = scanner(state).find("\n", start, state.posMax)
        if line_end < 0 or not logseq_syntax(state):
            return rule(state, silent)
        # asked first without a token (the math rule looks past posMax for its end)
        if rule(state, True) and state.pos > line_end:
            # text: a run of backticks whole, as CommonMark reads an unclosed run; a
            # dollar alone, and the next may open math
            end = start + 1
            while mark == "`" and state.src.startswith(mark, end):
                end += 1
            if not silent:
                state.append_pending(state.src[start:end])
            state.pos = end
            return True
        state.pos = start
        return rule(state, silent)

    return wrapped


def block_ref(state: StateInline, silent: bool) -> bool:
    """``((uuid))``: a Logseq block reference (text on an Obsidian page, as Obsidian,
    the check and the graph read it)."""
    src, pos = state.src, state.pos
    if not src.startswith("((", pos) or _obsidian_syntax(state):
        return False
    match = _UUID_CHARS.match(src, pos + 2)
    if not match or not src.startswith("))", match.end()) or match.end() + 2 > state.posMax:
        return False
    if not silent:
        token = state.push("blockref", "", 0)
        token.meta = {"uuid": match.group(0), "label": None, "embed": False}
        token.content = src[pos : match.end() + 2]
    state.pos = match.end() + 2
    return True


def labelled_ref(state: StateInline, silent: bool) -> bool:
    """Logseq's ``[label]([[Page]])`` and ``[label](((uuid)))``."""
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith("[[", pos):
        return False
    scan = scanner(state)
    label_end = scan.find("](", pos + 1)
    if label_end < 0 or label_end > state.posMax or scan.find("\n", pos, label_end) >= 0 \
            or scan.has_bracket(pos + 1, label_end):
        return False  # the label is one line without brackets, as the parser reads it
    inner_start = label_end + 2
    if src.startswith("[[", inner_start):
        close = scan.closing(inner_start)
        meta_end = close
    elif src.startswith("((", inner_start):
        match = _UUID_CHARS.match(src, inner_start + 2)
        close = match.end() + 2 if match and src.startswith("))", match.end()) else -1
        meta_end = close
    else:
        return False
    if close < 0 or not src.startswith(")", close) or close + 1 > state.posMax:
        return False
    label = src[pos + 1 : label_end].strip() or None
    if not silent:
        if src.startswith("[[", inner_start):
            token = state.push("wikilink", "", 0)
            token.meta = split_wikilink(src[inner_start + 2 : meta_end - 2], embed=False)
            token.meta["label"] = label or token.meta["label"]
        else:
            token = state.push("blockref", "", 0)
            uuid = src[inner_start + 2 : meta_end - 2]
            token.meta = {"uuid": uuid, "label": label, "embed": False}
        if label:  # mldoc reads a label as inline text: `code`, **bold**...
            token.meta["label_html"] = _inline_html(state, label)
        token.content = src[pos : close + 1]
    state.pos = close + 1
    return True


def _inline_html(state: StateInline, text: str) -> str:
    """``text`` rendered as inline Markdown with the page's rules and options."""
    children: list[Token] = []
    state.md.inline.parse(text, state.md, state.env, children)
    # No parser here is given a renderer_cls: each renders with markdown-it's HTML one.
    renderer = cast(RendererHTML, state.md.renderer)
    return renderer.renderInline(children, state.md.options, state.env)


def plain_bracket(state: StateInline, silent: bool) -> bool:
    """A ``[`` that cannot open a link is text. Markdown's own link rule would search
    the rest of the line for its label at every ``[`` (quadratic on a line of 50,000
    unclosed ``[[``); when no ``](`` follows on the line and the document defines no
    reference links, no link can start here, so the bracket is taken as text at once."""
    src, pos = state.src, state.pos
    bang = src.startswith("![", pos)
    if not (bang or src[pos] == "[") or state.env.get("references"):
        return False
    if src.startswith("[^", pos + bang):
        return False
    scan = scanner(state)
    newline = scan.find("\n", pos)
    line_end = newline if newline >= 0 else state.posMax
    if scan.find("](", pos, line_end) >= 0:
        return False
    if not silent:  # appended, not concatenated: "pending += " copies all the text so far
        state.append_pending(src[pos])
    state.pos = pos + 1
    return True


def macro(state: StateInline, silent: bool) -> bool:
    """``{{name args}}`` on one line, or ``{{{name args}}}`` (mldoc tries three braces
    first: Logseq's docs write ``{{{embed [[page]]}}}`` and ``{{{youtube id}}}``);
    ``{{embed [[X]]}}`` and ``{{embed ((uuid))}}`` become embed tokens. Not on
    Obsidian pages: Obsidian has no macros, and its parser reads the text as text."""
    src, pos = state.src, state.pos
    if not src.startswith("{{", pos) or _obsidian_syntax(state):
        return False
    scan = scanner(state)
    braces = 3 if _triple_closes(src, scan, pos, state.posMax) else 2
    end = scan.find("}" * braces, pos + braces)
    if end < 0 or end + braces > state.posMax or scan.find("\n", pos, end) >= 0:
        return False
    inner = src[pos + braces : end].strip()
    name_match = _MACRO_NAME.match(inner)
    if not name_match:
        return False
    if not silent:
        _push_macro(state, name_match.group(0), inner[name_match.end() :].strip())
        state.tokens[-1].content = src[pos : end + braces]
    state.pos = end + braces
    return True


def _triple_closes(src: str, scan: Scanner, pos: int, limit: int) -> bool:
    """Whether the macro at ``pos`` is in three braces as the parser reads them
    (``in_three_braces``), within this inline run."""
    if not src.startswith("{{{", pos):
        return False
    close = scan.find("}", pos + 3)
    return in_three_braces(src, pos, close) and close + 3 <= limit \
        and scan.find("\n", pos, close) < 0


def _push_macro(state: StateInline, name: str, arguments: str) -> None:
    if name.lower() == "embed" and arguments.startswith("[[") and arguments.endswith("]]"):
        token = state.push("wikilink", "", 0)
        token.meta = split_wikilink(arguments[2:-2], embed=True)
        return
    if name.lower() == "embed" and arguments.startswith("((") and arguments.endswith("))"):
        token = state.push("blockref", "", 0)
        token.meta = {"uuid": arguments[2:-2].strip(), "label": None, "embed": True}
        return
    token = state.push("macro", "", 0)
    args = [part.strip() for part in arguments.split(",")] if arguments else []
    token.meta = {"name": name, "args": args, "arguments": arguments}


def tag(state: StateInline, silent: bool) -> bool:
    """``#tag``, ``#nested/tag`` and (Logseq) ``#[[multi word tag]]``, where the page's
    parser reads one: Logseq's after a blank (``#[[`` after anything), Obsidian's after
    a blank or punctuation and with a character that is not a digit."""
    src, pos = state.src, state.pos
    if src[pos] != "#":
        return False
    obsidian = _obsidian_syntax(state)
    if src.startswith("#[[", pos) and not obsidian:
        end = scanner(state).closing(pos + 1)
        name = src[pos + 3 : end - 2].strip()
    else:
        name, end = (obsidian_tag_at if obsidian else logseq_tag_at)(src, pos) or ("", -1)
    if not name or end < 0 or end > state.posMax:
        return False
    if not silent:
        token = state.push("tag", "", 0)
        token.meta = {"name": name}
        token.content = src[pos:end]
    state.pos = end
    return True


def _pair_rule(marker: str) -> RuleFunc:
    """A highlight rule for ``marker text marker`` whose inside is parsed as inline."""

    def rule(state: StateInline, silent: bool) -> bool:
        src, start = state.src, state.pos
        if not src.startswith(marker, start):
            return False
        content_start = start + len(marker)
        end = scanner(state).find(marker, content_start, state.posMax)
        if end <= content_start:
            return False
        inner = src[content_start:end]
        if inner[0].isspace() or inner[-1].isspace() or "\n\n" in inner:
            return False
        if not silent:
            old_max = state.posMax
            state.push("mark_open", "mark", 1)
            state.pos, state.posMax = content_start, end
            state.md.inline.tokenize(state)
            state.posMax = old_max
            state.push("mark_close", "mark", -1)
        state.pos = end + len(marker)
        return True

    return rule


_SPACED_DESTINATION = re.compile(r"\(([^()\n<>]*?[ \t][^()\n<>]*)\)")


def spaced_link(state: StateInline, silent: bool) -> bool:
    """``![alt](../assets/my photo.png)`` and ``[label](my file.pdf)`` on a Logseq page:
    mldoc reads an address with spaces up to the ``)``, CommonMark reads no link. Runs
    after markdown's own ``link`` and ``image`` rules, so it only sees what they left."""
    src, pos = state.src, state.pos
    image = src.startswith("![", pos)
    opener = pos + 1 if image else pos
    if not src.startswith("[", opener) or not logseq_syntax(state):
        return False
    label_end = state.md.helpers.parseLinkLabel(state, opener, False)
    found = _SPACED_DESTINATION.match(src, label_end + 1) if label_end >= 0 else None
    if found is None or found.end() > state.posMax:
        return False
    href = state.md.normalizeLink(found.group(1).strip())
    if not state.md.validateLink(href):
        return False
    if not silent:
        label = src[opener + 1:label_end]
        if image:
            children: list[Token] = []
            state.md.inline.parse(label, state.md, state.env, children)
            token = state.push("image", "img", 0)
            token.attrs = {"src": href, "alt": ""}
            token.children, token.content = children, label
        else:
            state.push("link_open", "a", 1).attrs = {"href": href}
            end = state.posMax
            state.pos, state.posMax = opener + 1, label_end
            state.linkLevel += 1
            state.md.inline.tokenize(state)
            state.linkLevel -= 1
            state.posMax = end
            state.push("link_close", "a", -1)
    state.pos = found.end()
    return True


logseq_highlight = _pair_rule("^^")


def inline_rules_plugin(md: MarkdownIt) -> None:
    """Register the rules. Wikilinks and Logseq label refs run before markdown's own
    ``link`` rule so ``[label]([[Page]])`` is not read as a plain link."""
    md.inline.ruler.before("link", "kbc_labelled_ref", labelled_ref)
    md.inline.ruler.before("link", "kbc_wikilink", wikilink)
    md.inline.ruler.before("link", "kbc_plain_bracket", plain_bracket)
    md.inline.ruler.before("image", "kbc_wikiembed", wikilink)
    md.inline.ruler.before("image", "kbc_plain_bang", plain_bracket)
    md.inline.ruler.after("link", "kbc_spaced_link", spaced_link)
    md.inline.ruler.after("image", "kbc_spaced_image", spaced_link)
    md.inline.ruler.after("backticks", "kbc_block_ref", block_ref)
    md.inline.ruler.after("backticks", "kbc_macro", macro)
    md.inline.ruler.after("backticks", "kbc_tag", tag)
    md.inline.ruler.before("emphasis", "kbc_highlight", _pair_rule("=="))
    md.inline.ruler.before("emphasis", "kbc_logseq_highlight", logseq_highlight)
    md.inline.ruler.before("escape", "kbc_logseq_latex", logseq_latex)
    rules = {rule.name: rule.fn for rule in md.inline.ruler.__rules__}
    md.inline.ruler.at("backticks", within_line(rules["backticks"], "`"))
    md.inline.ruler.at("html_inline", logseq_html(rules["html_inline"]))
    if "math_inline" in rules:  # the dollar-math plugin, when the parser uses it
        md.inline.ruler.at("math_inline", within_line(rules["math_inline"], "$"))
    _stop_text_at(md, "(")


def _stop_text_at(md: MarkdownIt, char: str) -> None:
    """Make markdown-it's ``text`` rule stop at ``char`` so our rule can fire there
    (markdown-it-py >= 4.1)."""
    md.inline.add_terminator_char(char)
