"""Vault configuration: what the vault's own files say (Logseq's ``logseq/config.edn``,
Obsidian's ``.obsidian/app.json``, kbc's ``kbc.toml`` or ``[tool.kbc]`` in a
``pyproject.toml`` at the vault's root) merged into one typed value. Loading lives in
``load_config``; the rest of kbc only reads the dataclasses below."""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kb_compiler.edn import EdnError, read_edn
from kb_compiler.errors import KbcError
from kb_compiler.model import Severity, VaultKind, normalize_key


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """The part of the configuration a per-file parser needs. Small, frozen and
    picklable, so parsing can run in worker processes and be cached by its value."""

    vault_kind: VaultKind = VaultKind.FOLDER
    # Logseq :file/name-format: "triple-lowbar" or "legacy".
    name_format: str = "triple-lowbar"
    fix_encoding: bool = True
    # Logseq :property/separated-by-commas (added to alias, aliases, tags).
    comma_separated_keys: frozenset[str] = frozenset()
    # Logseq :ignored-page-references-keywords: values stay raw strings.
    unreferenced_keys: frozenset[str] = frozenset()
    journal_title_format: str = "MMM do, yyyy"
    journal_file_format: str = "yyyy_MM_dd"
    pages_directory: str = "pages"
    journals_directory: str = "journals"
    # Obsidian: whether links inside %% comments %% count.
    links_in_comments: bool = False


@dataclass(frozen=True, slots=True)
class VaultConfig:
    """Everything configurable about a vault, with the defaults a vault without any
    config file gets."""

    kind: VaultKind = VaultKind.FOLDER
    parse: ParseOptions = field(default_factory=ParseOptions)
    # Paths Logseq's :hidden names, relative to the vault, with a leading "/" allowed.
    hidden: tuple[str, ...] = ()
    # kbc.toml `ignore`: glob patterns of files to skip entirely.
    ignore: tuple[str, ...] = ()
    # kbc.toml `exclude`: glob patterns of pages that must never be published.
    exclude: tuple[str, ...] = ()
    # kbc.toml `loose-matching`: near-miss link targets resolve silently when true.
    loose_matching: bool = False
    # kbc.toml `[severity]`: code -> severity ("off" drops the code).
    severity: tuple[tuple[str, Severity | None], ...] = ()
    # kbc.toml `schema`: path of the metamodel schema, relative to the vault.
    schema: str | None = None
    # Logseq :macros: name -> template text.
    macros: tuple[tuple[str, str], ...] = ()
    # Logseq :block-hidden-properties: keys the site does not show, as Logseq hides them.
    hidden_properties: frozenset[str] = frozenset()
    # Logseq :publishing/all-pages-public?: when not true, the site publishes only
    # ``public:: true`` pages (see _all_pages_public).
    all_pages_public: bool = True
    # Obsidian's "Strict line breaks" (``strictLineBreaks`` in .obsidian/app.json): off,
    # the default, shows a single newline in a paragraph as a line break.
    strict_line_breaks: bool = False
    # Obsidian's template folders (core Templates, Templater), vault-relative.
    templates: tuple[str, ...] = ()
    # Where the config came from, for messages (vault-relative paths).
    sources: tuple[str, ...] = ()


def load_config(root: Path) -> VaultConfig:
    """Read the vault's configuration. Raises ``KbcError`` naming the file, line and key
    for a config that cannot be used (unknown key, wrong type, unreadable file).

    The vault kind comes from its marker: ``logseq/config.edn`` (Logseq graph), else a
    ``.obsidian/`` folder (Obsidian vault), else a plain folder. A Logseq graph's
    ``config.edn`` gives the file-name format (missing: ``legacy``, as Logseq reads
    graphs from before 0.8.9), hidden paths, folders, journal formats, comma-separated
    and unreferenced property keys, macros and whether pages are public by default.
    ``kbc.toml`` (or ``[tool.kbc]`` in a ``pyproject.toml`` at the vault root) gives
    kbc's own settings.
    """
    root = Path(root)
    kind = vault_kind(root)
    parse = ParseOptions(vault_kind=kind)
    config = VaultConfig(kind=kind, parse=parse)
    if kind is VaultKind.LOGSEQ:
        config = _read_logseq_settings(root, config)
    elif kind is VaultKind.OBSIDIAN:
        strict = obsidian_settings(root).get("strictLineBreaks") is True
        config = replace(config, sources=(OBSIDIAN_FOLDER,), strict_line_breaks=strict,
                         templates=_template_folders(root))
    config = _read_kbc_settings(root, config)
    if config.schema is None:
        default = next((name for name in SCHEMA_FILES if (root / name).is_file()), None)
        config = replace(config, schema=default)
    return config


