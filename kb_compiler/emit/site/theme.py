"""The look of the site: jinja2 templates and static files.

Our templates live in ``templates/`` at the repository root (``base.html``,
``page.html``, ``index.html``, ``all-pages.html``, ``tags.html``, ``tag.html``,
``namespace.html``, ``linked.html``, ``graph.html``, ``404.html``, ``redirect.html``, the partials
``macros.html`` and ``nav-tree.html``, and ``static/site.css``, ``static/site.js``,
``static/favicon.svg``, and ``static/mermaid.min.js`` with its licence for sites with
diagrams). A user's folder (``--templates DIR``) is searched first, so
any file there with one of these names replaces ours.

Every template gets ``site`` (title, navigation, switches), ``root`` (the relative
prefix from the file being written to the site root: links to site-wide files are
``{{ root }}all-pages.html``) and ``file`` (the site path being written).
"""

from __future__ import annotations

import contextlib
import sysconfig
import traceback
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kb_compiler.emit.site.highlight import pygments_css
from kb_compiler.emit.site.urls import relative_url, root_prefix
from kb_compiler.errors import KbcError
from kb_compiler.resolve.network import one_decimal

STATIC_FILES = ("site.css", "site.js", "favicon.svg")
DIAGRAM_FILES = ("mermaid.min.js", "mermaid.LICENSE.txt")
TEMPLATE_VERSION = "1"


def default_templates() -> Path:
    """``templates/`` beside the ``kb_compiler`` package (the repository root, for a
    source checkout or an editable install), else where a wheel installs it
    (``<prefix>/share/kb-compiler/templates``, pyproject's data-files)."""
    here = Path(__file__).resolve()
    installed = Path(sysconfig.get_path("data")) / "share" / "kb-compiler" / "templates"
    for candidate in (*(parent / "templates" for parent in here.parents), installed):
        if (candidate / "base.html").is_file():
            return candidate
    raise KbcError("the site templates folder is missing from this installation",
                   path=str(installed))


def format_score(value: float | int | None) -> str:
    if value is None:
        return "\u2014"
    shown = one_decimal(value)
    return shown.removesuffix(".0")


def format_whole(value: float | int) -> str:
    """A score to a whole number, halves rounded up as ``format_score`` rounds them
    (Jinja's ``round`` rounds a half to even: 42.5 showed 42 next to a title of 42.5)."""
    return str(Decimal(repr(float(value))).quantize(Decimal("1"), ROUND_HALF_UP))


def clamp_percent(value: float | int | None) -> float:
    if value is None:
        return 0.0
    return float(one_decimal(max(0.0, min(100.0, float(value)))))


def _bytecode_cache(cache_folder: Path | None) -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the cache folder (compiling them is a tenth of a
    rebuild); keyed by the template's source, so an edited template is compiled anew."""
    if cache_folder is None:
        return None
    folder = cache_folder / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(str(folder))


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """jinja's file cache, except that a compiled template that cannot be stored (a full
    disk, a folder gone read-only) is only compiled again next time: jinja raises."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


class Theme:
    """Loads templates (user folder first) and renders them with the site's globals."""

    def __init__(self, site: dict[str, Any], user_dir: Path | None = None,
                 cache_folder: Path | None = None) -> None:
        folders = [str(user_dir)] if user_dir else []
        folders.append(str(default_templates()))
        self.folders = [Path(folder) for folder in folders]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_bytecode_cache(cache_folder),
        )
        self.env.filters["score"] = format_score
        self.env.filters["pct"] = clamp_percent
        self.env.filters["whole"] = format_whole
        self.env.globals["nav_tree"] = self.nav_tree
        self.site = site
        self._nav: dict[str, str] = {}

    def render(self, name: str, site_file: str, **values: Any) -> str:
        try:
            template = self.env.get_template(name)
            return template.render(site=self.site, root=root_prefix(site_file),
                                   file=site_file, **values)
        except jinja2.TemplateSyntaxError as error:
            raise KbcError(f"template error: {error.message}", path=error.filename or name,
                           line=error.lineno) from error
        except jinja2.TemplateError as error:
            path, line = self._where(error) or (name, None)
            raise KbcError(f"template error: {error}", path=path, line=line) from error
        except RecursionError:
            raise KbcError("template error: it includes or extends itself without end "
                           "(a template overriding a built-in one cannot extend it by its "
                           "own name)", path=name) from None

    def _where(self, error: BaseException) -> tuple[str, int] | None:
        """The template file and line a render failed at: jinja writes them into the
        traceback's frames (the innermost one in a template, for an included one too)."""
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            filename = Path(frame.filename)
            if frame.lineno and any(folder in filename.parents for folder in self.folders):
                return frame.filename, frame.lineno
        return None

    def nav_tree(self, site_file: str, root: str) -> Markup:
        """The sidebar's metamodel tree (``nav-tree.html``), rendered once per root
        prefix; the current page's entry is marked here."""
        markup = self._nav.get(root)
        if markup is None:
            markup = self._nav[root] = self.env.get_template("nav-tree.html").render(
                site=self.site, root=root, file="")
        current = f'href="{root}{relative_url("index.html", site_file)}"'
        return Markup(markup.replace(current, f'{current} aria-current="page"', 1))

    def static_files(self) -> dict[str, bytes]:
        """``static/<name>`` -> bytes: site.css and site.js (user folder first) and the
        generated code colours."""
        files = self._static(STATIC_FILES)
        files["static/code.css"] = pygments_css().encode("utf-8")
        return files

    def diagram_files(self) -> dict[str, bytes]:
        """``static/<name>`` -> bytes: the Mermaid library that draws diagrams, with its
        licence (a user folder may carry another version)."""
        return self._static(DIAGRAM_FILES)

    def _static(self, names: tuple[str, ...]) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for name in names:
            for folder in self.folders:
                candidate = folder / "static" / name
                if candidate.is_file():
                    files[f"static/{name}"] = candidate.read_bytes()
                    break
        return files
