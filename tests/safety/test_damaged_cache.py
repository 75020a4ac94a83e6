"""A cache file that is valid JSON but holds damaged values never fails a build or changes it."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

from opeds.bench.generate import write_sources
from opeds.build.run import build_site
from opeds.importer.files import ingest
from tests.support import ROOT, tree


def test_damaged_file_facts_are_worked_out_again(tmp_path: Path, monkeypatch) -> None:
    from opeds.common import stamps

    monkeypatch.setattr(stamps, "RECENT_NS", -(10**18))  # files written a moment ago are kept
    content, cache = tmp_path / "content", tmp_path / "cache"
    write_sources(tmp_path / "sources", 6)
    assert ingest(tmp_path / "sources", content).ok
    shutil.copytree(ROOT / "content" / "pages", content / "pages")

    def build(output: Path) -> dict[str, bytes]:
        build_site(ROOT / "pelicanconf.py", content, output, cache=cache, SEARCH_SHARDS=True)
        return tree(output)

    first = build(tmp_path / "first")
    damaged = 0
    for store in [cache / "content-facts.pickle", *cache.rglob("page-parts.pickle")]:
        data = pickle.loads(store.read_bytes())
        for entry in data["files"].values():
            entry[1] = "zz-not-a-digest"
            damaged += 1
        store.write_bytes(pickle.dumps(data))
    assert damaged > 20
    second = build(tmp_path / "second")
    assert sorted(second) == sorted(first)
    differ = [name for name in first if first[name] != second[name]
              and not name.startswith("pagefind/")]  # fmt: skip
    assert differ == []
