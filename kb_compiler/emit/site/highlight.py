"""Code and math rendered at build time, so the site needs no CDN and no script for
either: pygments writes code as HTML with CSS classes (the stylesheet is generated for
the light and the dark theme), latex2mathml writes math as MathML that browsers draw.

Mermaid diagrams, which Obsidian draws from a ```` ```mermaid ```` block, have no Python
renderer: their source is written as ``<pre class="diagram">`` and drawn in the
browser by the Mermaid library the site carries (``static/mermaid.min.js``, copied only
into sites that may need it, loaded by ``site.js`` only on pages that have a diagram).
Without script, or when the source does not parse, the source stays readable.

Both results are checked here before they are trusted: MathML is parsed back and kept
only when every element and attribute is on a MathML allow-list, because latex2mathml
copies ``\\text{...}`` contents verbatim (``\\text{<script>}`` would otherwise pass).
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ElementTree

from latex2mathml.converter import convert as latex_to_mathml
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

# Past this size code is shown escaped but not coloured: lexing megabytes is slow.
MAX_HIGHLIGHT_CHARS = 100_000
# Pygments' default style: every token colour at least 4.5:1 on its ground (WCAG AA) in
# the Pygments we require; "friendly", used before, had comments at 2.6:1, numbers 2.8:1.
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"

DIAGRAM_LANGUAGES = frozenset({"mermaid"})
# A fence that may open a diagram anywhere in a page's text (in a list item or a quote
# too); it may also match inside another code block, which only copies the library.
_DIAGRAM_FENCE = re.compile(r"(?:`{3,}|~{3,})[ \t]*mermaid", re.IGNORECASE)

_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]")
_MATH_TAGS = frozenset(
    {
        "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
        "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "mpadded", "mphantom",
        "menclose", "mfenced", "merror", "mtable", "mtr", "mtd", "mlabeledtr", "munder", "mover",
        "munderover", "mmultiscripts", "mprescripts", "none", "maligngroup", "malignmark"
    }
)
_MATH_ATTRIBUTES = frozenset(
    {
        "display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "separators", "lspace",
        "rspace", "accent", "accentunder", "movablelimits", "columnalign", "rowalign",
        "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "width", "height",
        "depth", "linethickness", "displaystyle", "scriptlevel", "minsize", "maxsize", "form",
        "notation", "align", "open", "close", "largeop", "symmetric", "encoding", "class"
    }
)


@functools.lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=True)


def highlight_code(code: str, language: str) -> str:
    """``code`` as a ``<div class="highlight">`` block, coloured when the language is
    known (unknown languages and very long code come out escaped, uncoloured)."""
    label = html.escape(language, quote=True)
    attrs = f' data-lang="{label}"' if language else ""
    if len(code) > MAX_HIGHLIGHT_CHARS:
        return f'<div class="highlight"{attrs}><pre><code>{html.escape(code)}</code></pre></div>'
    body = pygments_highlight(code, _lexer(language.lower() or "text"), _FORMATTER)
    return body.replace('<div class="highlight">', f'<div class="highlight"{attrs}>', 1)


def diagram_html(source: str) -> str:
    """A diagram's source, for ``site.js`` to have Mermaid draw."""
    return f'<pre class="diagram">{html.escape(source, quote=False)}</pre>'


def may_have_diagram(text: str) -> bool:
    """Whether a page's text may hold a diagram (never False when it does). The plain
    search first: the pattern alone took 0.26 s over 10,000 pages, this 0.01 s."""
    return "mermaid" in text.lower() and _DIAGRAM_FENCE.search(text) is not None


def pygments_css() -> str:
    """The code colours for both themes: light by default, dark under ``.theme-dark``
    or when the system prefers dark and no theme was chosen. The dark colours are for
    screens only, as the site's dark palette is: code prints dark on white."""
    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight")
    dark_rules = [
        line
        for line in HtmlFormatter(style=DARK_STYLE).get_style_defs(".highlight").splitlines()
        if line.startswith(".highlight")
    ]
    chosen = "\n".join(f"  html.theme-dark {line}" for line in dark_rules)
    system = "\n".join(f"  html:not(.theme-light) {line}" for line in dark_rules)
    return (
        f"/* pygments {LIGHT_STYLE} (light) and {DARK_STYLE} (dark) */\n{light}\n"
        f"@media screen {{\n{chosen}\n}}\n"
        f"@media screen and (prefers-color-scheme: dark) {{\n{system}\n}}\n"
    )


def render_math(latex: str, *, display: bool, in_text: bool = False) -> str:
    """MathML for ``latex``; LaTeX that does not convert, or converts to something
    outside the MathML allow-list, is shown as code. ``in_text``: displayed math met
    inside a paragraph, wrapped in a span (a div may not sit in a ``<p>``) that the
    stylesheet shows as a block."""
    mode = "block" if display else "inline"
    try:
        mathml = latex_to_mathml(latex, display=mode)
    except Exception:
        return _math_fallback(latex, display)
    if not _is_clean_mathml(mathml):
        return _math_fallback(latex, display)
    wrapper = "div" if display and not in_text else "span"
    return f'<{wrapper} class="math math-{mode}">{mathml}</{wrapper}>'


def _math_fallback(latex: str, display: bool) -> str:
    css = "math-error math-block" if display else "math-error"
    return f'<code class="{css}" title="could not render this formula">{html.escape(latex)}</code>'


def _is_clean_mathml(mathml: str) -> bool:
    try:
        root = ElementTree.fromstring(mathml)
    except ElementTree.ParseError:
        return False
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str) or not tag.startswith(_MATHML):
            return False
        if tag[len(_MATHML) :] not in _MATH_TAGS:
            return False
        if any(name not in _MATH_ATTRIBUTES for name in element.attrib):
            return False
        if element.text and _UNKNOWN_COMMAND.match(element.text):
            return False  # a command latex2mathml does not know (mhchem's \ce) kept as text
    return True
