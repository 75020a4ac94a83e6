"""Render only the pages whose inputs changed; hard-link the rest from the live output.

Every article page gets a key that hashes all that decides its bytes: the build's environment
(our code, the theme, the installed libraries, the settings), the site-wide parts every page
shows (hand-written pages, the names of sections, topics and authors), the article's own
source file, and the source files of the articles it links to (older, newer, related). A page
whose key matches the one recorded for the live file, and whose live file is still the one
recorded, is hard-linked into the staging folder instead of rendered. Every other page is
rendered; a rendered file whose bytes equal the live one is linked too, so unchanged files
keep their inode and the next steps (index, compression, publishing) can tell.

The live output is never written through: a staging file is unlinked before Pelican writes
it, so a hard link can never carry a write back into the live site.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
from importlib.metadata import distributions
from pathlib import Path

from jinja2 import meta
from pelican.contents import Content
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import Writer

from opeds.common.atomic import write_atomic
from opeds.common.stamps import SHA256, FileFacts, output_stamp
from opeds.common.walk import below as walked_below
from opeds.common.walk import relative_below
from opeds.site.content import may_link_by_name

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent.parent  # opeds/
MANIFEST_VERSION = 1


def _hash_tree(digest, folder: Path, pattern: str = "*") -> None:
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def environment_digest() -> str:
    """Hash our whole package's code and the name and version of every installed library."""
    digest = hashlib.sha256(b"opeds-environment\0")
    _hash_tree(digest, PACKAGE, "*.py")
    # A set: the same library found twice on the path (an egg-info in the working folder as
    # well as in the environment) must not change the digest with the folder a build runs from.
    installed = {f"{dist.metadata['Name']}=={dist.version}\n" for dist in distributions()}
    for line in sorted(installed, key=str.lower):
        digest.update(line.encode())
    return digest.hexdigest()


