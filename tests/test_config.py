"""load_config: vault kind, logseq/config.edn, kbc.toml and [tool.kbc], on real folders."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kb_compiler.config import load_config
from kb_compiler.errors import KbcError
from kb_compiler.model import Severity, VaultKind
from tests.conftest import KEPANO, LOGSEQ_DOCS, SAMPLE_VAULT


def _graph(tmp_path: Path, edn: str) -> Path:
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text(edn, encoding="utf-8")
    return tmp_path


def _kbc(tmp_path: Path, toml: str, name: str = "kbc.toml") -> Path:
    (tmp_path / name).write_text(toml, encoding="utf-8")
    return tmp_path


# --- Vault kinds and Logseq's config.edn -------------------------------------------


def test_logseq_docs_graph():
    config = load_config(LOGSEQ_DOCS)
    assert config.kind is VaultKind.LOGSEQ
    assert config.parse.vault_kind is VaultKind.LOGSEQ
    assert config.parse.name_format == "triple-lowbar"
    assert config.hidden == ("script", "README.md", "CONTRIBUTING.md", "LICENSE.md",
                             "db-version.md", "db-version-changes.md")
    assert dict(config.macros)["docs-base-url"] == "https://docs.logseq.com/#/page/$1"
    assert config.parse.journal_title_format == "MMM do, yyyy"
    assert config.sources == ("logseq/config.edn",)
    assert config.schema is None


def test_kepano_is_an_obsidian_vault():
    config = load_config(KEPANO)
    assert config.kind is VaultKind.OBSIDIAN
    assert config.parse.vault_kind is VaultKind.OBSIDIAN
    assert config.sources == (".obsidian",)


def test_sample_vault_reads_its_kbc_toml():
    config = load_config(SAMPLE_VAULT)
    assert config.kind is VaultKind.FOLDER
    assert config.parse.name_format == "triple-lowbar"
    assert "kbc.toml" in config.sources


def test_plain_folder_defaults(tmp_path):
    config = load_config(tmp_path)
    assert config.kind is VaultKind.FOLDER
    assert config.parse.name_format == "triple-lowbar"  # today's default, no Logseq config
    assert config.parse.fix_encoding is True
    assert (config.ignore, config.exclude, config.severity, config.sources) == ((), (), (), ())


def test_logseq_graph_without_name_format_uses_legacy(tmp_path):
    config = load_config(_graph(tmp_path, "{:preferred-format :markdown}"))
    assert config.parse.name_format == "legacy"


def test_logseq_config_keys(tmp_path):
    config = load_config(_graph(tmp_path, """
    {:file/name-format :triple-lowbar
     :hidden ["/archived" "drafts/" "test.md"]
     :pages-directory "notes"
     :journals-directory "/days/"
     :journal/page-title-format "yyyy-MM-dd"
     :journal/file-name-format "yyyy-MM-dd"
     :property/separated-by-commas #{:Related :see_also}
     :ignored-page-references-keywords #{:author}
     :macros {"poem" "Rose is $1" :kw-name "x" "bad" 3}
     :query/result-transforms {:sort #(sort-by :block/priority %)}
     :editor/regex #"[a-z]+"}
    """))
    parse = config.parse
    assert config.hidden == ("archived", "drafts", "test.md")
    assert (parse.pages_directory, parse.journals_directory) == ("notes", "days")
    assert (parse.journal_title_format, parse.journal_file_format) == ("yyyy-MM-dd",
                                                                       "yyyy-MM-dd")
    assert parse.comma_separated_keys == frozenset({"related", "see-also"})
    assert parse.unreferenced_keys == frozenset({"author"})
    assert config.macros == (("kw-name", "x"), ("poem", "Rose is $1"))


def test_logseq_config_of_wrong_types_keeps_defaults(tmp_path):
    config = load_config(_graph(tmp_path, '{:hidden "x" :pages-directory 3 :macros []}'))
    assert config.hidden == ()
    assert config.parse.pages_directory == "pages"
    assert config.macros == ()


@pytest.mark.parametrize(("edn", "public"), [
    ("{:publishing/all-pages-public? false}", False),
    ("{:publishing/all-pages-public? true}", True),
    ("{}", True),  # absent: every page not marked private is published, as before
    ("{:publishing/all-pages-public? nil}", True),
    ('{:publishing/all-pages-public? "true"}', False),  # Logseq wants the boolean true
    ("{:all-pages-public? false}", False),  # Logseq's older key
    ("{:all-pages-public? false :publishing/all-pages-public? true}", True),
])
def test_logseq_all_pages_public(tmp_path, edn, public):
    """Logseq publishes every page only when the setting is true; without it kbc
    keeps publishing every page not marked private."""
    assert load_config(_graph(tmp_path, edn)).all_pages_public is public


@pytest.mark.parametrize(("written", "folder"), [
    ('"../x"', "pages"), ('"../../etc"', "pages"), ('"a/../../b"', "pages"),
    ('"./notes/"', "notes"), ('"/tmp"', "tmp"), ('"one//two"', "one/two")])
def test_logseq_folders_stay_inside_the_graph(tmp_path, written, folder):
    """A pages folder outside the graph (``../x``) is no folder of it: ``kbc export``
    ended in a traceback (its writer refuses paths outside OUT); the default is kept,
    as for any value of Logseq's kbc does not understand."""
    config = load_config(_graph(tmp_path, f"{{:pages-directory {written}}}"))
    assert config.parse.pages_directory == folder


def test_logseq_marker_wins_over_obsidian(tmp_path):
    (tmp_path / ".obsidian").mkdir()
    assert load_config(_graph(tmp_path, "{}")).kind is VaultKind.LOGSEQ


@pytest.mark.parametrize(
    ("edn", "where", "what"),
    [
        ('{:a 1\n :b "never closed}', ":2:", "unterminated string"),
        ("{:a [1 2\n:b 3}", ":1:", "unterminated '['"),
        ("[1 2 3]", "config.edn:", "does not hold a map"),
    ],
)
def test_broken_config_edn_is_a_user_error(tmp_path, edn, where, what):
    with pytest.raises(KbcError) as caught:
        load_config(_graph(tmp_path, edn))
    assert where in str(caught.value) and what in str(caught.value)
    assert "config.edn" in str(caught.value)


# --- kbc.toml ------------------------------------------------------------------------


def test_every_kbc_key(tmp_path):
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "schema.yaml").write_text("types: {}\n", encoding="utf-8")
    config = load_config(_kbc(tmp_path, """
ignore = ["drafts/**", "*.tmp.md"]
exclude = ["private/**"]
loose-matching = true
schema = "meta/schema.yaml"
fix-encoding = false
links-in-comments = true

[severity]
broken-link = "warning"
empty-link = "off"
encoding-repaired = "INFO"
"""))
    assert config.ignore == ("drafts/**", "*.tmp.md")
    assert config.exclude == ("private/**",)
    assert config.loose_matching is True
    assert config.schema == "meta/schema.yaml"
    assert config.parse.fix_encoding is False
    assert config.parse.links_in_comments is True
    assert config.severity == (("broken-link", Severity.WARNING), ("empty-link", None),
                               ("encoding-repaired", Severity.INFO))
    assert config.sources == ("kbc.toml",)


def test_dotted_severity_keys(tmp_path):
    config = load_config(_kbc(tmp_path, 'severity.broken-link = "error"\n'))
    assert config.severity == (("broken-link", Severity.ERROR),)


def test_schema_defaults_to_kbc_schema_yaml_when_present(tmp_path):
    assert load_config(tmp_path).schema is None
    (tmp_path / "kbc-schema.yaml").write_text("types: {}\n", encoding="utf-8")
    assert load_config(tmp_path).schema == "kbc-schema.yaml"
    (tmp_path / "other.yaml").write_text("types: {}\n", encoding="utf-8")
    _kbc(tmp_path, 'schema = "other.yaml"\n')
    assert load_config(tmp_path).schema == "other.yaml"


@pytest.mark.parametrize(("written", "words"), [
    ("nope.yaml", "the schema file 'nope.yaml' in kbc.toml was not found"),
    ("meta", "the schema file 'meta' in kbc.toml was not found"),  # a folder
    ("../outside.yaml", "the schema file '../outside.yaml' in kbc.toml must be inside"),
])
def test_a_configured_schema_that_cannot_be_used_is_refused_at_its_line(
        tmp_path, written, words):
    vault = tmp_path / "vault"
    (vault / "meta").mkdir(parents=True)
    (tmp_path / "outside.yaml").write_text("types: {}\n", encoding="utf-8")
    _kbc(vault, f'ignore = []\nschema = "{written}"\n')
    with pytest.raises(KbcError) as caught:
        load_config(vault)
    assert str(caught.value).startswith(f"{vault / 'kbc.toml'}:2: {words}")


def test_pyproject_tool_kbc(tmp_path):
    config = load_config(_kbc(tmp_path, """
[tool.ruff]
ignore = ["E501"]

[tool.kbc]
ignore = ["build/**"]

[tool.kbc.severity]
broken-link = "info"
""", name="pyproject.toml"))
    assert config.ignore == ("build/**",)
    assert config.severity == (("broken-link", Severity.INFO),)
    assert config.sources == ("pyproject.toml",)


def test_pyproject_without_tool_kbc_is_no_config(tmp_path):
    config = load_config(_kbc(tmp_path, '[project]\nname = "x"\n', name="pyproject.toml"))
    assert config.sources == ()


def test_kbc_toml_wins_over_pyproject(tmp_path):
    _kbc(tmp_path, "[tool.kbc]\nloose-matching = true\n", name="pyproject.toml")
    config = load_config(_kbc(tmp_path, "loose-matching = false\n"))
    assert config.loose_matching is False
    assert config.sources == ("kbc.toml",)


def test_kbc_toml_in_a_logseq_graph_adds_to_its_config(tmp_path):
    _graph(tmp_path, "{:file/name-format :triple-lowbar}")
    config = load_config(_kbc(tmp_path, 'exclude = ["pages/secret*"]\n'))
    assert config.kind is VaultKind.LOGSEQ
    assert config.exclude == ("pages/secret*",)
    assert config.sources == ("logseq/config.edn", "kbc.toml")


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        ('ignore = ["a"]\n\nfoo = 1\n', 3, "unknown key 'foo' in kbc.toml"),
        ("[extras]\nx = 1\n", 1, "unknown key 'extras' in kbc.toml"),
        ('"quoted key" = 1\n', 1, "unknown key 'quoted key' in kbc.toml"),
        ('ignore = "drafts"\n', 1, "'ignore' in kbc.toml must be a list of glob strings"),
        ("exclude = [1, 2]\n", 1, "'exclude' in kbc.toml must be a list of glob strings"),
        ('\nloose-matching = "yes"\n', 2, "'loose-matching' in kbc.toml must be true or false"),
        ("fix-encoding = 0\n", 1, "'fix-encoding' in kbc.toml must be true or false"),
        ("schema = 3\n", 1, "'schema' in kbc.toml must be a file path"),
        ("severity = 3\n", 1, "'severity' in kbc.toml must be a table"),
        ('[severity]\nbroken-link = "loud"\n', 2, "'severity.broken-link' in kbc.toml must be"),
        ("ignore = [\n", 2, "invalid TOML"),
        ("a = = 1\n", 1, "invalid TOML"),
    ],
)
def test_kbc_toml_errors_name_file_line_and_key(tmp_path, toml, line, message):
    _kbc(tmp_path, toml)
    with pytest.raises(KbcError) as caught:
        load_config(tmp_path)
    text = str(caught.value)
    assert text.startswith(f"{tmp_path / 'kbc.toml'}:{line}: ")
    assert message in text
    assert "\n" not in text


