"""Benchmarks run by ``invoke bench``: each part times one stage on generated data."""

from __future__ import annotations

import hashlib
import resource
import shutil
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus" / "opeds-scale-corpus.tar.xz"

#: Figures a part reports: name -> (value, unit).
Figures = dict[str, tuple[float, str]]


def unpack_corpus(target: Path, archive: Path = CORPUS) -> Path:
    """Unpack the scale corpus into ``target`` and return the folder of raw files."""
    if not archive.exists():
        raise FileNotFoundError(f"the scale corpus is missing: {archive}")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target / "opeds-scale-corpus"


def replicate_sources(corpus: Path, target: Path, count: int) -> int:
    """Write ``count`` raw files made from the corpus, each with a new id, number and title."""
    originals = sorted(corpus.glob("*.txt"))
    target.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        original = originals[number % len(originals)]
        round_ = number // len(originals)
        data = original.read_bytes()
        if round_:
            # A distinct title per copy: identical copies would be reported as duplicates.
            header, sep, rest = data.partition(b"\n")
            data = header + f" (Folge {round_})".encode() + sep + rest
        source_id = hashlib.sha256(f"{original.name}/{round_}".encode()).hexdigest()[:16]
        (target / f"{number:03d}_{source_id}.txt").write_bytes(data)
    return count


def peak_memory_mib() -> float:
    """Return this process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_importer(count: int = 10_000) -> Figures:
    """Time a first import of ``count`` raw files and a re-import with nothing changed."""
    from opeds.importer.files import ingest

    with tempfile.TemporaryDirectory(prefix="bench-importer-") as tmp:
        base = Path(tmp)
        sources, content = base / "sources", base / "content"
        replicate_sources(unpack_corpus(base / "corpus"), sources, count)
        start = time.perf_counter()
        first = ingest(sources, content)
        first_seconds = time.perf_counter() - start
        first_peak = peak_memory_mib()
        start = time.perf_counter()
        again = ingest(sources, content)
        again_seconds = time.perf_counter() - start
        print(f"  first import:  {first.summary()}")
        print(f"  re-import:     {again.summary()}")
        if again.count("imported") or again.count("kept-edited"):
            raise RuntimeError("a re-import of unchanged sources wrote or kept files")
        shutil.rmtree(base / "corpus")
    return {
        "files": (count, ""),
        "first import": (first_seconds, "s"),
        "unchanged re-import": (again_seconds, "s"),
        "peak memory after first import": (first_peak, "MiB"),
        "peak memory": (peak_memory_mib(), "MiB"),
    }


def bench_site(count: int = 10_000) -> Figures:
    """Time the Pelican build of ``count`` imported articles with a cold and a warm HTML cache."""
    from opeds.build import build_site
    from opeds.importer.files import ingest

    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        base = Path(tmp)
        sources, content, output, cache = (base / n for n in ("sources", "content", "out", "cache"))
        replicate_sources(unpack_corpus(base / "corpus"), sources, count)
        articles = ingest(sources, content).count("imported")
        settings = ROOT / "pelicanconf.py"
        start = time.perf_counter()
        build_site(settings, content, output, cache=cache)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        build_site(settings, content, output, cache=cache)
        warm = time.perf_counter() - start
        pages = sum(1 for _ in output.rglob("*.html"))
        size = sum(f.stat().st_size for f in output.rglob("*") if f.is_file())
    return {
        "articles built": (articles, ""),
        "html pages written": (pages, ""),
        "output size": (size / 2**20, "MiB"),
        "build, cold cache": (cold, "s"),
        "build, warm cache": (warm, "s"),
        "peak memory": (peak_memory_mib(), "MiB"),
    }


#: Benchmark parts by name; add a function returning Figures to measure another stage.
PARTS: dict[str, Callable[[], Figures]] = {"importer": bench_importer, "site": bench_site}


def run(parts: list[str]) -> dict[str, Figures]:
    """Run the named parts (all when empty), print their figures, and return them."""
    results: dict[str, Figures] = {}
    for name in parts or list(PARTS):
        if name not in PARTS:
            raise SystemExit(f"unknown benchmark part {name!r}; known: {', '.join(PARTS)}")
        print(f"bench {name}:")
        sys.stdout.flush()
        results[name] = PARTS[name]()
        for label, (value, unit) in results[name].items():
            number = f"{value:.2f}" if isinstance(value, float) else f"{value}"
            print(f"  {label}: {number} {unit}".rstrip())
    return results
