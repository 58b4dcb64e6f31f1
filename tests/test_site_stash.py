"""The body stash between the two render passes: bodies come back as they went in
(without their backlink contexts), also across forked processes, and the stash leaves
no file behind."""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
from pathlib import Path

import pytest

from kb_compiler.emit.site.pages import Body
from kb_compiler.emit.site.stash import BodyStash, Stashed
from kb_compiler.errors import KbcError


def _body(key: str, text: str) -> Body:
    return Body(key, f"<p>{text}</p>", [(1, text, "anchor")], [], {"a.png"},
                ({0: "<li>context</li>"}, frozenset()), frozenset({"other"}))


def test_bodies_come_back_without_their_contexts() -> None:
    with BodyStash() as stash:
        first = stash.put(_body("one", "Ünïcode ✓"))
        second = stash.put(_body("two", "x" * 100_000))
        stash.flush()
        assert stash.get(second) == _body("two", "x" * 100_000).without_contexts()
        assert stash.get(first) == _body("one", "Ünïcode ✓").without_contexts()
        assert stash.get(first).contexts is None


def _put_in_child(stash: BodyStash, sent: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    where = stash.put(_body("child", "from a worker"))
    stash.flush()
    sent.put((where.file, where.offset, where.size, os.getpid()))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the site's workers are forked")
def test_a_forked_worker_writes_its_own_file_and_the_parent_reads_it() -> None:
    context = multiprocessing.get_context("fork")
    with BodyStash() as stash:
        mine = stash.put(_body("parent", "before the fork"))
        stash.flush()
        sent = context.Queue()
        child = context.Process(target=_put_in_child, args=(stash, sent))
        child.start()
        file, offset, size, pid = sent.get(timeout=30)
        child.join(timeout=30)
        theirs = Stashed(file, offset, size)
        assert theirs.file != mine.file and str(pid) in Path(theirs.file).name
        assert stash.get(theirs).key == "child"
        assert stash.get(mine).content == "<p>before the fork</p>"
        folder = Path(mine.file).parent
    assert not folder.exists()


class _FullDisk(io.BytesIO):
    """A stash file on a disk with no space left: every write fails as the system's."""

    name = "full"

    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_is_one_clear_error() -> None:
    with BodyStash() as stash:
        stash.put(_body("one", "first"))
        assert stash._writer is not None
        stash._writer.close()
        stash._writer = _FullDisk()
        with pytest.raises(KbcError, match=r"cannot keep rendered pages.*space"):
            stash.put(_body("two", "second"))
        stash._writer = None


def test_backlink_contexts_come_back_as_they_went_in() -> None:
    contexts = ({0: "<li>context ✓</li>", 7: "<p>x</p>" * 1000}, frozenset({"a.png"}))
    with BodyStash() as stash:
        body = stash.put(_body("one", "text"))
        where = stash.put_contexts(contexts)
        stash.flush()
        assert stash.get_contexts(where) == contexts
        assert stash.get(body) == _body("one", "text").without_contexts()
