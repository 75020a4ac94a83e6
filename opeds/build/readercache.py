"""Pelican's reader cache of the articles, kept in a file per folder of the content.

Pelican pickles its whole reader cache into one file at the end of every build's reading:
55 MB at 10,000 articles, written again in 0.3 s after an edit that changed one entry. Here
the articles' reader cache is a folder beside that file, with one file for the articles of
each folder of the content (an archive's month), and a build writes only the files whose
entries changed. Loading reads them all; a damaged file costs the reading of its articles.

A folder's file is loaded when the build first asks for one of its articles: with the
article objects kept (see opeds.build.articlecache), an edit's build asks only for the edited
file's. Only the cache of the articles generator, and only uncompressed
(``GZIP_CACHE = False``); every other cache is Pelican's own.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
from collections import defaultdict
from pathlib import Path

from pelican.cache import FileDataCacher, FileStampDataCacher
from pelican.readers import Readers
from pelican.urlwrappers import URLWrapper

from opeds.common.atomic import write_atomic

log = logging.getLogger(__name__)

CACHE_NAME = "ArticlesGenerator-Readers"
SUFFIX = ".pickle"

_pelican_init = FileDataCacher.__init__
_pelican_save = FileDataCacher.save_cache
_pelican_get = FileStampDataCacher.get_cached_data
_pelican_put = FileStampDataCacher.cache_data


def _shard(filename: str) -> str:
    """Name the file that keeps the entry of ``filename``: by the folder it is in."""
    return hashlib.sha256(os.path.dirname(filename).encode()).hexdigest()[:16]


def _settings_in(entries: dict, settings: dict) -> set[int]:
    """The ids of the settings the entries' sections, authors and topics hold, and ``settings``.

    Pelican's readers give each of them the settings; pickled with every file, they would be
    a copy per file to write and to read (96 instead of 56 MB, 0.5 instead of 0.13 s to load
    at 10,000 articles). They are written as a reference and read as the running build's
    settings, which equal them: the cache lives in a folder per settings.
    """
    found = {id(settings)}
    for entry in entries.values():
        metadata = entry[1][1] if isinstance(entry, tuple) and len(entry) == 2 else None
        if not isinstance(metadata, dict):
            continue
        for value in metadata.values():
            for item in value if isinstance(value, list) else (value,):
                if isinstance(item, URLWrapper):
                    found.add(id(item.settings))
    return found


def _dumps(entries: dict, settings: dict) -> bytes:
    shared = _settings_in(entries, settings)
    file = io.BytesIO()
    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: "settings" if id(obj) in shared else None
    pickler.dump(entries)
    return file.getvalue()


def _loads(data: bytes, settings: dict) -> object:
    def load(pid: object) -> dict:
        if pid != "settings":
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return settings

    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = load
    return unpickler.load()


#: The cache :func:`preload` loaded: its folder, the settings it was loaded for, the entries.
_PRELOADED: list[tuple[Path, dict, dict]] = []


def _load_file(path: Path, settings: dict) -> dict:
    """The entries one file keeps, read with ``settings``; none if it cannot be read."""
    try:
        entries = _loads(path.read_bytes(), settings)
    except FileNotFoundError:
        return {}
    except Exception as error:  # damaged: its articles are read again
        log.warning("reader cache: %s cannot be read, its articles are read again: %s",
                    path, error)  # fmt: skip
        return {}
    return entries if isinstance(entries, dict) else {}


def _shard_names(folder: Path) -> list[str]:
    try:
        return sorted(name[: -len(SUFFIX)] for name in os.listdir(folder) if name.endswith(SUFFIX))
    except FileNotFoundError:
        return []


def _load(folder: Path, settings: dict) -> dict:
    """Every entry kept in ``folder``, read with ``settings`` (see ``_settings_in``)."""
    cache: dict = {}
    for shard in _shard_names(folder):
        cache.update(_load_file(folder / f"{shard}{SUFFIX}", settings))
    return cache


def _articles_folder(settings: dict) -> Path:
    # Where Pelican's cacher of that name keeps its file, plus ".d".
    return Path(os.path.join(settings["CACHE_PATH"], CACHE_NAME) + ".d")


def preload(settings: dict) -> None:
    """Read the articles' reader cache now, for the generator that ``settings`` will make.

    Called while the build waits for its import: an entry is used only if its file's stamp
    is still the one it was kept with, so what the import changes is read again as before.
    """
    _PRELOADED.clear()
    if settings.get("GZIP_CACHE") or not settings.get("LOAD_CONTENT_CACHE"):
        return
    if settings.get("CONTENT_CACHING_LAYER") != "reader":
        return
    folder = _articles_folder(settings)
    _PRELOADED.append((folder, settings, _load(folder, settings)))


def forget_preloaded() -> None:
    """Let go of a preloaded cache no generator took (a build that found nothing to do)."""
    _PRELOADED.clear()


def _folder(cacher) -> Path | None:
    return cacher.__dict__.get("_shard_folder")


def cacher_init(cacher, settings, cache_name, caching_policy, load_policy) -> None:
    """Pelican's set-up of a cache; the articles' reader cache is loaded from its folder."""
    sharded = cache_name == CACHE_NAME and not settings.get("GZIP_CACHE")
    _pelican_init(cacher, settings, cache_name, caching_policy, load_policy and not sharded)
    if not sharded:
        return
    folder = Path(cacher._cache_path + ".d")
    cacher._shard_folder = folder
    preloaded = _PRELOADED.pop() if _PRELOADED else None
    cache: dict = {}
    # The files not loaded yet, by shard name (see ensure_loaded).
    cacher._unread = set()
    if not load_policy:
        pass
    elif preloaded is not None and preloaded[0] == folder and preloaded[1] is settings:
        cache = preloaded[2]
    else:
        cacher._unread = set(_shard_names(folder))
    cacher._cache = cache
    cacher._saved = dict(cache)  # the entries as the files hold them, by identity


def ensure_loaded(cacher, filename: str | None = None) -> None:
    """Load the file that keeps the entry of ``filename``, or every file, if not loaded yet."""
    unread = cacher.__dict__.get("_unread")
    if not unread:
        return
    shards = [_shard(filename)] if filename is not None else sorted(unread)
    for shard in shards:
        if shard not in unread:
            continue
        unread.discard(shard)
        entries = _load_file(_folder(cacher) / f"{shard}{SUFFIX}", cacher.settings)
        for name, entry in entries.items():
            # An entry the build made already is newer than the file's.
            if name not in cacher._cache:
                cacher._cache[name] = cacher._saved[name] = entry


def get_cached_data(cacher, filename, default=None):
    """Pelican's look-up of a file's entry, its cache file loaded first."""
    ensure_loaded(cacher, filename)
    return _pelican_get(cacher, filename, default)


def cache_data(cacher, filename, data) -> None:
    """Pelican's keeping of a file's entry, its cache file loaded first (it is written whole)."""
    ensure_loaded(cacher, filename)
    _pelican_put(cacher, filename, data)


def save_cache(cacher) -> None:
    """Pelican's saving of a cache; the articles' reader cache writes only changed files."""
    folder = _folder(cacher)
    if folder is None:
        _pelican_save(cacher)
        return
    if not cacher._cache_data_policy:
        return
    cache, saved = cacher._cache, cacher._saved
    groups: dict[str, dict] = defaultdict(dict)
    for filename, entry in cache.items():
        groups[_shard(filename)][filename] = entry
    changed = {_shard(name) for name, entry in cache.items() if saved.get(name) is not entry}
    changed |= {_shard(name) for name in saved.keys() - cache.keys()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for shard in sorted(changed):
            path = folder / f"{shard}{SUFFIX}"
            if groups.get(shard):
                write_atomic(path, _dumps(groups[shard], cacher.settings))
            else:
                path.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError) as error:
        log.warning("reader cache: could not save %s: %s", folder, error)
        return
    cacher._saved = dict(cache)


def drop(cacher) -> None:
    """Let go of every entry ``cacher`` holds: those it read, made, and saved."""
    cacher._cache, cacher._saved = {}, {}  # as saved: the same objects, kept as well
    cacher.__dict__.pop("_unread", None)


def install() -> None:
    """Keep the articles' reader cache in files per folder from now on (see the module)."""
    FileDataCacher.__init__ = cacher_init
    FileDataCacher.save_cache = save_cache
    Readers.get_cached_data = get_cached_data
    Readers.cache_data = cache_data
