"""Site URLs: a link's path and its #fragment are percent-encoded as urllib quotes them
(with the path characters a URL may keep), whether or not the quoting is cached."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.emit.site.urls import relative_url, with_fragment

KEPT = "/-_.~!$&'()*+,;=:@"  # what a site URL leaves as written


@settings(deadline=None, derandomize=True, database=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_fragments_are_quoted_as_urllib_quotes_them(path: str, fragment: str) -> None:
    expected = quote(path, safe=KEPT) + (f"#{quote(fragment, safe=KEPT)}" if fragment else "")
    assert with_fragment(quote(path, safe=KEPT), fragment) == expected


def test_links_between_folders_and_to_anchors() -> None:
    assert relative_url("a.html", "b c.html", "block-1") == "b%20c.html#block-1"
    assert relative_url("x/a.html", "b.html", "café") == "../b.html#caf%C3%A9"
    assert relative_url("a.html", "b.html", "") == "b.html"
    assert relative_url("a.html", "b.html", "50% off") == "b.html#50%25%20off"
