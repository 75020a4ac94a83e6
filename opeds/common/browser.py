"""Serve a built site on loopback and open it in Debian's headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# No background networking or updates: this browser only ever talks to our loopback server.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]  # fmt: skip


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A browser that leaves a page drops its other requests: nothing is lost, and the
        # traceback the standard server prints for it read like a failed check.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True):
    """Return a threading HTTP server for ``folder`` (port 0: any free port)."""
    handler = _QuietHandler if quiet else SimpleHTTPRequestHandler
    return _Server((host, port), functools.partial(handler, directory=str(folder)))


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port and yield its base URL (with a final /)."""
    server = make_server(folder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def launch_chromium(playwright):
    """Start Debian's Chromium through Playwright (never a browser Playwright downloads)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
