"""The article objects as Pelican's reading loop made them, kept by file: an unchanged one is taken.

Pelican's reader cache (see opeds.build.readercache) keeps what the Markdown reader read; from
it Pelican makes every article object anew in each build: its metadata processed, its
headline and labels typeset, its lead and description derived (a second of one core at
10,000 articles, a fifth of the build after one edit). This cache keeps each article object
as the loop made it, pickled at once, before the steps after the loop link it to other
articles and fix its URLs, with its file's stamp. The next build takes the objects whose
files kept their stamps, gives them its own settings and context, and makes only the others.

It lives beside the reader cache, so in the folder of one version of the settings and the
code, as a file per content folder (an archive's month); a build writes only the files of
the folders whose articles changed, and drops the entries of files that are gone. It keeps
no article whose making logged a warning or an error (made again, it logs them again), and
none at all when the settings make an article depend on the time of the build: without
``WITH_FUTURE_DATES`` an article dated later is a draft until its day.

Nor for an archive of more than ``MOST_FILES`` content files (see opeds.build.run): a build
that makes every article holds them all pickled until it writes them (365 MB at 50,000),
which raised the peak of a cold build of 50,000 articles from 1.96 to 2.66 GB (the limit is 2).
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import pickle
from pathlib import Path

from pelican.generators import ArticlesGenerator
from pelican.urlwrappers import URLWrapper

from opeds.common.atomic import write_atomic
from opeds.site.content import frozen_urls, keep_frozen_urls, title_cache

log = logging.getLogger(__name__)

FOLDER = "ArticlesGenerator-Articles.d"
MOST_FILES = 20_000  # more content files than this: no article objects kept (see above)
SUFFIX = ".pickle"
#: What the files hold: {file: (stamp, pickled article, its URL and file name)}; another
#: version is not read.
VERSION = 2

_SETTINGS, _CONTEXT = "settings", "context"


class _Pending:
    """Stands for the build's context in an article loaded before the build made it."""


_NO_CONTEXT = _Pending()


def usable(settings: dict) -> bool:
    """Tell whether the settings let an article object be kept from one build to the next."""
    return (
        bool(settings.get("CACHE_CONTENT"))
        and settings.get("CONTENT_CACHING_LAYER") == "reader"
        and settings.get("WITH_FUTURE_DATES", True) is not False
        and settings.get("DEFAULT_DATE") != "fs"
    )


def _folder(settings: dict) -> Path:
    return Path(settings["CACHE_PATH"]) / FOLDER


_SHARDS: dict[str, str] = {}


def _shard(name: str) -> str:
    """Name the file that keeps the entry of ``name``: by the folder it is in."""
    folder = os.path.dirname(name)
    found = _SHARDS.get(folder)
    if found is None:
        found = _SHARDS[folder] = hashlib.sha256(folder.encode()).hexdigest()[:16]
    return found


def _settings_ids(article: object, settings: dict) -> set[int]:
    """The ids of ``settings`` and of the settings the article's sections, authors, topics hold.

    They are kept as a reference and loaded as the running build's settings, which equal
    them (see opeds.build.readercache): one copy per article would cost as much as the rest.
    """
    found = {id(settings)}
    values = [*vars(article).values(), *getattr(article, "metadata", {}).values()]
    for value in values:
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, URLWrapper):
                found.add(id(item.settings))
    return found


def dumps(article: object, settings: dict, context: dict) -> bytes | None:
    """Pickle ``article`` with ``settings`` and ``context`` as references; None if it cannot be.

    The context may be reached only as the article's own (``_context``): loaded before the
    build has one, that reference is set afterwards and no other could be.
    """
    if vars(article).get("_context") is not context:
        return None
    shared = _settings_ids(article, settings)
    reached = []

    def persistent_id(obj: object) -> str | None:
        if obj is context:
            reached.append(obj)
            return _CONTEXT
        if isinstance(obj, dict) and id(obj) in shared:
            return _SETTINGS
        return None

    file = io.BytesIO()
    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = persistent_id
    try:
        pickler.dump(article)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None
    return file.getvalue() if len(reached) == 1 else None


