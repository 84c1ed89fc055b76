"""Real HTTP servers on 127.0.0.1 for the tests: one for any request handler (a built site's folder), and one
serving pages the tests define (for ``digest add`` and the bookmarklet)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseRequestHandler
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0  # seconds before the reply starts (a slow server)
    length: bool = True  # False: no Content-Length, the body ends when the connection closes


def article_page(title: str, *, date: str = "2024-03-05", author: str = "Jane Roe",
                 canonical: str | None = None) -> bytes:
    """An ordinary news article page, as a publisher serves it."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(
        f"<p>{sentence} The harbour authority in Tromsø said on {date} that ice-class vessels had "
        f"made {n + 12} crossings this season, more than in any year since records began.</p>"
        for n, sentence in enumerate(["Shipping through the Arctic rose sharply this winter.",
                                      "Insurers have raised premiums for the route.",
                                      "Environmental groups warned about fuel spills near the coast.",
                                      "The ministry plans new rules for the next season."]))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} | Polar Times</title>"
            f"{link}<meta name='author' content='{author}'>"
            f"<meta property='article:published_time' content='{date}T09:30:00+00:00'>"
            f"<meta property='og:site_name' content='Polar Times'></head><body><header>Polar Times</header>"
            f"<article><h1>{title}</h1><p class='byline'>By {author}</p>{paragraphs}</article>"
            f"<footer>© Polar Times</footer></body></html>").encode()


@contextmanager
def serve(routes: Mapping[str, Reply | Callable[[], Reply]]) -> Iterator[str]:
    """Serve ``routes`` (path -> reply) on a free port; yields the base URL (``http://127.0.0.1:N``)."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            route = routes.get(self.path)
            reply = route() if callable(route) else route
            if reply is None:
                reply = Reply(404, b"not found", {"Content-Type": "text/plain"})
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.length:
                self.send_header("Content-Length", str(len(reply.body)))
            else:
                self.close_connection = True
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(reply.body)

        def log_message(self, *args: object) -> None:
            pass

    with running(Handler) as base:
        yield base


@contextmanager
def running(handler: Callable[[Any, Any, Any], BaseRequestHandler]) -> Iterator[str]:
    """An HTTP server on a free port of 127.0.0.1 answering with ``handler``, in a thread of its own;
    yields its base URL (``http://127.0.0.1:N``) and stops it after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
