"""The loopback server the checks and `invoke serve` use: a dropped connection is no error."""

from __future__ import annotations

import socket
import struct
import sys
import threading
from pathlib import Path

from opeds.common.browser import make_server


def _serve_and_drop(folder: Path, capfd) -> tuple[list[BaseException | None], str]:
    """Ask for a big file, drop the connection after a few bytes; return what the server saw."""
    (folder / "big.html").write_bytes(b"<p>" + b"x" * 16_000_000 + b"</p>")
    server = make_server(folder)
    seen: list[BaseException | None] = []
    handled = threading.Event()
    original = server.handle_error

    def handle_error(request, client_address) -> None:
        seen.append(sys.exc_info()[1])
        original(request, client_address)
        handled.set()

    server.handle_error = handle_error
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(server.server_address) as client:
            client.sendall(b"GET /big.html HTTP/1.0\r\n\r\n")
            assert client.recv(1024)
            # A reset, not a polite close: as a browser that leaves the page.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert handled.wait(timeout=30), "the server never noticed the dropped connection"
    finally:
        server.shutdown()
        server.server_close()
    return seen, capfd.readouterr().err


def test_a_dropped_connection_prints_no_traceback(tmp_path: Path, capfd) -> None:
    seen, err = _serve_and_drop(tmp_path, capfd)
    assert seen and isinstance(seen[0], ConnectionError)
    assert "Traceback" not in err


def test_another_error_is_still_reported(tmp_path: Path, capfd, monkeypatch) -> None:
    from opeds.common import browser

    def broken(self) -> None:
        raise ValueError("a handler that breaks")

    monkeypatch.setattr(browser._QuietHandler, "do_GET", broken)
    server = make_server(tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(server.server_address) as client:
            client.sendall(b"GET / HTTP/1.0\r\n\r\n")
            client.recv(1024)  # the server closes the connection once the handler failed
    finally:
        server.shutdown()
        server.server_close()
    assert "ValueError: a handler that breaks" in capfd.readouterr().err