def loads(data: bytes, settings: dict, context: object = _NO_CONTEXT) -> object:
    """Unpickle an article :func:`dumps` kept, with the build's ``settings`` and ``context``."""

    def persistent_load(pid: object) -> object:
        if pid == _SETTINGS:
            return settings
        if pid == _CONTEXT:
            return context
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")

    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = persistent_load
    return unpickler.load()


def _read_folder(folder: Path) -> dict[str, tuple[object, bytes, tuple | None]]:
    """Every entry kept in ``folder``; a file that cannot be read costs its articles' making."""
    entries: dict[str, tuple[object, bytes, tuple | None]] = {}
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(SUFFIX))
    except FileNotFoundError:
        return entries
    for name in names:
        path = folder / name
        try:
            version, found = pickle.loads(path.read_bytes())
            if version != VERSION or not isinstance(found, dict):
                raise ValueError(f"version {version!r}")
        except Exception as error:  # damaged, or another version's: made again
            log.warning("article cache: %s cannot be read, its articles are made again: %s",
                        path, error)  # fmt: skip
            continue
        entries.update(found)
    return entries


#: What :func:`preload` loaded: the folder, the settings, the entries and the articles made.
_PRELOADED: list[tuple[Path, dict, dict, dict]] = []


def preload(settings: dict) -> bool:
    """Load the kept articles now, for the generator ``settings`` will make; tell if there are any.

    Called while the build waits for its import: an article is taken only if its file's stamp
    is still the one it was kept with, so what the import changes is made again.
    """
    _PRELOADED.clear()
    if not usable(settings) or not settings.get("LOAD_CONTENT_CACHE"):
        return False
    folder = _folder(settings)
    entries = _read_folder(folder)
    made = {}
    enabled = gc.isenabled()
    gc.disable()  # tens of thousands of new objects, none of them garbage
    try:
        for name, (_stamp, data, _urls) in entries.items():
            try:
                made[name] = loads(data, settings)
            except Exception:  # made again when its turn comes
                continue
    finally:
        if enabled:
            gc.enable()
    _PRELOADED.append((folder, settings, entries, made))
    return bool(entries)


def forget_preloaded() -> None:
    """Let go of what :func:`preload` loaded and no generator took."""
    _PRELOADED.clear()


