"""The tolerant EDN reader used for logseq/config.edn."""

from __future__ import annotations

import pytest

from kb_compiler.edn import EdnError, Keyword, Symbol, read_edn
from tests.conftest import LOGSEQ_DOCS


def test_reads_the_docs_graph_config():
    config = read_edn((LOGSEQ_DOCS / "logseq" / "config.edn").read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    assert config["file/name-format"] == Keyword("triple-lowbar")
    assert config["hidden"] == ["script", "README.md", "CONTRIBUTING.md", "LICENSE.md",
                                "db-version.md", "db-version-changes.md"]
    assert config["macros"]["mark"] == '[:mark "$1"]'
    assert config["default-home"] == {"page": "Contents"}
    assert config["feature/enable-journals?"] is False
    assert config["markdown/version"] == 2


def test_scalars():
    value = read_edn('[1 -2 3N 1.5 -1e3 2.5M 1/4 0x1F "s\\n\\"q\\"" \\a \\newline '
                     ':k :ns/k sym true false nil]')
    assert value == [1, -2, 3, 1.5, -1000.0, 2.5, 0.25, 31, 's\n"q"', "a", "\n",
                     "k", "ns/k", "sym", True, False, None]
    assert isinstance(value[11], Keyword) and isinstance(value[13], Symbol)


def test_collections():
    value = read_edn('{:v [1 2] :l (a b) :s #{:x :y} :m {"k" {:deep [[]]}}}')
    assert value == {"v": [1, 2], "l": ("a", "b"), "s": frozenset({"x", "y"}),
                     "m": {"k": {"deep": [[]]}}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{:a #(sort-by :p %) :b 2}", {"a": ("sort-by", "p", "%"), "b": 2}),
        ("{:a #_ :dropped 1 :b 2}", {"a": 1, "b": 2}),
        ('{:a #"re\\d+"}', {"a": "re\\d+"}),
        ('{:a #inst "2020-01-01" :b #uuid "x"}', {"a": "2020-01-01", "b": "x"}),
        ("{:a #my/tag [1]}", {"a": [1]}),
        ("{:a ^:meta [1] :b ^{:x 1} (f)}", {"a": [1], "b": ("f",)}),
        ("{:q '(a b) :r @x}", {"q": ("a", "b"), "r": "x"}),
        ("{:a 1 ; comment\n ;; another\n :b 2,,,}", {"a": 1, "b": 2}),
        ("{:a #:ns{:b 1}}", {"a": {"b": 1}}),
        ("{:a 1 :b]}", {"a": 1}),  # a stray closer is skipped, the odd key dropped
        ("{[1 2] :vector-key #{[3]} :set}", {(1, 2): "vector-key", frozenset({(3,)}): "set"}),
        ("", None),
    ],
)
def test_forms_edn_format_cannot_read_are_tolerated(text, expected):
    assert read_edn(text) == expected


def test_query_transforms_with_functions_do_not_stop_reading():
    text = """{:default-queries
 {:journals [{:title "NOW" :query [:find (pull ?h [*]) :where [?h :block/marker ?m]]
              :result-transform (fn [result] (sort-by (fn [h] (get h :block/priority "Z"))
                                                      result))
              :collapsed? false}]}
 :file/name-format :legacy}"""
    assert read_edn(text)["file/name-format"] == "legacy"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{:a 1\n :b "open string\n}', 2, "unterminated string"),
        ("{:a 1\n :b [1 2\n}", 2, "unterminated '['"),
        ("\n\n[1 (2", 3, "unterminated '('"),
    ],
)
def test_truncated_files_are_errors_with_a_line(text, line, message):
    with pytest.raises(EdnError) as caught:
        read_edn(text)
    assert caught.value.line == line
    assert message in str(caught.value)


def test_deep_nesting_does_not_recurse():
    value = read_edn("[" * 20_000 + "]" * 20_000)
    depth = 0
    while value:
        value = value[0]
        depth += 1
    assert depth == 19_999