def test_pyproject_error_names_the_tool_kbc_table(tmp_path):
    _kbc(tmp_path, "[tool.ruff]\nline-length = 9\n[tool.kbc]\nline-length = 9\n",
         name="pyproject.toml")
    with pytest.raises(KbcError) as caught:
        load_config(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'pyproject.toml'}:4: ")
    assert "unknown key 'line-length' in [tool.kbc] in pyproject.toml" in str(caught.value)


def test_config_that_is_not_utf8_is_a_user_error(tmp_path):
    (tmp_path / "kbc.toml").write_bytes(b'ignore = ["\xe9"]\n')
    with pytest.raises(KbcError, match="not valid UTF-8"):
        load_config(tmp_path)


def test_an_unknown_code_under_severity_is_an_error_at_its_line(tmp_path):
    _kbc(tmp_path, '[severity]\nbroken-link = "warning"\nbroken-lnk = "off"\n')
    with pytest.raises(KbcError) as raised:
        load_config(tmp_path)
    assert raised.value.line == 3
    assert "unknown code 'broken-lnk'" in str(raised.value)
    assert "did you mean 'broken-link'?" in str(raised.value)


def test_an_unknown_code_with_no_near_miss_lists_the_known_ones(tmp_path):
    _kbc(tmp_path, '[tool.kbc.severity]\nwhatever = "off"\n', name="pyproject.toml")
    with pytest.raises(KbcError) as raised:
        load_config(tmp_path)
    assert raised.value.line == 2
    assert "known: ambiguous-link, " in str(raised.value)


def test_obsidian_settings_that_cannot_be_read_give_obsidians_defaults(tmp_path: Path) -> None:
    """``.obsidian/app.json`` is the app's file: kbc reads what it can. One nested past
    Python's recursion limit gave a traceback."""
    (tmp_path / ".obsidian").mkdir()
    # deeper than the recursion limit, whatever it is (Hypothesis raises it for good
    # in a process that ran one of its tests)
    depth = sys.getrecursionlimit() + 100
    (tmp_path / ".obsidian/app.json").write_text(
        '{"strictLineBreaks": true, "x": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    assert load_config(tmp_path).strict_line_breaks is False
    (tmp_path / ".obsidian/app.json").write_text('{"strictLineBreaks": true}', encoding="utf-8")
    assert load_config(tmp_path).strict_line_breaks is True