LOGSEQ_CONFIG = "logseq/config.edn"
OBSIDIAN_FOLDER = ".obsidian"
KBC_CONFIG = "kbc.toml"
PYPROJECT = "pyproject.toml"
SCHEMA_FILES = ("kbc-schema.yaml", "kbc-schema.yml")


def settings_paths(config: VaultConfig) -> frozenset[str]:
    """The vault paths that hold the configuration: a change to one may change every
    page (the ``.obsidian`` folder itself makes the vault an Obsidian vault)."""
    schema = (config.schema,) if config.schema else ()
    return frozenset({LOGSEQ_CONFIG, OBSIDIAN_FOLDER, f"{OBSIDIAN_FOLDER}/app.json",
                      KBC_CONFIG, PYPROJECT, *SCHEMA_FILES, *schema})


def vault_kind(root: Path) -> VaultKind:
    """What kind of vault ``root`` is, from its marker file or folder."""
    if (root / LOGSEQ_CONFIG).is_file():
        return VaultKind.LOGSEQ
    if (root / OBSIDIAN_FOLDER).is_dir():
        return VaultKind.OBSIDIAN
    return VaultKind.FOLDER


def obsidian_settings(root: Path, name: str = "app.json") -> dict[str, object]:
    """One of Obsidian's own settings files (``.obsidian/NAME``), or an empty dict when
    it is missing or unreadable: it is the app's file, not kbc's, so kbc reads what it
    can and otherwise uses Obsidian's defaults."""
    try:
        data = json.loads((root / OBSIDIAN_FOLDER / name).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _template_folders(root: Path) -> tuple[str, ...]:
    """The folders Obsidian's core Templates plugin (``templates.json``) and Templater
    (its ``data.json``) take templates from."""
    found = (obsidian_settings(root, "templates.json").get("folder"),
             obsidian_settings(root, TEMPLATER_SETTINGS).get("templates_folder"))
    folders = (str(folder).strip().strip("/") for folder in found if isinstance(folder, str))
    return tuple(sorted({folder for folder in folders if folder}))


TEMPLATER_SETTINGS = "plugins/templater-obsidian/data.json"


# --- logseq/config.edn ---------------------------------------------------------------


def _read_logseq_settings(root: Path, config: VaultConfig) -> VaultConfig:
    """Apply what ``logseq/config.edn`` says. Logseq's own keys are not kbc's to
    police: a value of an unexpected type is ignored and the default kept."""
    path = root / LOGSEQ_CONFIG
    text = _read_text(path)
    try:
        data = read_edn(text)
    except EdnError as error:
        raise KbcError(f"cannot read EDN: {error}", path=str(path), line=error.line) from None
    except RecursionError:
        raise KbcError("cannot read EDN: nested too deeply", path=str(path)) from None
    if not isinstance(data, dict):
        raise KbcError("cannot read EDN: the file does not hold a map", path=str(path))
    defaults = config.parse
    parse = replace(
        defaults,
        # Logseq reads a graph whose config lacks the key with the legacy rules.
        name_format="triple-lowbar" if data.get("file/name-format") == "triple-lowbar"
        else "legacy",
        comma_separated_keys=_key_set(data.get("property/separated-by-commas")),
        unreferenced_keys=_key_set(data.get("ignored-page-references-keywords")),
        journal_title_format=_text(data.get("journal/page-title-format"),
                                   defaults.journal_title_format),
        journal_file_format=_text(data.get("journal/file-name-format"),
                                  defaults.journal_file_format),
        pages_directory=_folder(data.get("pages-directory"), defaults.pages_directory),
        journals_directory=_folder(data.get("journals-directory"), defaults.journals_directory),
    )
    hidden = data.get("hidden")
    macros = data.get("macros")
    return replace(
        config,
        parse=parse,
        hidden=tuple(
            cleaned for item in (hidden if isinstance(hidden, list | tuple | frozenset) else ())
            if isinstance(item, str) and (cleaned := item.strip().strip("/"))
        ),
        macros=tuple(sorted(
            (str(name), template) for name, template in
            (macros.items() if isinstance(macros, dict) else ())
            if isinstance(template, str)
        )),
        all_pages_public=_all_pages_public(data),
        hidden_properties=_key_set(data.get("block-hidden-properties")),
        sources=(*config.sources, LOGSEQ_CONFIG),
    )


def _all_pages_public(data: dict[Any, Any]) -> bool:
    """Whether every page not marked private is published. Logseq publishes them all
    only when the setting is ``true`` (read from the older ``:all-pages-public?`` when
    the newer key is missing), so any other value written keeps pages private unless
    they say ``public:: true``. A graph with neither key is published whole, as kbc
    always did, rather than not at all as Logseq's default would have it."""
    value = data.get("publishing/all-pages-public?")
    if value is None:
        value = data.get("all-pages-public?")
    return value is None or value is True


def _key_set(value: object) -> frozenset[str]:
    if not isinstance(value, list | tuple | frozenset):
        return frozenset()
    return frozenset(normalize_key(str(item)) for item in value if isinstance(item, str))


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) and value.strip() else default