def _plain(value: object) -> object:
    """Turn a settings value into JSON data; functions by their qualified name, not address."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return f"{type(value).__qualname__}:{value}"


def settings_digest(settings: dict, leave_out: tuple[str, ...] = ()) -> str:
    """Hash every setting (but ``leave_out``) and the files of the theme."""
    data = {k: _plain(v) for k, v in settings.items() if k not in leave_out}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    theme = Path(settings["THEME"])
    if theme.is_dir():
        _hash_tree(digest, theme)
    return digest.hexdigest()


#: Variables Pelican sets per article page; the article key covers them.
PER_PAGE = frozenset({"article", "category", "url", "blog", "output_file", "localsiteurl"})


def template_variables(
    environment, name: str, known: dict | None = None, kept: dict | None = None
) -> set[str] | None:
    """Return every variable ``name`` and the templates it extends, imports or includes use.

    None when a template name is computed at render time: then no key can cover the page.
    ``known`` tells what a template's source uses by the source's digest, as an earlier
    build found (parsing the theme's templates took 0.14 s of every build);
    ``kept`` gets the entries of the templates this call looked at.
    """
    seen: set[str] = set()
    variables: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = environment.loader.get_source(environment, current)[0]
        digest = hashlib.sha256(source.encode()).hexdigest()
        entry = (known or {}).get(digest)
        if not _template_entry(entry):
            tree = environment.parse(source)
            entry = [sorted(meta.find_undeclared_variables(tree)),
                     list(meta.find_referenced_templates(tree))]  # fmt: skip
        if kept is not None:
            kept[digest] = entry
        variables.update(entry[0])
        for other in entry[1]:
            if other is None:
                return None
            todo.append(other)
    return variables


def _template_entry(entry: object) -> bool:
    """Tell whether ``entry`` is what template_variables keeps: names used, names referenced."""
    return (
        isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], list)
        and all(isinstance(name, str) for name in entry[0])
        and isinstance(entry[1], list)
        and all(name is None or isinstance(name, str) for name in entry[1])
    )


def _stamp(path: Path) -> list[int] | None:
    try:
        return output_stamp(path.stat())
    except FileNotFoundError:
        return None


def _stamps(folder: Path, leave_out: str = "", only: str = "") -> dict[str, list[int]]:
    """Return the stamp of every file below ``folder`` by relative path.

    ``leave_out`` or ``only``: skip the top-level entry of that name, or every other one.
    """
    found: dict[str, list[int]] = {}

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if not prefix and (entry.name == leave_out or (only and entry.name != only)):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                    continue
                try:
                    info = entry.stat()  # a link's target, as Path.stat() gives
                except FileNotFoundError:
                    continue
                found[prefix + entry.name] = output_stamp(info)

    if folder.is_dir():
        walk(str(folder), "")
    return found


#: The kinds of link by file name whose target's URL a page shows (see PageKeys.content_urls).
FILE_LINKS = frozenset({"filename", "static", "attach"})


def links_content(item) -> bool:
    """Tell whether the text of ``item`` links another file of the site by its name."""
    if not may_link_by_name(item):
        return False  # the regular expression need not go over the text (10,000 of them)
    return any(match.group("what") in FILE_LINKS
               for match in item._get_intrasite_link_regex().finditer(item._content))  # fmt: skip


def content_digests(content: Path, facts: FileFacts | None = None) -> dict[str, str]:
    """Hash every file of ``content`` by its relative path (``facts``: kept by file stamp)."""
    found = {}
    root = os.path.abspath(content)
    # Names as strings, not path objects: two passes over every content file in each build.
    for where, _dirs, files in os.walk(root):
        folder = walked_below(where, root).replace(os.sep, "/")
        prefix = "" if folder == "." else f"{folder}/"
        for name in files:
            path = os.path.join(where, name)

            def digest(path: str = path) -> str:
                with open(path, "rb") as file:
                    return hashlib.sha256(file.read()).hexdigest()

            value = digest() if facts is None else facts.fact(path, "sha256", digest, SHA256)
            found[prefix + name] = str(value)
    return found


def input_key(digests: dict[str, str], *parts: str) -> str:
    """Hash the content's file digests with ``parts`` (settings, code, options) into one key."""
    digest = hashlib.sha256("\0".join(parts).encode())
    for name in sorted(digests):
        digest.update(f"{name}\0{digests[name]}\n".encode())
    return digest.hexdigest()


def settled_key(
    before: dict[str, str], after: dict[str, str], written: set[str], *parts: str
) -> str:
    """Return the key the next build must match to skip: the content as this build left it.

    The build itself writes some files into the content (the URL history); when nothing else
    changed while it ran, the content as it is now is what the output stands for. When an
    editor changed something meanwhile, keep the key of what the build read, so the next
    build runs.
    """
    changed = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    return input_key(after if changed <= written else before, *parts)


class PageKeys:
    """The keys of this build's pages, the manifest of the live output, and what was reused."""

    def __init__(
        self,
        live: Path,
        manifest: Path,
        base_key: str,
        sources: dict[str, str] | None = None,
        root: str = "",
    ) -> None:
        self.live = live
        # The digests of the content's files by path below ``root``, as the build found them
        # at its start: a source page's key takes its digest from there instead of reading it.
        self.known_sources = sources or {}
        self.root = root
        self.manifest_path = manifest
        self.base_key = base_key
        self.previous: dict[str, list] = {}
        self.current: dict[str, str] = {}
        self.reused = 0
        self._sources: dict[str, bytes] = {}
        self._content_urls: bytes | None = None  # see content_urls
        self._site_keys: dict[tuple, str | None] = {}
        self._variables: dict[str, set[str] | None] = {}
        self._noted: tuple[dict[str, list[int]], str] | None = None
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            data = {}
        self.previous_input = ""
        self.previous_files: dict[str, list[int]] = {}
        # What each template uses, by the digest of its source (see template_variables).
        self.known_templates: dict[str, list] = {}
        self.templates: dict[str, list] = {}  # the ones this build looked at, for the next
        if data.get("version") == MANIFEST_VERSION and isinstance(data.get("templates"), dict):
            self.known_templates = data["templates"]
        if data.get("version") == MANIFEST_VERSION and data.get("live") == str(live):
            self.previous = data.get("pages", {})
            self.previous_input = data.get("input", "")
            self.previous_files = data.get("files", {})

    def source_digest(self, item) -> bytes:
        """Name the source file of an article or page, its digest and where it is written.

        The digest is the one the build took of the content at its start (``known_sources``):
        a file an editor changes while the build runs is keyed as it was, so the next build
        renders its page again. A file not among them is read.
        """
        path = item.source_path
        if path not in self._sources:
            known = self.known_sources.get(relative_below(path, self.root)) if self.root else None
            if known is None:
                known = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            entry = f"{path}\0{known}\0{item.save_as}".encode()
            if links_content(item):
                entry += b"\0links\0" + self.content_urls(item)
            self._sources[path] = entry
        return self._sources[path]

    def content_urls(self, item) -> bytes:
        """Digest the URL of every article, page and static file of the site, by its file.

        What a link by file name (``{filename}``, ``{static}``, ``{attach}``) in an item's
        text turns into: a page that shows such a link is rendered again when any of them
        moves (few pages have one; the digest is worked out once a build).
        """
        if self._content_urls is None:
            context = getattr(item, "_context", None) or {}
            digest = hashlib.sha256()
            for kind in ("generated_content", "static_content"):
                for name, content in sorted(context.get(kind, {}).items()):
                    digest.update(f"{kind}\0{name}\0{getattr(content, 'url', '')}\0".encode())
            self._content_urls = digest.digest()
        return self._content_urls

    def fingerprint(self, value: object, digest, depth: int = 0) -> None:
        """Feed what decides how ``value`` renders into ``digest``: sources, names, data."""
        # isinstance, not hasattr: asking an article for its save_as formats it from settings.
        if isinstance(value, Content):  # an article or page
            digest.update(b"C" + self.source_digest(value))
        elif hasattr(value, "object_list") and hasattr(value, "number"):  # a page of a list
            digest.update(f"P{value.number}/{value.paginator.num_pages}|{value.url}".encode())
            self.fingerprint(value.object_list, digest, depth + 1)
        elif hasattr(value, "object_list") and hasattr(value, "num_pages"):  # its paginator
            digest.update(f"N{value.num_pages}/{value.per_page}".encode())
            self.fingerprint(value.object_list, digest, depth + 1)
        elif isinstance(value, URLWrapper):  # a section, topic or author
            digest.update(f"U{value}|{value.url}".encode())
        elif isinstance(value, dict):
            for key in sorted(value, key=str):
                digest.update(f"K{key}".encode())
                self.fingerprint(value[key], digest, depth + 1)
        elif isinstance(value, list | tuple):
            digest.update(f"L{len(value)}".encode())
            for item in value:
                self.fingerprint(item, digest, depth + 1)
        elif dataclasses.is_dataclass(value) and depth < 8:
            self.fingerprint(vars(value), digest, depth + 1)
        else:
            digest.update(f"V{_plain(value)!r}".encode())

    def variables(self, template) -> set[str] | None:
        """Return the variables ``template`` refers to (None: it cannot be known), once."""
        if template.name not in self._variables:
            self._variables[template.name] = template_variables(
                template.environment, template.name, self.known_templates, self.templates
            )
        return self._variables[template.name]

    def site_key(self, template, context: dict, shadowed: frozenset = frozenset()) -> str | None:
        """Hash the context values that ``template`` and the templates it uses refer to.

        ``shadowed`` names the variables the page itself gives: the page key covers those.
        """
        name = (template.name, shadowed)
        if name not in self._site_keys:
            referenced = self.variables(template)
            if referenced is None:
                self._site_keys[name] = None
                return None
            digest = hashlib.sha256(f"{self.base_key}\0{template.name}".encode())
            for variable in sorted(referenced - PER_PAGE - shadowed):
                if variable in context and not variable.isupper():  # settings: in the base key
                    digest.update(f"\0{variable}=".encode())
                    self.fingerprint(context[variable], digest)
            self._site_keys[name] = digest.hexdigest()
        return self._site_keys[name]

    def page_key(self, name: str, template, context: dict, values: dict) -> str | None:
        """Hash all that decides a list or other page: the site and the values it is given."""
        site_key = self.site_key(template, context, frozenset(values))
        if site_key is None:
            return None
        digest = hashlib.sha256(f"{site_key}\0{name}".encode())
        for variable in sorted(self.variables(template) & values.keys()):
            digest.update(f"\0{variable}=".encode())
            self.fingerprint(values[variable], digest)
        return digest.hexdigest()

    def article_key(self, article, site_key: str) -> str:
        """Hash all that decides an article page: the site, the article, the articles it links."""
        digest = hashlib.sha256(site_key.encode())
        digest.update(self.source_digest(article))
        linked = [getattr(article, "older_article", None), getattr(article, "newer_article", None),
                  *getattr(article, "related_articles", ())]  # fmt: skip
        for other in linked:
            if other is None:
                digest.update(b"-")
                continue
            # A related entry wraps its article with the reasons the page shows for it.
            target = getattr(other, "article", other)
            digest.update(self.source_digest(target))
            if target is not other:
                digest.update(repr((other.topics, other.words)).encode())
        return digest.hexdigest()

    def feed_key(self, name: str, articles: list, *details: str | None) -> str:
        """Hash all that decides a feed: its name, ``details`` (URL, kind, title), articles."""
        digest = hashlib.sha256(f"{self.base_key}\0feed\0{name}\0{details!r}".encode())
        self.fingerprint(articles, digest)
        return digest.hexdigest()

    def reusable(self, name: str, key: str) -> Path | None:
        """Return the live file for ``name`` if it was rendered from ``key`` and is unchanged."""
        entry = self.previous.get(name)
        if not entry or entry[0] != key:
            return None
        live = self.live / name
        return live if _stamp(live) == entry[1] else None

    def rendered_folders(self) -> frozenset[str]:
        """Name the top folders of the pages this build keyed and did not find unchanged."""
        return frozenset(
            name.split("/", 1)[0]
            for name, key in self.current.items()
            if self.previous.get(name, ("",))[0] != key
        )

    def mostly_reused(self) -> bool:
        """Tell whether this build rendered under a tenth of its keyed pages (after an edit).

        Then it indexes again at most the shards of those pages: collecting Pelican's garbage
        before its process ends (0.15 s of the one core at 10,000 articles, while Pagefind
        needs both) would save memory that the peak of such a build does not need.
        """
        return (len(self.current) - self.reused) * 10 < len(self.current)

    def note_stamps(
        self, staging: Path, leave_out: str, stamps: dict[str, list[int]] | None = None
    ) -> None:
        """Take the stamps of every file of ``staging`` but the entry ``leave_out`` now.

        For :meth:`save`, while another step still writes ``leave_out`` (the search index):
        nothing else may change after this. ``stamps``: the ones :func:`link_unchanged` took
        of the same files, to use instead. The pages' part of the manifest is written out now,
        while that step runs (0.1 s at 10,000 articles).
        """
        found = _stamps(staging, leave_out=leave_out) if stamps is None else stamps
        self._noted = (json.dumps(self._pages(staging, found)), json.dumps(found), leave_out)

    def _pages(self, staging: Path, files: dict[str, list[int]]) -> dict[str, list]:
        """Each page's key with the stamp of its file."""
        pages = {}
        for name, key in self.current.items():
            stamp = files.get(name) or _stamp(staging / name)  # a name Pelican did not normalise
            if stamp:
                pages[name] = [key, stamp]
        return pages

    def up_to_date(self, input_key: str) -> bool:
        """Tell whether the live output was built from ``input_key`` and is still as it was."""
        if not input_key or self.previous_input != input_key or not self.previous_files:
            return False
        return _stamps(self.live) == self.previous_files

    def save(
        self, staging: Path, input_key: str = "", later: dict[str, list[int]] | None = None
    ) -> None:
        """Record the keys with the files they describe, as they will be once swapped in.

        The stamps :meth:`note_stamps` took are used; only the entry it left out is looked at,
        or ``later`` gives its files' stamps (relative to that entry).
        """
        if self._noted is not None:
            pages, noted, left_out = self._noted
            if later is None:
                rest = _stamps(staging, only=left_out)
            else:
                rest = {f"{left_out}/{name}": stamp for name, stamp in later.items()}
            files = _join_objects(noted, json.dumps(rest))
        else:
            found = _stamps(staging)
            pages, files = json.dumps(self._pages(staging, found)), json.dumps(found)
        head = json.dumps({"version": MANIFEST_VERSION, "live": str(self.live),
                           "input": input_key, "templates": self.templates})  # fmt: skip
        write_atomic(self.manifest_path, f'{head[:-1]}, "pages": {pages}, "files": {files}}}')


def _join_objects(first: str, second: str) -> str:
    """Join two JSON objects with no key in common, as ``json.dumps`` wrote them, into one."""
    if first == "{}" or second == "{}":
        return second if first == "{}" else first
    return f"{first[:-1]}, {second[1:]}"


class IncrementalWriter(Writer):
    """Pelican's writer that links a page from the live output when its key matches."""

    keys: PageKeys | None = None  # set by opeds.build.run for one build

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):  # fmt: skip
        """Link each unchanged page (article, list page, other); render the rest as Pelican does."""
        keys = self.keys
        if keys is None or not name or override_output:
            return super().write_file(name, template, context, relative_urls, paginated,
                                      template_name, override_output, url, **kwargs)  # fmt: skip
        if paginated is None:  # as Pelican decides what a page lists
            paginated = {k: v for k, v in kwargs.items() if k in {"articles", "dates"}}
        if not (paginated and template_name in self.settings["PAGINATED_TEMPLATES"]):
            if not self._link(name, template, context, kwargs):
                super().write_file(name, template, context, relative_urls, {}, None, False, url,
                                   **kwargs)  # fmt: skip
            return None
        # Pelican's own pagination, one page at a time, so each page can be linked on its own.
        per_page = (self.settings["PAGINATED_TEMPLATES"][template_name]
                    or self.settings["DEFAULT_PAGINATION"])  # fmt: skip
        paginators = {key: Paginator(name, url, value, self.settings, per_page)
                      for key, value in paginated.items()}  # fmt: skip
        count = next(iter(paginators.values())).num_pages
        for number in range(1, count + 1):
            values = dict(kwargs)
            for key, paginator in paginators.items():
                page = paginator.page(number)
                values[f"{key}_paginator"] = paginator
                values[f"{key}_page"] = page
                values[f"{key}_previous_page"] = paginator.page(number - 1) if number > 1 else None
                values[f"{key}_next_page"] = paginator.page(number + 1) if number < count else None
            if not self._link(page.save_as, template, context, values):
                super().write_file(page.save_as, template, context, relative_urls, {}, None,
                                   False, url, **values)  # fmt: skip
        return None

    def write_feed(self, elements, context, path=None, url=None, feed_type="atom",
                   override_output=False, feed_title=None):  # fmt: skip
        """Link each unchanged feed; write the rest as Pelican does.

        A feed shows its first ``FEED_MAX_ITEMS`` articles and, from the context, only
        settings (in the build's base key): its key hashes its name, its kind and title and
        those articles' sources. Written anew each build, the nine feeds took 0.06 s after
        one edit at 10,000 articles; linked, 0.015 s.
        """
        keys = self.keys
        if keys is not None and path and not override_output:
            shown = list(elements[: self.settings["FEED_MAX_ITEMS"]])
            if self._link_live(path, keys.feed_key(path, shown, url, feed_type, feed_title)):
                return None
        return super().write_feed(elements, context, path, url, feed_type, override_output,
                                  feed_title)  # fmt: skip

    def _link(self, name: str, template, context: dict, values: dict) -> bool:
        """Link ``name`` from the live output if its key matches; record the key either way."""
        keys = self.keys
        article = values.get("article")
        if article is not None:
            site_key = keys.site_key(template, context)
            key = None if site_key is None else keys.article_key(article, site_key)
        else:
            key = keys.page_key(name, template, context, values)
        if key is None:
            return False
        return self._link_live(name, key)

    def _link_live(self, name: str, key: str) -> bool:
        """Record ``key`` for ``name``; link the live file if it was made from that key."""
        keys = self.keys
        keys.current[name] = key
        live = keys.reusable(name, key)
        if live is None:
            return False
        target = sanitised_join(self.output_path, name)  # the name Pelican's writer uses
        folder = os.path.dirname(target)
        made = self.__dict__.setdefault("_made_folders", set())
        if folder not in made:  # a folder holds many pages: ask the file system once
            try:
                os.mkdir(folder)  # an article's own folder, in a month's that exists: one call
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            made.add(folder)
        os.link(live, target)
        self._written_files.add(target)  # a second writer of this path still fails
        keys.reused += 1
        return True

    def _open_w(self, filename, encoding, override=False):
        # Never write through a hard link into the live output: give the page a new inode.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(filename)
        return super()._open_w(filename, encoding, override)


