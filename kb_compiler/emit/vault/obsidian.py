"""Writing an Obsidian vault: notes, and a minimal ``.obsidian/`` configuration.

- An Obsidian note keeps its text; references are rewritten in place and the front
  matter is written again, typed, links quoted.
- A Logseq page becomes front matter (its page properties) and a nested ``- `` list with
  the outline's nesting (tabs, as Obsidian indents). Block properties stay on their block
  as ``key:: value`` lines (Dataview's inline fields, which Logseq reads back as block
  properties), those Logseq never shows (``collapsed``...) in ``%% comments %%``. A
  block's ``id::`` becomes ``^id`` at the end of its first paragraph, or on its own line
  after a heading, table or code block. Numbered blocks
  (``logseq.order-list-type:: number``) become ``1.`` items, a task's marker a checkbox
  (``- TODO x`` -> ``- [ ] x``, ``tasks.py``). Macros without an Obsidian counterpart
  (``{{query}}``, ``{{renderer}}``...) are kept as text and reported; a YouTube video or
  a post becomes Obsidian's ``![](URL)`` (``web_embeds``).
"""

from __future__ import annotations

import json
import re

from kb_compiler.emit.vault.logseq import ORDERED_PROPERTY, PROPERTY_LINE
from kb_compiler.emit.vault.org_blocks import callouts_from_admonitions, fence_org_blocks
from kb_compiler.emit.vault.outline import Unit, dedent, frontmatter_end, logseq_units
from kb_compiler.emit.vault.plan import VaultPlan
from kb_compiler.emit.vault.properties import (
    hidden_property_line,
    logseq_to_yaml,
    yaml_to_yaml,
)
from kb_compiler.emit.vault.rewrite import (
    PageJob,
    edited_lines,
    finish,
    frontmatter_kept,
    kept_as_written,
)
from kb_compiler.emit.vault.tasks import checkbox_from_marker
from kb_compiler.emit.vault.web_embeds import obsidian_embed_of
from kb_compiler.emit.vault.yamltext import YamlValue, frontmatter
from kb_compiler.model import Dialect, Page
from kb_compiler.parse.obsidian_blocks import markdown_tokens

APP_SETTINGS = {"newLinkFormat": "absolute", "useMarkdownLinks": False,
                "alwaysUpdateLinks": True}


def obsidian_page(job: PageJob) -> str:
    """The page's text in the exported Obsidian vault."""
    if (verbatim := kept_as_written(job)) is not None:
        return verbatim
    if job.page.dialect is Dialect.LOGSEQ:
        return _from_logseq(job)
    return _from_obsidian(job)


def _from_obsidian(job: PageJob) -> str:
    page = job.page
    end = frontmatter_end(page)
    lines = edited_lines(job, end)
    if frontmatter_kept(job, end):
        return finish(lines)
    entries = [yaml_to_yaml(prop, job.frontmatter_refs(prop, end))
               for prop in page.properties if prop.line <= end]
    head = frontmatter(entries) if entries or end else ""
    body = lines[end:]
    return head + finish(body) if body else head


def _from_logseq(job: PageJob) -> str:
    page = job.page
    end = frontmatter_end(page)
    lines = edited_lines(job, end)
    # Front matter that does not parse is written as it is, and the page's property
    # lines after it as they are (inline fields) rather than join YAML no one can read.
    kept = frontmatter_kept(job, end)
    entries: list[tuple[str, YamlValue]] = []
    for prop in () if kept else page.properties:
        if prop.line <= end:
            entries.append(yaml_to_yaml(prop, job.frontmatter_refs(prop, end)))
        else:
            entries.append(logseq_to_yaml(prop, job.property_refs(prop), job.comma_keys,
                                          job.options, job.list_keys))
    page_lines = [p.line for p in page.properties if p.line > end]
    skipped = set(range(1, end + 1)) | set(page_lines)
    body: list[str] = []
    ids = job.blocks.ids.get(page.path, {})
    depth, in_html = 0, False
    for unit in logseq_units(page, skipped):
        written = _unit_lines(page, unit, lines, ids)
        if unit.bulleted and unit.depth > depth and written[0].strip() in ("-", "1."):
            # A list item opening with an empty line cannot start a nested list under a
            # paragraph (CommonMark): it would read as a "-" in that paragraph.
            body.append("")
        elif in_html:
            # an HTML block runs to the next blank line (CommonMark): the next item and
            # what follows it would be read into the HTML, its links lost, its text code
            body.append("")
        body.extend(written)
        depth = unit.depth
        in_html = any(_HTML_BLOCK_START.match(line) for line in written)
    _report_macros(job)
    if kept:
        return finish([*lines[:end], *(lines[n - 1] for n in page_lines), "", *body])
    head = frontmatter(entries) if entries else ""
    return head + finish(body)