def _folder(value: object, default: str) -> str:
    """A folder of the graph, relative to its root; one that would lie outside it
    (``../x``) is no folder of the graph, and the default is kept."""
    parts = [part for part in _text(value, default).strip().replace("\\", "/").split("/")
             if part not in ("", ".")]
    return default if not parts or ".." in parts else "/".join(parts)


# --- kbc.toml / [tool.kbc] -------------------------------------------------------------

_BOOLEANS = {"loose-matching", "fix-encoding", "links-in-comments"}
_GLOB_LISTS = {"ignore", "exclude"}
KBC_KEYS = frozenset({*_BOOLEANS, *_GLOB_LISTS, "schema", "severity"})
_SEVERITIES: dict[str, Severity | None] = {
    "error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "off": None,
}


@dataclass(frozen=True)
class _TomlSource:
    """Where kbc's settings were read, for messages that name file, line and key."""

    path: Path
    text: str
    table: tuple[str, ...]  # () for kbc.toml, ("tool", "kbc") for pyproject.toml
    label: str  # "kbc.toml" or "[tool.kbc] in pyproject.toml"

    def error(self, message: str, *keys: str) -> KbcError:
        return KbcError(message, path=str(self.path), line=_line_of(self.text, self.table + keys))


def _read_kbc_settings(root: Path, config: VaultConfig) -> VaultConfig:
    kbc_file, pyproject = root / KBC_CONFIG, root / PYPROJECT
    if _config_file(kbc_file):
        text = _read_text(kbc_file)
        source = _TomlSource(kbc_file, text, (), KBC_CONFIG)
        settings: object = _load_toml(source)
    elif _config_file(pyproject):
        text = _read_text(pyproject)
        source = _TomlSource(pyproject, text, ("tool", "kbc"), f"[tool.kbc] in {PYPROJECT}")
        tool = _load_toml(source).get("tool")
        settings = tool.get("kbc") if isinstance(tool, dict) else None
        if settings is None:
            return config
        if not isinstance(settings, dict):
            raise source.error(f"{source.label} must be a table")
    else:
        return config
    assert isinstance(settings, dict)
    return _apply_settings(config, settings, source)


def _load_toml(source: _TomlSource) -> dict[str, object]:
    try:
        return tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\((?:at line (\d+), column \d+|at end of document)\)", str(error))
        message = str(error)[: found.start()].strip() if found else str(error)
        line = None
        if found:
            line = int(found.group(1)) if found.group(1) else source.text.count("\n") + 1
        raise KbcError(f"invalid TOML: {message}", path=str(source.path), line=line) from None
    except RecursionError:
        raise KbcError("invalid TOML: it nests too deeply to read", path=str(source.path)) \
            from None


