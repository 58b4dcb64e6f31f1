"""Writing a Logseq graph: pages, and ``logseq/config.edn``.

- A Logseq page keeps its text; references are rewritten in place, page properties are
  written as the un-bulleted ``key:: value`` lines Logseq itself writes (front matter
  and a first bullet of properties are moved there), and blocks that a heading link
  points at get an ``id::``.
- An Obsidian note becomes an outline (``outline.obsidian_units``): every heading,
  paragraph, list item, quote, table and code block a ``- `` block, a heading's
  section nested under it, numbered items marked ``logseq.order-list-type:: number``,
  ``^ids`` turned into ``id::`` uuids, front matter into page properties, a task's
  checkbox into a marker (``- [ ] x`` -> ``- TODO x``, ``tasks.py``).
"""

from __future__ import annotations

import re

from kb_compiler.emit.vault.org_blocks import admonitions_from_callouts, unfence_org_blocks
from kb_compiler.emit.vault.outline import LOGSEQ_BULLET, dedent, frontmatter_end
from kb_compiler.emit.vault.plan import VaultPlan
from kb_compiler.emit.vault.properties import shown_property_lines, yaml_to_logseq
from kb_compiler.emit.vault.rewrite import (
    PageJob,
    edited_lines,
    finish,
    frontmatter_kept,
    kept_as_written,
)
from kb_compiler.emit.vault.tasks import marker_from_checkbox
from kb_compiler.model import Dialect, KnowledgeBase, Page, Severity, VaultKind
from kb_compiler.parse.logseq_blocks import TASK_MARKER

PROPERTY_LINE = re.compile(r"[ \t]*(?:-[ \t]+)?([^\s:]+)::[ \t]*")
ORDERED_PROPERTY = "logseq.order-list-type:: number"


def logseq_page(job: PageJob) -> str:
    """The page's text in the exported Logseq graph."""
    if (verbatim := kept_as_written(job)) is not None:
        return verbatim
    if job.page.dialect is Dialect.LOGSEQ:
        return _from_logseq(job)
    return _from_obsidian(job)


def _front_lines(job: PageJob, lines: list[str], end: int) -> list[str]:
    """Front matter as property lines; front matter that does not parse stays as it is
    (Logseq reads front matter too)."""
    if not end:
        return []
    if frontmatter_kept(job, end):
        return lines[:end]
    out: list[str] = []
    for prop in job.page.properties:
        if prop.line > end:
            continue
        written = yaml_to_logseq(prop, job.frontmatter_refs(prop, end), job.options,
                                 job.entry.name)
        if written.warning:
            job.note("property-changed", prop.line, written.warning, Severity.WARNING)
        out.append(written.text())
    return out


def _from_logseq(job: PageJob) -> str:
    page = job.page
    end = frontmatter_end(page)
    lines = edited_lines(job, end)
    head = _front_lines(job, lines, end)
    skipped = set(range(1, end + 1))
    for prop in page.properties:
        if prop.line <= end:
            continue
        found = PROPERTY_LINE.match(lines[prop.line - 1])
        value = lines[prop.line - 1][found.end():].rstrip() if found else prop.raw
        if prop.key == "title" and job.entry.name != page.name:
            value = job.entry.name  # a duplicate page renamed: its title says so
        head.append(f"{prop.raw_key}:: {value}".rstrip())
        skipped.add(prop.line)
    new_ids = _id_lines(page, lines, job.blocks.ids.get(page.path, {}))
    body: list[str] = []
    for number, text in enumerate(lines, start=1):
        if number not in skipped:
            body.append(text)
            body.extend(new_ids.get(number, ()))
    while body and not body[0].strip():
        body.pop(0)
    return finish([*head, *([""] if head and body else []), *body])


def _id_lines(page: Page, lines: list[str], ids: dict[int, str]) -> dict[int, list[str]]:
    """``id::`` lines to add after the first line of blocks that need an id."""
    found: dict[int, list[str]] = {}
    for index, made in ids.items():
        block = page.blocks[index]
        bullet = LOGSEQ_BULLET.match(lines[block.line - 1]) if block.kind == "block" else None
        indent = bullet.group(1) + "  " if bullet else ""
        found.setdefault(block.line, []).append(f"{indent}id:: {made}")
    return found


