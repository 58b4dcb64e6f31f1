"""Hostile text the vault generator writes into pages: script, event handlers and
``javascript:`` URLs in every place a renderer might pass them through, YAML that runs
code or explodes, and file names that are traps on some system.

Every script payload calls ``alert(`` or loads from ``evil.example``, so a test can
find a live one in the output by those words alone (see ``tests/hostile/inspect.py``).
"""

from __future__ import annotations

from pathlib import Path

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

IMG_ONERROR = '<img src="x" onerror="alert(1)">'

# Raw HTML: a sanitizer must drop script, handlers, frames and dangerous URLs, and keep
# harmless markup (the styled div).
HTML_ATTACKS = (
    "<script>alert('script-tag')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    IMG_ONERROR,
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<a href=\"javascript:alert('a-href')\">a-href</a>",
    "<a href=\"  JaVaScRiPt:alert('spaced')\">spaced</a>",
    "<a href=\"java&#x09;script:alert('entity')\">entity</a>",
    "<iframe src=\"https://evil.example/frame\"></iframe>",
    "<iframe srcdoc=\"<script>alert('srcdoc')</script>\"></iframe>",
    "<object data=\"https://evil.example/o.swf\"></object>",
    "<embed src=\"https://evil.example/e.swf\">",
    "<form action=\"javascript:alert('form')\"><button>go</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('meta')\">",
    "<base href=\"https://evil.example/\">",
    "<div style=\"color: teal\" onclick=\"alert('div')\">styled div stays</div>",
    "<details open ontoggle=alert(1)><summary>s</summary>d</details>",
    "<math><a xlink:href=\"javascript:alert('math')\">m</a></math>",
    "<style>body{background:url(\"javascript:alert('style')\")}</style>",
    "<!-- <script>alert('comment')</script> -->",
    "<div><script>alert('nested')</script></div>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
)

# Attachments that run script when a browser opens them from the site.
ACTIVE_ATTACHMENTS = {
    "evil.svg": ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(\'svg-onload\')">'
                 "<script>alert('svg-script')</script><circle r='5'/></svg>"),
    "evil.html": "<html><body><script>alert('html-attachment')</script></body></html>",
    "evil.xhtml": ('<html xmlns="http://www.w3.org/1999/xhtml"><body>'
                   "<script>alert('xhtml-attachment')</script></body></html>"),
}

# Markdown and wiki link forms carrying script URLs.
LINK_ATTACKS = (
    "[md-link](javascript:alert('md-link'))",
    "[md-upper](JAVASCRIPT:alert('md-upper'))",
    "[md-data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[md-vb](vbscript:alert('vb'))",
    "![md-img](javascript:alert('md-img'))",
    "<javascript:alert('autolink')>",
    "[[javascript:alert('wikilink')]]",
    "[wiki-label]([[javascript:alert('label')]])",
    "[ref-link][evil]",
    "",
    "[evil]: javascript:alert('reference')",
    "[quote\" onmouseover=\"alert(1)](https://example.org/\" onmouseover=\"alert('attr'))",
    "#<script>alert('tag')</script>",
    "`<script>alert('code span shows as text')</script>`",
)

LOGSEQ_MACRO_ATTACKS = (
    "{{video javascript:alert('video')}}",
    "{{video https://evil.example/\"><script>alert('video-attr')</script>}}",
    "{{iframe javascript:alert('iframe-macro')}}",
    "{{renderer <script>alert('renderer')</script>}}",
    "{{youtube \"><img src=x onerror=alert(1)>}}",
    "{{query (and [[x]] \"<script>alert('query')</script>\")}}",
    "![img](javascript:alert('logseq-img')){:height 10 :onerror \"alert(1)\"}",
    "$$\\href{javascript:alert('math')}{x}$$",
    "```\"><script>alert('fence-lang')</script>\ncode\n```",
)

OBSIDIAN_ATTACKS = (
    "> [!\"><img src=x onerror=alert(1)>] callout title <script>alert('callout')</script>",
    "![[pic.png|400\" onerror=\"alert('size')]]",
    "![[pic.png|<script>alert('size-label')</script>]]",
    "$$\\href{javascript:alert('math')}{x}$$",
    "```\"><script>alert('fence-lang')</script>\ncode\n```",
    "==<script>alert('highlight')</script>==",
    "%% <script>alert('comment')</script> %%",
    "[[Note|<img src=x onerror=alert('wiki-label')>]]",
)

# File names (without .md) that are traps: Windows device names, a colon, dots,
# percent-encoded dots and slashes (``../x`` after decoding), names the site uses for
# its own files, markup, quotes, a line break, a leading dash and space, a NUL escape.
ODD_NAMES = (
    "CON", "aux", "a:b", ".", "%2E%2E%2Fx", "a%2Fb", "%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "%2F", "%00", "index", "404", "sitemap.xml", "pagefind", "<img src=x onerror=alert(1)>",
    "quote\"'`", "new\nline", "-rf", " leading space", "trailing dot.", "ü-nfd-\u0308",
)

# Logseq's triple-lowbar names: ``___`` is a namespace slash.
LOGSEQ_ODD_NAMES = ("..___..___escaped", "pagefind___pagefind", "___", "a___..")

# Page names given by title:: (Logseq) or aliases (Obsidian): the site must not turn
# them into paths outside its folder.
HOSTILE_TITLES = (
    "../../../../../escaped-title",
    "/etc/passwd",
    "..",
    ".",
    "C:\\Windows\\evil",
    "<script>alert('title')</script>",
)

# 10^9 list items if anything expands the aliases instead of keeping references.
YAML_BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "---\n"
)


def unsafe_yaml(pwned: Path) -> str:
    """Frontmatter that runs a command under an unsafe YAML loader."""
    return (
        "---\n"
        f"run: !!python/object/apply:os.system [\"touch '{pwned}'\"]\n"
        f"also: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path "
        f"['{pwned}']]\n"
        "---\n"
    )
