"""Benchmarks run by ``invoke bench``: the build scenarios, and the importer on real articles."""

from opeds.bench.corpus import replicate_sources, run, unpack_corpus
from opeds.bench.scenarios import run_bench

__all__ = ["replicate_sources", "run", "run_bench", "unpack_corpus"]
