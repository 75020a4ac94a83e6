"""The real-article corpus for tests, and the importer benchmark that replicates it."""

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

ROOT = Path(__file__).resolve().parent.parent.parent
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


#: Benchmark parts by name; add a function returning Figures to measure another stage.
PARTS: dict[str, Callable[[], Figures]] = {"importer": bench_importer}


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
