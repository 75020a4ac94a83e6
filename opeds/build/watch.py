"""Rebuild the site as its inputs change, and reload the browser: ``invoke livereload``.

livereload's own watcher looks at the time of every watched file each 0.8 s (20,000 files for
10,000 op-eds) and runs the task of each pattern that changed, one after another. The build
of an edited source imports it into content/, which is watched too: every edit was built
twice, the second time finding nothing changed (12.4-14.9 s from an edit to the browser at
10,000 op-eds, for a build of about 9.5 s). This watcher waits for the file system's events
instead (watchfiles, which Pelican's own ``--autoreload`` uses), builds once for all the
changes that arrived together, and takes no notice of the files that build wrote itself,
unless they changed again after it.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from opeds.common.stamps import output_stamp

log = logging.getLogger(__name__)

#: How long the first change of a batch waits for the next before the build starts (ms): an
#: editor's save is often several events (write, rename, attributes).
STEP_MS = 50


def _stamp(path: Path) -> list[int] | None:
    try:
        return output_stamp(path.stat())  # a file the build wrote: without the change time
    except OSError:
        return None


class SiteWatcher:
    """A watcher livereload's server drives (``Server(watcher=...)``), built on file events.

    ``wanted`` tells which changed paths are inputs of the site; ``rebuild`` builds it and
    returns the paths it wrote among them (the import's Markdown files). ``trees`` are
    watched with their subfolders, ``folders`` without.
    """

    def __init__(
        self,
        trees: Iterable[Path],
        folders: Iterable[Path],
        wanted: Callable[[Path], bool],
        rebuild: Callable[[], Iterable[Path]],
    ) -> None:
        self.trees = [Path(p) for p in trees]
        self.folders = [Path(p) for p in folders]
        self.wanted = wanted
        self._rebuild = rebuild
        # What livereload's server and handler look at.
        self._tasks: dict[str, dict] = {"site": {}}  # not empty: it adds no watch of its own
        self._changes: list[tuple[str, object]] = []
        self.filepath: str | None = None
        self.stop = threading.Event()
        self._events: queue.Queue[set[tuple[watchfiles.Change, str]]] = queue.Queue()
        self._written: dict[Path, list[int] | None] = {}

    def watch(self, path, func=None, delay=None, ignore=None) -> None:
        """livereload's way to add a task: this watcher has its one task, :meth:`rebuild`."""
        raise NotImplementedError("SiteWatcher watches the site's inputs; add none")

    def rebuild(self) -> None:
        """Build the site; remember what the build wrote, to tell its events from an editor's."""
        written = [Path(os.path.abspath(path)) for path in self._rebuild()]
        self._written = {path: _stamp(path) for path in written}  # events name absolute paths

    def start(self, callback: Callable[[], None]) -> bool:
        """Start watching (livereload calls this once its server runs); True: no polling."""
        from livereload.handlers import LiveReloadHandler
        from tornado.ioloop import IOLoop

        loop = IOLoop.current()
        self.listen()

        def reload() -> None:
            loop.add_callback(LiveReloadHandler.reload_waiters)

        threading.Thread(target=self.serve, args=(reload,), daemon=True, name="rebuild").start()
        # The server's own notice (reload the open pages after a restart) goes the usual way.
        loop.add_callback(callback)
        return True

    def listen(self) -> None:
        """Start taking the file system's events, in threads of their own."""
        for paths, recursive in ((self.trees, True), (self.folders, False)):
            existing = [path for path in paths if path.exists()]
            if existing:
                threading.Thread(target=self._listen, args=(existing, recursive), daemon=True,
                                 name="watch").start()  # fmt: skip

    def serve(self, reload: Callable[[], None]) -> None:
        """Build after each batch of changes and call ``reload``, until :attr:`stop` is set."""
        while not self.stop.is_set():
            changed = self.changed(self._next_batch())
            if not changed:
                continue
            log.info("livereload: %s changed; building", changed[0])
            self.rebuild()
            self.filepath = str(changed[0])
            reload()

    def examine(self) -> tuple[str | None, object]:
        """Return what changed, for livereload's handler: only the server's own notices."""
        return self._changes.pop() if self._changes else (None, None)

    def _listen(self, paths: list[Path], recursive: bool) -> None:
        for batch in watchfiles.watch(*paths, watch_filter=None, stop_event=self.stop,
                                      step=STEP_MS, recursive=recursive,
                                      raise_interrupt=False):  # fmt: skip
            self._events.put(batch)

    def _next_batch(self) -> set[tuple[watchfiles.Change, str]]:
        """Wait for changes; return them with all others that arrived meanwhile."""
        try:
            batch = set(self._events.get(timeout=1))
        except queue.Empty:
            return set()
        while True:
            try:
                batch |= self._events.get_nowait()
            except queue.Empty:
                return batch

    def changed(self, batch: set[tuple[watchfiles.Change, str]]) -> list[Path]:
        """The inputs of the site that ``batch`` changed, the last build's own writes left out.

        A file the build wrote counts again once it is not as the build left it.
        """
        found = set()
        for _change, name in batch:
            path = Path(name)
            if not self.wanted(path):
                continue
            if path in self._written and _stamp(path) == self._written[path]:
                continue
            found.add(path)
        return sorted(found)


def site_inputs(source: Path, content: Path, root: Path) -> Callable[[Path], bool]:
    """Tell the inputs of a site: raw sources, Markdown content, the theme, our code, settings.

    Hidden files (an editor's swap file, the importer's state and temporary files) are not.
    """
    source, content, root = (Path(os.path.abspath(p)) for p in (source, content, root))
    theme, code = root / "theme", root / "opeds"

    def wanted(path: Path) -> bool:
        path = Path(os.path.abspath(path))
        if any(part.startswith(".") for part in path.parts[-1:]):
            return False
        if path.parent == source:
            return True
        if path.is_relative_to(content):
            return path.suffix == ".md" and not any(
                part.startswith(".") for part in path.relative_to(content).parts
            )
        if path.is_relative_to(theme):
            return True
        if path.is_relative_to(code):
            return path.suffix == ".py"
        return path.parent == root and path.suffix == ".py"

    return wanted