def _apply_settings(
    config: VaultConfig, settings: Mapping[str, object], source: _TomlSource
) -> VaultConfig:
    for key in settings:
        if key not in KBC_KEYS:
            known = ", ".join(sorted(KBC_KEYS))
            raise source.error(f"unknown key '{key}' in {source.label} (known: {known})", key)
    # Field name to value, each value checked as it is taken (Any: replace() takes keywords).
    changes: dict[str, Any] = {}
    parse_changes: dict[str, Any] = {}
    for key in _GLOB_LISTS & settings.keys():
        changes[key] = _glob_list(settings[key], key, source)
    for key in _BOOLEANS & settings.keys():
        if not isinstance(settings[key], bool):
            raise source.error(_wrong_type(key, "true or false", settings[key], source), key)
    if "loose-matching" in settings:
        changes["loose_matching"] = settings["loose-matching"]
    if "fix-encoding" in settings:
        parse_changes["fix_encoding"] = settings["fix-encoding"]
    if "links-in-comments" in settings:
        parse_changes["links_in_comments"] = settings["links-in-comments"]
    if "schema" in settings:
        schema = settings["schema"]
        if not isinstance(schema, str) or not schema.strip():
            raise source.error(_wrong_type("schema", "a file path", schema, source), "schema")
        changes["schema"] = _schema_path(schema.strip(), source)
    if "severity" in settings:
        changes["severity"] = _severity_table(settings["severity"], source)
    shown = source.path.name
    return replace(
        config,
        parse=replace(config.parse, **parse_changes),
        sources=(*config.sources, shown),
        **changes,
    )


def _glob_list(value: object, key: str, source: _TomlSource) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise source.error(_wrong_type(key, "a list of glob strings", value, source), key)
    return tuple(item for item in value if item.strip())


def _severity_table(value: object, source: _TomlSource) -> tuple[tuple[str, Severity | None], ...]:
    if not isinstance(value, dict):
        raise source.error(_wrong_type("severity", "a table of code = level", value, source),
                           "severity")
    # Imported here: the check package reads this module's VaultConfig.
    from kb_compiler.check.codes import KNOWN_CODES, nearest_code

    levels: list[tuple[str, Severity | None]] = []
    for code, level in value.items():
        if code not in KNOWN_CODES:
            near = nearest_code(code)
            hint = (f"did you mean '{near}'?" if near
                    else "known: " + ", ".join(sorted(KNOWN_CODES)))
            raise source.error(f"unknown code '{code}' under severity in {source.label} "
                               f"({hint})", "severity", code)
        if not isinstance(level, str) or level.lower() not in _SEVERITIES:
            raise source.error(
                _wrong_type(f"severity.{code}", '"error", "warning", "info" or "off"',
                            level, source),
                "severity", code,
            )
        levels.append((code, _SEVERITIES[level.lower()]))
    return tuple(sorted(levels))


def _wrong_type(key: str, expected: str, value: object, source: _TomlSource) -> str:
    return f"'{key}' in {source.label} must be {expected}, not {value!r}"


_HEADER = re.compile(r"\s*\[\[?([^\]]*)\]")
_KEY_PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY_LINE = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


def _schema_path(written: str, source: _TomlSource) -> str:
    """The configured schema path, refused here, at its line of the config, when it
    leaves the vault or names no file."""
    root = source.path.parent.resolve()
    found = (root / written).resolve()
    if found != root and root not in found.parents:
        raise source.error(f"the schema file '{written}' in {source.label} must be inside "
                           "the vault", "schema")
    if not found.is_file():
        raise source.error(f"the schema file '{written}' in {source.label} was not found",
                           "schema")
    return written


def _line_of(text: str, wanted: tuple[str, ...]) -> int | None:
    """The line defining the key path ``wanted`` (a table header or a dotted key), found
    by reading the TOML text itself: tomllib gives values, not positions."""
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _split_key(header.group(1))
            if table[: len(wanted)] == wanted:
                return number
            continue
        key = _KEY_LINE.match(line)
        if key and (table + _split_key(key.group(1)))[: len(wanted)] == wanted:
            return number
    return None


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_KEY_PART, dotted)
    return tuple(part.strip("\"'") for part in parts)


def _config_file(path: Path) -> bool:
    """Whether a config file is there. One that is there but is no readable file (a
    folder, a broken link, a FIFO that would block the read) is the user's mistake,
    not an absent config."""
    if not os.path.lexists(path):
        return False
    if not path.is_file():
        raise KbcError("not a readable file (a folder, a broken link or a special file)",
                       path=str(path))
    return True


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise KbcError(f"cannot read config: {error.strerror or error}", path=str(path)) from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise KbcError("config file is not valid UTF-8", path=str(path), line=line) from None
