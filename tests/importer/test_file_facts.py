"""An import that keeps files' digests by their stamps reads only what changed, and misses nothing.

The facts of files changed in the last seconds are never kept (see opeds.common.stamps); these
tests turn that off, so files written a moment ago count as old.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opeds.common import stamps
from opeds.common.stamps import FileFacts
from opeds.importer import files
from opeds.importer.files import ingest
from opeds.importer.report import KEPT
from tests.importer.test_ingest import put, raw


@pytest.fixture(autouse=True)
def no_recent_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stamps, "RECENT_NS", -(10**18))


def _rewrite_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change bytes without changing the size or, as ``touch -d`` would, the modification time."""
    assert len(old) == len(new)
    info = path.stat()
    data = path.read_bytes()
    assert old in data
    with path.open("r+b") as handle:
        handle.write(data.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_a_fact_is_kept_while_the_file_is_unchanged(tmp_path: Path) -> None:
    path, store = tmp_path / "a.txt", tmp_path / "facts.pickle"
    path.write_text("eins")
    calls: list[str] = []

    def digest() -> str:
        calls.append("read")
        return path.read_text()

    first = FileFacts(store)
    assert first.fact(path, "text", digest) == "eins"
    first.save()
    again = FileFacts(store)
    assert again.fact(path, "text", digest) == "eins" and calls == ["read"]
    _rewrite_in_place(path, b"eins", b"zwei")  # same size, same modification time
    assert again.fact(path, "text", digest) == "zwei" and len(calls) == 2
    assert FileFacts(store).fact(tmp_path / "missing", "text", lambda: None) is None


def test_a_fact_worked_out_in_this_run_is_not_worked_out_again(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text("eins")
    calls: list[str] = []

    def digest() -> str:
        calls.append("read")
        return path.read_text()

    facts = FileFacts(None)  # Pelican asks for each file's stamp up to three times a build
    assert [facts.fact(path, "text", digest) for _ in range(3)] == ["eins"] * 3
    assert calls == ["read"]
    path.write_text("zwei")  # a new stamp
    assert facts.fact(path, "text", digest) == "zwei" and len(calls) == 2
    monkeypatch.setattr(stamps, "RECENT_NS", 3 * 10**9)
    path.write_text("drei")  # changed a moment ago: it may change again within its stamp
    assert [facts.fact(path, "text", digest) for _ in range(2)] == ["drei"] * 2
    assert len(calls) == 4


def test_a_recently_changed_file_is_read_again(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(stamps, "RECENT_NS", 3 * 10**9)
    path, store = tmp_path / "a.txt", tmp_path / "facts.pickle"
    path.write_text("eins")
    facts = FileFacts(store)
    facts.fact(path, "text", path.read_text)
    facts.save()
    assert not store.exists() or "a.txt" not in store.read_text()


def test_a_second_import_reads_no_unchanged_file(tmp_path: Path, monkeypatch) -> None:
    sources, content, store = tmp_path / "sources", tmp_path / "content", tmp_path / "facts.pickle"
    for number in range(3):
        put(sources, number, f"{number}", raw(f"Titel {number}"))
    assert ingest(sources, content, facts=store).count("imported") == 3
    ingest(sources, content, facts=store)  # the facts of the written files are kept now
    read = _counting_reads(monkeypatch)
    report = ingest(sources, content, facts=store)
    assert report.count("unchanged") == 3
    assert [path.name for path in read] == [files.STATE_FILE]  # no source, no article


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every source and article file the import reads from now on."""
    read: list[Path] = []
    real_read, real_front = files._read, files.read_front_matter
    monkeypatch.setattr(files, "_read", lambda p: read.append(p) or real_read(p))
    monkeypatch.setattr(files, "read_front_matter", lambda p: read.append(p) or real_front(p))
    monkeypatch.setattr(files._Importer, "_read_source",
                        lambda self, p: read.append(p) or p.read_bytes())  # fmt: skip
    return read


def _forget_articles(store: Path) -> None:
    """Drop the import's facts about articles, as for files it wrote in its last seconds."""
    import pickle

    data = pickle.loads(store.read_bytes())
    data["files"] = {key: fact for key, fact in data["files"].items() if ".md" not in key}
    store.write_bytes(pickle.dumps(data))


def test_the_import_takes_the_builds_digests_of_the_files_it_wrote(
    tmp_path: Path, monkeypatch
) -> None:
    """After a first import, the build hashes every article: the next import need not."""
    from opeds.build.incremental import content_digests

    sources, content = tmp_path / "sources", tmp_path / "content"
    store, built = tmp_path / "import-facts.pickle", tmp_path / "content-facts.pickle"
    for number in range(3):
        put(sources, number, f"{number}", raw(f"Titel {number}"))
    assert ingest(sources, content, facts=store, borrow=built).count("imported") == 3
    _forget_articles(store)  # written a moment ago: too new for facts (the sources were not)
    build = FileFacts(built)
    content_digests(content, build)
    build.save()
    read = _counting_reads(monkeypatch)
    report = ingest(sources, content, facts=store, borrow=built)
    assert report.count("unchanged") == 3
    assert [path.name for path in read] == [files.STATE_FILE]  # no source, no article
    # Without the build's facts, the same import reads every article twice (id, digest).
    store.unlink()
    content_digests(content, FileFacts(None))
    read.clear()
    ingest(sources, content, facts=store)
    assert sorted(p.name for p in read if p.suffix == ".md") == sorted(
        2 * [p.name for p in content.rglob("*.md")]
    )


def test_a_borrowed_digest_that_is_not_the_importers_reads_the_file(
    tmp_path: Path, monkeypatch
) -> None:
    """An article edited by hand after the import: its id is read from the file itself."""
    from opeds.build.incremental import content_digests

    sources, content = tmp_path / "sources", tmp_path / "content"
    store, built = tmp_path / "import-facts.pickle", tmp_path / "content-facts.pickle"
    put(sources, 1, "a", raw("Titel", "Meinung Berlin Alter Text."))
    (entry,) = ingest(sources, content, facts=store, borrow=built).entries
    _forget_articles(store)
    article = content / entry.output
    article.write_bytes(article.read_bytes().replace(b"Alter Text", b"Von Hand"))
    build = FileFacts(built)
    content_digests(content, build)
    build.save()
    read = _counting_reads(monkeypatch)
    report = ingest(sources, content, facts=store, borrow=built)
    assert report.count(KEPT) == 1  # edited by hand: kept
    assert article in read and b"Von Hand" in article.read_bytes()


def test_changes_that_keep_size_and_time_are_still_seen(tmp_path: Path) -> None:
    sources, content, store = tmp_path / "sources", tmp_path / "content", tmp_path / "facts.pickle"
    source = put(sources, 1, "a", raw("Titel", "Meinung Berlin Alter Text."))
    put(sources, 2, "b", raw("Zweiter", "Meinung Berlin Noch ein Text."))
    ingest(sources, content, facts=store)
    ingest(sources, content, facts=store)
    # A source edited in place: imported again.
    _rewrite_in_place(source, b"Alter", b"Neuer")
    report = ingest(sources, content, facts=store)
    assert report.count("imported") == 1
    article = content / report.entries[0].output
    assert b"Neuer Text" in article.read_bytes()
    ingest(sources, content, facts=store)
    # An article edited by hand in place: kept, not overwritten by the next import.
    _rewrite_in_place(article, b"Neuer Text", b"Handtext!!")
    _rewrite_in_place(source, b"Neuer", b"Dritt")
    report = ingest(sources, content, facts=store)
    assert report.count(KEPT) == 1
    assert b"Handtext!!" in article.read_bytes()


def test_without_change_time_a_fact_survives_a_hard_link(tmp_path: Path) -> None:
    """The output's pages are linked into each new build: that changes only their ctime."""
    path, store = tmp_path / "page.html", tmp_path / "facts.pickle"
    path.write_text("<p>eins</p>")
    calls: list[str] = []

    def digest() -> str:
        calls.append("read")
        return path.read_text()

    for ctime in (False, True):
        calls.clear()
        first = FileFacts(store, ctime=ctime)
        first.fact(path, "part", digest)
        first.save()
        os.link(path, tmp_path / f"linked-{ctime}.html")  # changes the inode's ctime
        FileFacts(store, ctime=ctime).fact(path, "part", digest)
        assert calls == (["read"] if not ctime else ["read", "read"])


def test_geonames_names_are_kept_in_the_store(tmp_path: Path) -> None:
    from opeds.importer.gazetteer import geonames_places

    geonames_places.cache_clear()
    try:
        fresh = geonames_places(None)
        assert geonames_places(tmp_path) == fresh
        (kept,) = tmp_path.glob("geonames-places-*.json")
        geonames_places.cache_clear()
        kept.write_text('["Nirgendwo"]', encoding="utf-8")  # proves the next call reads it
        assert geonames_places(tmp_path) == frozenset({"Nirgendwo"})
        for broken in ("not json", "5", '{"Wien": 1}', '["Wien", 3]'):
            kept.write_text(broken, encoding="utf-8")
            geonames_places.cache_clear()
            assert geonames_places(tmp_path) == fresh, broken  # worked out again
        # Another version's file is removed when this one's is written.
        old = tmp_path / "geonames-places-0000000000000000.json"
        old.write_text('["Alt"]', encoding="utf-8")
        kept.unlink()
        geonames_places.cache_clear()
        assert geonames_places(tmp_path) == fresh
        assert sorted(tmp_path.glob("geonames-places-*.json")) == [kept]
    finally:
        geonames_places.cache_clear()


def test_a_damaged_kept_value_is_worked_out_again(tmp_path: Path) -> None:
    import pickle

    from opeds.common.stamps import SHA256

    path, store = tmp_path / "a.txt", tmp_path / "facts.pickle"
    path.write_text("eins")
    digest = "ab" * 32
    facts = FileFacts(store)
    assert facts.fact(path, "sha256", lambda: digest, SHA256) == digest
    facts.save()
    data = pickle.loads(store.read_bytes())
    for entry in data["files"].values():
        entry[1] = "not hex at all"  # a readable file, a damaged value
    store.write_bytes(pickle.dumps(data))
    worked: list[str] = []
    again = FileFacts(store)
    assert again.fact(path, "sha256", lambda: worked.append("x") or digest, SHA256) == digest
    assert worked == ["x"]
    # Without a check the damaged value is what was kept.
    assert FileFacts(store).fact(path, "sha256", lambda: digest) == "not hex at all"


def test_a_file_only_the_build_writes_is_kept_once_a_tenth_of_a_second_old(
    tmp_path: Path, monkeypatch
) -> None:
    import time

    monkeypatch.setattr(stamps, "RECENT_NS", 3 * 10**9)
    page = tmp_path / "index.html"

    def kept(ctime: bool, age_ns: int) -> bool:
        page.write_text("<p>Seite</p>")
        written = time.time_ns() - age_ns
        os.utime(page, ns=(written, written))  # its change time stays "now"
        store = tmp_path / f"facts-{ctime}-{age_ns}.json"
        facts = FileFacts(store, ctime=ctime)
        facts.fact(page, "text", page.read_text)
        facts.save()
        return store.exists() and b"index.html" in store.read_bytes()

    assert kept(ctime=False, age_ns=5 * 10**8)  # a page of the output, written half a second ago
    assert not kept(ctime=False, age_ns=-(10**9))  # its time still to come: read again
    assert not kept(ctime=True, age_ns=5 * 10**8)  # any other file: its change time is now
