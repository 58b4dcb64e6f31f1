"""What a page depends on when it shows a view of the whole vault: an Obsidian base or
a Logseq query lists whichever published files match, so a new note anywhere may change
it. Such a page records ``VAULT_READ`` among the pages its render read; its fingerprint
(``incremental``) then covers ``vault_digest``. Views that ask for the date (``now()``,
``today``) get ``reference_time``, which is in the digest too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kb_compiler.parse.names import BASE_SUFFIX

if TYPE_CHECKING:
    from kb_compiler.emit.site.context import SiteContext

VAULT_READ = "\0vault"  # no page id holds a NUL


def reference_time() -> datetime:
    """What ``now()`` is in this build (naive UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0,
                                     microsecond=0)


def vault_digest(context: SiteContext, links_of: Callable[[str], str]) -> str:
    """A hash of what a view of the whole vault reads: each published page's name,
    place, text and where its links land, the vault's files with their sizes (a base
    shows ``file.size``), the ``.base`` files' text and the reference time. The name
    counts apart from the text: a Logseq graph's ``:file/name-format`` names the same
    file ``x___one`` or ``x/one``."""
    digest = hashlib.sha1(reference_time().isoformat().encode("utf-8"))
    for key in sorted(context.pages):
        page = context.pages[key]
        digest.update(f"\0{key}\0{page.name}\0{page.path}\0{links_of(key)}\0".encode(
            "utf-8", "surrogatepass"))
        digest.update(hashlib.sha1(page.text.encode("utf-8", "surrogatepass")).digest())
    sizes = {asset.path: asset.size for asset in context.kb.assets}
    for path in sorted(context.asset_paths):
        digest.update(f"\0{path}\0{sizes.get(path)}".encode("utf-8", "surrogatepass"))
        if path.lower().endswith(BASE_SUFFIX):
            try:
                digest.update((context.kb.root / path).read_bytes())
            except OSError:
                digest.update(b"\0unreadable")
    return digest.hexdigest()


__all__ = ["VAULT_READ", "reference_time", "vault_digest"]