# A line opening an HTML block in a list item (CommonMark: a tag at its start).
_HTML_BLOCK_START = re.compile(r"[ \t]*(?:[-*+][ \t]+)?</?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)")


def _unit_lines(page: Page, unit: Unit, lines: list[str], ids: dict[int, str]) -> list[str]:
    block = page.blocks[unit.blocks[0]]
    property_lines = {prop.line: prop for prop in block.properties}
    rows = [(number, dedent(lines[number - 1], width)) for number, width in unit.rest]
    if unit.first:  # a block may open with a property line ("- id:: ...")
        rows.insert(0, (unit.first[0], lines[unit.first[0] - 1][unit.first[1]:]))
    ordered = False
    texts: list[str] = []
    for number, text in rows:
        prop = property_lines.get(number)
        if prop is not None and prop.key == "id":
            continue  # written as ^id
        if prop is not None and PROPERTY_LINE.match(text) and \
                text.strip() == ORDERED_PROPERTY:
            ordered = True
            continue
        texts.append(hidden_property_line(text, prop.key) if prop is not None else text)
    texts = callouts_from_admonitions(fence_org_blocks(texts or [""]))
    block_id = ids.get(block.index)
    if not unit.bulleted:
        return [*texts, *(["", f"^{block_id}"] if block_id else [])]
    texts[0] = checkbox_from_marker(texts[0])
    if block_id:
        texts = place_block_id(texts, block_id)
    marker = "1. " if ordered else "- "
    indent = "\t" * unit.depth
    out = [f"{indent}{marker}{texts[0]}".rstrip()]
    out.extend(f"{indent}{' ' * len(marker)}{text}" if text.strip() else "" for text in texts[1:])
    return out


def place_block_id(texts: list[str], block_id: str) -> list[str]:
    """``texts`` (a list item's lines) with ``^block_id`` where Obsidian reads it as
    the item's id: after its first paragraph, or on a line after a heading, table,
    quote or code block that opens the item."""
    tokens = [t for t in markdown_tokens("\n".join(texts)) if t.level == 0 and t.map]
    out = list(texts)
    if not tokens:
        out[0] = f"{out[0]} ^{block_id}".strip()
        return out
    first = tokens[0]
    last = max(first.map[1], 1) if first.map else 1
    if first.type == "paragraph_open":
        out[last - 1] = f"{out[last - 1].rstrip()} ^{block_id}"
        return out
    # On its own line, as a paragraph of its own: blank lines around it where needed.
    after = [""] if last < len(out) and out[last].strip() else []
    before = [] if first.type == "heading_open" else [""]
    out[last:last] = [*before, f"^{block_id}", *after]
    return out


def _report_macros(job: PageJob) -> None:
    for block in job.page.blocks:
        for macro in block.macros:
            if obsidian_embed_of(macro) is not None:
                continue  # written as Obsidian's embed
            job.note("macro-kept", macro.line,
                     f"macro '{{{{{macro.name}}}}}' has no Obsidian counterpart; kept as text")


def obsidian_settings(plan: VaultPlan, has_journals: bool) -> dict[str, str]:
    """``.obsidian/`` files for a vault converted from Logseq or a plain folder."""
    settings = dict(APP_SETTINGS)
    if any(path.startswith("assets/") for path in plan.assets.values()):
        settings["attachmentFolderPath"] = "assets"
    files = {".obsidian/app.json": json.dumps(settings, indent=2) + "\n"}
    if has_journals:
        daily = {"folder": plan.journals_folder, "format": plan.daily_format}
        files[".obsidian/daily-notes.json"] = json.dumps(daily, indent=2) + "\n"
    return files