def link_unchanged(
    staging: Path,
    live: Path,
    leave_out: str | frozenset[str] = "",
    stamps: dict[str, list[int]] | None = None,
    pages: dict[str, list[str]] | None = None,
) -> int:
    """Replace each new staging file whose bytes equal the live file by a link to it.

    Also remove the folders that hold nothing: a staging folder made from the spare (see
    opeds.build.staging) still has every folder of the build before last.
    ``leave_out``: a top-level entry of ``staging`` not to touch (one still being written), or
    a set of them.
    ``stamps`` gets the stamp of every file it looked at, by relative path, as it leaves it
    (see :meth:`PageKeys.note_stamps`): the one look at each file serves both. ``pages`` gets
    the path of every ``*.html`` below each top-level folder, by the folder's name (the search
    index's shards, see opeds.search.pagefind), so no other step walks the output again.
    """
    linked = 0
    top, live_top = os.fspath(staging), os.fspath(live)
    has_live = live.is_dir()
    # Names as strings, not path objects: every file of the output, in each build.
    if isinstance(leave_out, str):
        skipped = frozenset([leave_out]) if leave_out else frozenset()
    else:
        skipped = leave_out
    for folder, dirs, files in os.walk(top):
        if skipped and folder == top:
            dirs[:] = [name for name in dirs if name not in skipped]
            files = [name for name in files if name not in skipped]
        if not dirs and not files and folder != top:
            _remove_empty(folder, top)
            continue
        below = walked_below(folder, top)
        prefix = "" if below == "." else below.replace(os.sep, "/") + "/"
        live_folder = live_top if below == "." else os.path.join(live_top, below)
        if pages is not None and below != ".":
            found = pages.setdefault(prefix.split("/", 1)[0], [])
            found.extend(os.path.join(folder, name) for name in files if name.endswith(".html"))
        for name in files:
            path = os.path.join(folder, name)
            stat = os.stat(path)
            if stamps is not None:
                stamps[prefix + name] = output_stamp(stat)
            if stat.st_nlink > 1 or not has_live:
                continue  # already linked, or nothing to link to
            old = os.path.join(live_folder, name)
            try:
                old_stat = os.stat(old)
            except FileNotFoundError:
                continue
            if old_stat.st_size != stat.st_size or _bytes(old) != _bytes(path):
                continue
            tmp = os.path.join(folder, f".{name}.link")
            os.link(old, tmp)
            os.replace(tmp, path)
            linked += 1
            if stamps is not None:
                stamps[prefix + name] = output_stamp(old_stat)  # the live file's, now its own
    return linked


def _remove_empty(folder: str, top: str) -> None:
    """Remove the empty ``folder`` and each parent below ``top`` that it leaves empty."""
    while folder != top:
        try:
            os.rmdir(folder)
        except OSError:  # not empty: it holds what a later step of the walk looks at
            return
        folder = os.path.dirname(folder)


def _bytes(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()