class _Warnings(logging.Handler):
    """Counts the warnings and errors logged in this process."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


_STORES: list[ArticleStore] = []  # the stores of the running build


class ArticleStore:
    """The kept articles of one articles generator, taken and kept as its reading loop asks."""

    def __init__(self, generator: ArticlesGenerator) -> None:
        settings = generator.settings
        self.generator = generator
        self.folder = _folder(settings)
        self.keep = bool(settings.get("CACHE_CONTENT"))
        preloaded = _PRELOADED.pop() if _PRELOADED else None
        if not settings.get("LOAD_CONTENT_CACHE"):
            self.entries, self.made = {}, {}
        elif preloaded is not None and preloaded[0] == self.folder and preloaded[1] is settings:
            self.entries, self.made = preloaded[2], preloaded[3]
        else:
            self.entries, self.made = _read_folder(self.folder), {}
        self.kept: dict[str, tuple[object, bytes, tuple | None]] = {}  # what the files will hold
        self.made_articles: dict[str, object] = {}  # the articles made and kept here, by file
        self.stamps: dict[str, object] = {}
        self.taken = self.made_here = 0
        self.warnings = _Warnings()
        self._warned_before = 0
        logging.getLogger().addHandler(self.warnings)

    def _stamp(self, name: str) -> object:
        stamp = self.stamps.get(name)
        if stamp is None:
            path = os.path.join(self.generator.path, name)
            stamp = self.stamps[name] = self.generator.readers._get_file_stamp(path)
        return stamp

    def holds(self, name: str) -> bool:
        """Tell whether the article of ``name`` (below the content folder) is kept as it is now."""
        name = os.path.normpath(name)
        entry = self.entries.get(name)
        return entry is not None and entry[0] == self._stamp(name)

    def get_cached_data(self, name: str, default: object = None) -> object:
        """The kept article of ``name`` for Pelican's loop, or ``default`` when it is to be made."""
        name = os.path.normpath(name)
        entry = self.entries.get(name)
        if entry is not None and entry[0] == self._stamp(name):
            generator = self.generator
            article = self.made.pop(name, None)
            if article is None:
                try:
                    article = loads(entry[1], generator.settings, generator.context)
                except Exception:  # damaged: made again
                    article = None
            if article is not None:
                article._context = generator.context
                if entry[2] is not None:
                    keep_frozen_urls(article, entry[2])
                self.kept[name] = entry
                self.taken += 1
                return article
        self._warned_before = self.warnings.count
        return default

    def cache_data(self, name: str, article: object) -> None:
        """Keep the article Pelican's loop just made, unless making it logged a warning."""
        name = os.path.normpath(name)
        self.made_here += 1
        if not self.keep or self.warnings.count != self._warned_before:
            return
        generator = self.generator
        data = dumps(article, generator.settings, generator.context)
        if data is not None:
            self.kept[name] = (self._stamp(name), data, None)
            self.made_articles[name] = article  # its URLs are kept once fixed

    def save_cache(self) -> None:
        """Write the files of the folders whose articles changed; let go of the rest."""
        logging.getLogger().removeHandler(self.warnings)
        entries, kept = self.entries, self.kept
        for name, article in self.made_articles.items():
            stamp, data, _none = kept[name]
            kept[name] = (stamp, data, frozen_urls(article))
        self.entries, self.kept, self.made, self.made_articles = {}, {}, {}, {}
        log.info("article cache: %d articles taken, %d made", self.taken, self.made_here)
        if self.taken:  # their headlines were typeset by an earlier build: keep them
            title_cache(self.generator.settings).keep_unused()
        if not self.keep:
            return
        changed = {_shard(name) for name in entries.keys() | kept.keys()
                   if entries.get(name) is not kept.get(name)}  # fmt: skip
        if not changed:
            return
        groups: dict[str, dict] = {shard: {} for shard in changed}
        for name, entry in kept.items():
            group = groups.get(_shard(name))
            if group is not None:
                group[name] = entry
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for shard in sorted(changed):
                path = self.folder / f"{shard}{SUFFIX}"
                if groups[shard]:
                    data = pickle.dumps((VERSION, groups[shard]), protocol=pickle.HIGHEST_PROTOCOL)
                    write_atomic(path, data)
                else:
                    path.unlink(missing_ok=True)
        except OSError as error:
            log.warning("article cache: could not save %s: %s", self.folder, error)


def attach(generator: object) -> ArticleStore | None:
    """Give an articles generator its kept articles (Pelican's own generator cache is off)."""
    if not isinstance(generator, ArticlesGenerator) or not usable(generator.settings):
        return None
    store = ArticleStore(generator)
    # Pelican's loop asks the generator itself: these stand in for its (idle) cache's methods.
    generator.get_cached_data = store.get_cached_data
    generator.cache_data = store.cache_data
    generator.save_cache = store.save_cache
    generator.article_store = store
    _STORES.append(store)
    return store


def store_of(generator: object) -> ArticleStore | None:
    """The store :func:`attach` gave ``generator``, if any."""
    return getattr(generator, "article_store", None)


def stop() -> None:
    """End every store of the build: also those of a build that failed before they saved."""
    while _STORES:
        logging.getLogger().removeHandler(_STORES.pop().warnings)
