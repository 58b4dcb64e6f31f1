"""Site file names (slugs) that every file system a published site lands on can hold."""

from __future__ import annotations

import pytest

from kb_compiler.resolve.slugs import assign_slugs, slugify


@pytest.mark.parametrize(("page_id", "slug"), [
    ("con", "con-page"),
    # Windows reads a device name before any dot as the device: "con.-law-page.html"
    # could not be checked out by Git for Windows
    ("con. law", "con-page.-law"),
    ("nul.txt", "nul-page.txt"),
    ("com1.2 notes", "com1-page.2-notes"),
    ("lpt0", "lpt0-page"),
    ("com\u00b9", "com\u00b9-page"),
    ("index", "index-page"),  # the site's own files
    ("conference", "conference"),
    ("console.log", "console.log"),
])
def test_a_slug_is_never_a_windows_device_or_a_site_file(page_id: str, slug: str) -> None:
    assert slugify(page_id) == slug


def test_slugs_differ_without_regard_to_case() -> None:
    assert assign_slugs(["a/b", "A b", "a-b"]) == {"A b": "a-b", "a-b": "a-b-2", "a/b": "a-b-3"}