def _from_obsidian(job: PageJob) -> str:
    page = job.page
    end = frontmatter_end(page)
    lines = edited_lines(job, end)
    head = _front_lines(job, lines, end)
    layout = job.blocks.layouts[page.path]
    unit_ids = job.blocks.ids.get(page.path, {})
    own_ids: dict[int, set[str]] = {}
    for block, number in layout.unit_of_block.items():
        if page.blocks[block].block_id:
            own_ids.setdefault(number, set()).add(page.blocks[block].block_id or "")
    body: list[str] = []
    for number, unit in enumerate(layout.units):
        first = lines[unit.first[0] - 1][unit.first[1]:] if unit.first else ""
        rows = [(unit.first[0] if unit.first else 0, first),
                *((n, dedent(lines[n - 1], c)) for n, c in unit.rest)]
        texts = strip_block_ids(_fence_indented_code(page, unit.blocks, rows),
                                own_ids.get(number, set()))
        texts = unfence_org_blocks(admonitions_from_callouts(shown_property_lines(texts)))
        texts = texts or [""]
        written = texts[0]
        if unit.blocks and page.blocks[unit.blocks[0]].kind == "list-item":
            texts[0] = marker_from_checkbox(texts[0])
        if texts[0] == written and (word := TASK_MARKER.match(written)) is not None:
            job.note("text-becomes-task", unit.first[0] if unit.first else 0,
                     f"the text opens with '{word.group(1)}', which makes the block a "
                     "task in Logseq (a checkbox in Obsidian on the way back)",
                     Severity.WARNING)
        properties = [f"id:: {unit_ids[number]}"] if number in unit_ids else []
        if unit.ordered:
            properties.append(ORDERED_PROPERTY)
        indent = "\t" * unit.depth
        body.append(f"{indent}- {texts[0]}".rstrip())
        body.extend(f"{indent}  {text}" for text in properties)
        body.extend(f"{indent}  {text}" if text.strip() else "" for text in texts[1:])
    return finish([*head, *([""] if head and body else []), *body])


def _fence_indented_code(page: Page, blocks: list[int],
                         rows: list[tuple[int, str]]) -> list[str]:
    """The unit's text rows (source line, text), its indented code blocks fenced: code
    by its indentation alone, which a Logseq bullet does not keep (their links and
    tags were read as real ones). One inside a list item loses the four columns that
    made it code there."""
    code = [page.blocks[i] for i in blocks if page.blocks[i].kind == "code"
            and not _FENCED.match(page.blocks[i].content)]
    for block in code:
        inside = [k for k, (line, _) in enumerate(rows) if block.line <= line <= block.end_line]
        if not inside:
            continue
        if block.index != blocks[0]:  # the unit's own block is dedented already
            for k in inside:
                rows[k] = (rows[k][0], dedent(rows[k][1], _CODE_INDENT))
        rows.insert(inside[-1] + 1, (-1, "```"))
        rows.insert(inside[0], (-1, "```"))
    return [text for _, text in rows]


_CODE_INDENT = 4  # columns that make a line of a list item or a note code
# A fenced code block's first line, in a list item or a quote too.
_FENCED = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:>[ \t]?)*[ \t]*(?:```|~~~)")


def strip_block_ids(texts: list[str], ids: set[str]) -> list[str]:
    """``texts`` without the ``^id`` marks of ``ids`` (at a line end, or alone on a
    line), and without trailing blank lines."""
    out = list(texts)
    for block_id in ids:
        mark = re.compile(r"(?:^|[ \t])\^" + re.escape(block_id) + r"[ \t]*$")
        for index, text in enumerate(out):
            found = mark.search(text)
            if found is None:
                continue
            if text[:found.start()].strip() or index == 0:
                out[index] = text[:found.start()].rstrip()
            else:  # alone on its line, with the blank lines set around it
                end = index + 1 + (index + 1 < len(out) and not out[index + 1].strip())
                start = index - (not out[index - 1].strip())
                del out[start:end]
            break
    while len(out) > 1 and not out[-1].strip():
        out.pop()
    return out or [""]


# --- logseq/config.edn -------------------------------------------------------------------

_NAME_FORMAT = re.compile(r":file/name-format\s+:[\w-]+")


def logseq_config(kb: KnowledgeBase, plan: VaultPlan, comma_keys: frozenset[str]) -> str:
    """The graph's config: the source graph's own (its file names now triple-lowbar),
    or a fresh one naming what the converted pages need."""
    source = kb.root / "logseq" / "config.edn"
    if kb.kind is VaultKind.LOGSEQ and source.is_file():
        text = source.read_text(encoding="utf-8-sig")
        if _NAME_FORMAT.search(text):
            return _NAME_FORMAT.sub(":file/name-format :triple-lowbar", text)
        return _insert_first_key(text, ":file/name-format :triple-lowbar")
    lines = ["{:meta/version 1", ' :preferred-format "Markdown"',
             " :file/name-format :triple-lowbar"]
    if plan.journals_folder != "journals":
        lines.append(f" :journals-directory {_edn_string(plan.journals_folder)}")
    if comma_keys:
        keys = " ".join(f":{key}" for key in sorted(comma_keys))
        lines.append(f" :property/separated-by-commas #{{{keys}}}")
    lines.append(" :hidden []}")
    return "\n".join(lines) + "\n"


def _insert_first_key(text: str, entry: str) -> str:
    """``entry`` added as the first key of the EDN map (after the first ``{`` outside
    comments)."""
    position = 0
    for line in text.splitlines(keepends=True):
        brace = line.find("{")
        if not line.lstrip().startswith(";") and brace >= 0:
            at = position + brace + 1
            return f"{text[:at]}{entry}\n {text[at:]}"
        position += len(line)
    return "{" + entry + "}\n"


def _edn_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
