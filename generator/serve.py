"""The preview server: serves the built site under its base path, with live reload over Server-Sent Events.

Why the stdlib ``ThreadingHTTPServer``: a preview server for one person needs no framework, and one
thread per connection is exactly what long-lived SSE streams need (each open page holds one). SSE rather
than WebSocket: one-way server-to-page messages are all live reload needs, it runs on the same port as
the pages, and the browser's ``EventSource`` reconnects by itself.

Reloads are precise and never early: after a build finishes, ``ReloadHub.publish`` tells each open page
whether *its* output file (or a shared asset such as CSS) changed. Every served page carries the build
generation it was read at, so a page whose stream connects late still learns about builds it missed.
The live-reload script is added to HTML responses only, in memory; files on disk are never touched.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import json
import posixpath
import queue
import re
import secrets
import socket
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from generator.config import SiteConfig, load_config
from generator.desk import Desk
from generator.desk import Reply as DeskReply
from generator.errors import DigestError
from generator.urls import Urls, output_file
from generator.watch import (
    BuildResult,
    BuildSite,
    Outcome,
    WatchSession,
    changed_between,
    needs_ingest,
    snapshot,
    watch_plan,
)

EVENTS_PATH = "/__digest/events"
KEEPALIVE_SECONDS = 15.0  # an SSE comment this often notices closed pages and keeps proxies from timing out
HISTORY = 256  # builds remembered for streams that connect late
# A connection that sends nothing for this long is closed: a partial request (a stalled client, a port
# scanner) would otherwise hold its thread for ever. Event streams only write, and a page reads them.
REQUEST_TIMEOUT_SECONDS = 10.0
# Connections the kernel completes while every thread is busy starting others. The default, 5, made 11
# of 2,000 requests in bursts of 200 (a page reloading with its assets, many pages open) time out.
LISTEN_BACKLOG = 1024

# Suffixes of files every page may use: when one changes, every open page reloads.
SHARED_ASSETS = (".css", ".js", ".mjs", ".woff", ".woff2", ".ttf", ".otf", ".svg", ".png", ".jpg", ".jpeg",
                 ".gif", ".webp", ".avif", ".ico")

CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".xml": "application/xml",
    ".txt": "text/plain", ".md": "text/markdown", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".avif": "image/avif", ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2",
    ".ttf": "font/ttf", ".otf": "font/otf", ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json", ".map": "application/json", ".wasm": "application/wasm",
}
FEED_ROOT = re.compile(rb"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<(rss|feed)\b", re.S)
BODY_END = re.compile(rb"</body\s*>", re.I)


# --- requests -> files -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """What a request path means: a file to send, a redirect, or nothing (404)."""

    file: Path | None = None
    redirect: str | None = None


def resolve(folder: Path, base_path: str, request_path: str) -> Target:
    """Map a request path to a file strictly inside ``folder``.

    Percent-decoding happens once, here; ``..`` segments, backslashes and NUL are refused outright, and
    the resolved path (symlinks followed) must still lie inside the folder.
    """
    path = urlsplit(request_path).path or "/"
    if base_path != "/" and (path == "/" or path + "/" == base_path):
        return Target(redirect=base_path)
    if not path.startswith(base_path):
        return Target()
    try:
        relative = unquote(path[len(base_path):], errors="strict")
    except UnicodeDecodeError:
        return Target()
    if "\x00" in relative or "\\" in relative or any(s in ("..", ".") for s in relative.split("/")):
        return Target()
    root = folder.resolve()
    try:
        candidate = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return Target()
    if not candidate.is_relative_to(root):
        return Target()
    if candidate.is_dir():
        if not path.endswith("/"):
            return Target(redirect=path + "/")
        candidate = candidate / "index.html"
        if not candidate.is_file() or not candidate.resolve().is_relative_to(root):
            return Target()
    return Target(file=candidate) if candidate.is_file() else Target()


def content_type(path: Path, head: bytes) -> str:
    """Content-Type for a file; ``head`` (its first bytes) tells an RSS or Atom feed from other XML."""
    kind = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    if kind == "application/xml" and (match := FEED_ROOT.match(head)):
        kind = "application/rss+xml" if match.group(1) == b"rss" else "application/atom+xml"
    textual = kind.startswith("text/") or kind.endswith(("+xml", "/xml", "/json", "javascript"))
    return f"{kind}; charset=utf-8" if textual else kind


def page_files(base_path: str, page_path: str) -> frozenset[str]:
    """Output files (site paths) that may be what a page shows, from its ``location.pathname``."""
    if not page_path.startswith(base_path):
        return frozenset()
    relative = posixpath.normpath(unquote(page_path[len(base_path):])).lstrip("/")
    relative = "" if relative == "." else relative
    if page_path.endswith("/") or relative == "":
        return frozenset({output_file(relative + "/" if relative else "")})
    return frozenset({relative, relative + "/index.html"})


# --- live reload ---------------------------------------------------------------------------------------

def reload_script(token: str) -> bytes:
    """The script added before ``</body>`` of served HTML. ``token`` names the build the page was read at."""
    return f"""<script data-digest-live>(() => {{
  const box = () => document.getElementById("digest-build-error");
  const url = "{EVENTS_PATH}?since={token}&path=" + encodeURIComponent(location.pathname);
  const events = new EventSource(url);
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("build-error", (e) => {{
    const data = JSON.parse(e.data);
    const el = box() || document.body.appendChild(document.createElement("pre"));
    el.id = "digest-build-error";
    el.setAttribute("role", "alert");
    el.style.cssText = "position:fixed;inset:1rem;z-index:2147483647;margin:0;padding:1.5rem;overflow:auto;" +
      "white-space:pre-wrap;font:14px/1.5 monospace;background:#fff5f5;color:#7a0010;" +
      "border:3px solid #c00;border-radius:6px;box-shadow:0 0 0 100vmax rgba(0,0,0,.4)";
    el.textContent = "digest: the last build failed; this page is from the last good build.\\n\\n" +
      data.where + "\\n" + data.message;
  }});
}})();</script>
""".encode()


def inject(page: bytes, script: bytes) -> bytes:
    """Insert ``script`` before the last ``</body>``, or append it when the page has none."""
    matches = list(BODY_END.finditer(page))
    if not matches:
        return page + script
    at = matches[-1].start()
    return page[:at] + script + page[at:]


def sse(event: str, data: object) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


@dataclass(frozen=True)
class BuildError:
    """A failed build as the overlay shows it."""

    where: str
    message: str

    @classmethod
    def of(cls, error: DigestError) -> BuildError:
        where = "" if error.path is None else f"{error.path}:{error.line}" if error.line else str(error.path)
        return cls(where, error.message)


@dataclass(eq=False)
class Stream:
    """One open page's event stream."""

    files: frozenset[str]
    messages: queue.Queue[bytes | None] = field(default_factory=queue.Queue)


@dataclass
class ReloadHub:
    """Knows the open pages and tells each one when its output changed or the build broke."""

    boot: str = field(default_factory=lambda: secrets.token_hex(4))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _generation: int = 0
    _history: deque[tuple[int, frozenset[str]]] = field(default_factory=lambda: deque(maxlen=HISTORY))
    _error: BuildError | None = None
    _streams: set[Stream] = field(default_factory=set)
    _closed: bool = False

    def token(self) -> str:
        """Names the current build; served pages carry it."""
        with self._lock:
            return f"{self.boot}.{self._generation}"

    def publish(self, changed: frozenset[str]) -> None:
        """A build succeeded: reload the pages whose output changed (all of them after a failed build)."""
        with self._lock:
            self._generation += 1
            recovered, self._error = self._error is not None, None
            self._history.append((self._generation, changed))
            for stream in self._streams:
                if recovered or _affects(changed, stream.files):
                    stream.messages.put(sse("reload", {}))

    def fail(self, error: DigestError) -> None:
        """A build failed: every open page shows the error; the last good output stays served."""
        with self._lock:
            self._error = BuildError.of(error)
            for stream in self._streams:
                stream.messages.put(sse("build-error", self._error.__dict__))

    def subscribe(self, files: frozenset[str], since: str) -> Stream:
        """A page opened its stream. It is told at once about a pending error or a build it missed."""
        stream = Stream(files)
        with self._lock:
            if self._closed:
                stream.messages.put(None)
            elif self._error is not None:
                stream.messages.put(sse("build-error", self._error.__dict__))
            elif self._missed(since, files):
                stream.messages.put(sse("reload", {}))
            self._streams.add(stream)
        return stream

    def unsubscribe(self, stream: Stream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def close(self) -> None:
        """End every stream (server shutdown)."""
        with self._lock:
            self._closed = True
            for stream in self._streams:
                stream.messages.put(None)

    def _missed(self, since: str, files: frozenset[str]) -> bool:
        boot, _, number = since.partition(".")
        if boot != self.boot or not number.isdigit():
            return True  # served by an earlier server run: reload to be safe
        seen = int(number)
        if seen >= self._generation:
            return False
        newer = [changed for generation, changed in self._history if generation > seen]
        if len(newer) < self._generation - seen:
            return True  # older than the history we keep
        return any(_affects(changed, files) for changed in newer)


def _affects(changed: frozenset[str], files: frozenset[str]) -> bool:
    return bool(changed & files) or any(path.endswith(SHARED_ASSETS) for path in changed)


# --- what is served ---------------------------------------------------------------------------------

def preview_output(cfg: SiteConfig) -> Path:
    """Where ``digest serve`` builds: in the cache, never the output folder, so a site built for
    localhost URLs cannot end up deployed."""
    return cfg.path("cache") / "serve"


def local_config(cfg: SiteConfig, origin: str) -> SiteConfig:
    """The site as previewed at ``origin`` (``http://127.0.0.1:8000``), under its real base path."""
    return cfg.with_base_url(origin + Urls(cfg.base_url).base_path)


def origin_for(host: str, port: int) -> str:
    """The URL origin a browser uses for a bound address (a wildcard host is reached via loopback)."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# --- the server -----------------------------------------------------------------------------------------

@dataclass
class Mount:
    """What is served: the output folder and the base path (site.yaml may change it; see ``LiveServer``)."""

    folder: Path
    base_path: str


class LiveServer(ThreadingHTTPServer):
    """Serves ``mount.folder`` under ``mount.base_path`` with live reload from ``hub``."""

    daemon_threads = True  # open SSE streams must not keep the process alive on Ctrl-C
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], mount: Mount, hub: ReloadHub | None = None,
                 request_timeout: float = REQUEST_TIMEOUT_SECONDS) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.request_timeout = request_timeout
        super().__init__(address, Handler)
        self._mount = mount
        self._mount_lock = threading.Lock()
        self.hub = hub or ReloadHub()
        self.desk: Desk | None = None  # the preview-only pages under /__digest/ (set by start_preview)

    @property
    def mount(self) -> Mount:
        with self._mount_lock:
            return self._mount

    @mount.setter
    def mount(self, value: Mount) -> None:
        with self._mount_lock:
            self._mount = value

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """A page closed in the middle of a response (or a client stalled past the timeout) is normal while
        previewing; anything else is printed."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def close(self) -> None:
        """Stop serving: end the event streams, stop the loop, free the port."""
        self.hub.close()
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: LiveServer
    protocol_version = "HTTP/1.1"  # keep-alive: reloads reuse the connection
    disable_nagle_algorithm = True  # headers and body are two writes: without this, +40 ms per response
    server_version = "digest"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.request_timeout)  # for every read and write

    def handle_one_request(self) -> None:
        """One request, whose line and headers must all arrive within the timeout: the socket's timeout
        bounds each read only, and a client dripping a byte at a time (slowloris) would pass every one."""
        deadline = threading.Timer(self.server.request_timeout, self._drop)
        deadline.daemon = True
        self._deadline = deadline
        deadline.start()
        try:
            super().handle_one_request()
        finally:
            deadline.cancel()

    def parse_request(self) -> bool:
        parsed = super().parse_request()  # reads the headers
        self._deadline.cancel()  # the request is in; an event stream may now stay open for hours
        return parsed

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        self._respond(head_only=False)

    def do_HEAD(self) -> None:
        self._respond(head_only=True)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows builds, not every request."""

    def do_POST(self) -> None:
        self.close_connection = True  # a refused request's body is never read: the connection cannot be reused
        self._desk(lambda desk: desk.post(self.path, self.headers, self.rfile.read))

    def do_OPTIONS(self) -> None:
        self._desk(lambda desk: desk.preflight(self.path, self.headers))

    def _desk(self, answer: Callable[[Desk], DeskReply], head_only: bool = False) -> None:
        desk = self.server.desk
        if desk is None or not desk.handles(self.path):
            self._send(HTTPStatus.NOT_FOUND, b"", "text/plain; charset=utf-8", head_only)
            return
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            # Served to the network (--host 0.0.0.0): the site is, the desk is not. A client elsewhere
            # writes any Host and Origin it likes, so it could read the token and post captures.
            self._send(HTTPStatus.FORBIDDEN, b"the desk answers only on this machine", "text/plain; charset=utf-8",
                       head_only)
            return
        reply = answer(desk)
        self._send(reply.status, reply.body, reply.kind, head_only, headers=reply.headers)

    def _respond(self, *, head_only: bool) -> None:
        if urlsplit(self.path).path == EVENTS_PATH and not head_only:
            self._events()
            return
        if self.server.desk is not None and self.server.desk.handles(self.path):
            self._desk(lambda desk: desk.get(self.path, self.headers.get("Host")), head_only)
            return
        mount = self.server.mount
        target = resolve(mount.folder, mount.base_path, self.path)
        if target.redirect is not None:
            query = urlsplit(self.path).query
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain; charset=utf-8", head_only,
                       location=target.redirect + (f"?{query}" if query else ""))
        elif target.file is not None:
            self._send_file(HTTPStatus.OK, target.file, head_only)
        else:
            self._not_found(mount, head_only)

    def _send_file(self, status: HTTPStatus, path: Path, head_only: bool) -> None:
        try:
            data = path.read_bytes()
        except OSError:  # removed between resolve and read by a build
            self._not_found(self.server.mount, head_only)
            return
        kind = content_type(path, data[:512])
        if kind.startswith("text/html"):
            data = inject(data, reload_script(self.server.hub.token()))
        self._send(status, data, kind, head_only)

    def _not_found(self, mount: Mount, head_only: bool) -> None:
        """The site's 404.html with status 404; a minimal page (that still live-reloads) when it has none."""
        page = mount.folder / "404.html"
        if page.is_file():
            self._send_file(HTTPStatus.NOT_FOUND, page, head_only)
            return
        body = (f"<!doctype html><title>Not found</title><body><h1>Not found</h1>"
                f"<p>{html.escape(unquote(urlsplit(self.path).path))}</p></body>").encode()
        self._send(HTTPStatus.NOT_FOUND, inject(body, reload_script(self.server.hub.token())),
                   "text/html; charset=utf-8", head_only)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, head_only: bool, location: str = "",
              headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a preview must never show a stale copy
        self.send_header("X-Content-Type-Options", "nosniff")
        if location:
            self.send_header("Location", quote(location, safe="/%?&=:@!$'()*+,;~-._"))
        self.end_headers()
        if not head_only:
            self.wfile.write(data)

    def _events(self) -> None:
        """One page's Server-Sent Events stream, held open until the page goes or the server stops."""
        query = parse_qs(urlsplit(self.path).query)
        files = page_files(self.server.mount.base_path, query.get("path", [""])[0])
        stream = self.server.hub.subscribe(files, query.get("since", [""])[0])
        self.close_connection = True  # the stream ends with the connection
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n")  # reconnect quickly when the server restarts
            self.wfile.flush()
            while True:
                try:
                    message = stream.messages.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    message = b": keepalive\n\n"
                if message is None:
                    return
                self.wfile.write(message)
                self.wfile.flush()
        except (ConnectionError, TimeoutError):  # the page went away, or stopped reading
            return
        finally:
            self.server.hub.unsubscribe(stream)


@dataclass
class Preview:
    """A running ``digest serve``: the server, the watch session, and the URL to open."""

    server: LiveServer
    session: WatchSession
    url: str

    def stop(self) -> None:
        """Stop watching, end every event stream, free the port."""
        self.session.stop()
        self.server.close()


def start_preview(root: Path, build_site: BuildSite, *, host: str = "127.0.0.1", port: int = 8000,
                  drafts: bool = False, on_outcome: Callable[[Outcome], None] = lambda outcome: None) -> Preview:
    """Bind, build for the local origin into the cache, serve, and rebuild + live-reload on every change.

    site.yaml is re-read by every build; a broken one at start is a plain error (nothing to serve yet),
    later ones show in the open pages like any other build error.
    """
    cfg = load_config(root)
    try:
        server = LiveServer((host, port), Mount(preview_output(cfg), Urls(cfg.base_url).base_path))
    except OSError as exc:
        raise DigestError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (try --port 0 for any free "
                          "port)") from None
    origin = origin_for(host, server.port)
    server.desk = Desk(root, origin, Urls(cfg.base_url).base_path)

    def build(trigger: frozenset[Path]) -> BuildResult:
        site = local_config(load_config(root), origin)
        out = preview_output(site)
        session.update(watch_plan(site, [out]))
        result = build_site(site, drafts=drafts, ingest_new=needs_ingest(site, trigger), out=out)
        server.mount = Mount(out, Urls(site.base_url).base_path)
        return result

    def report(outcome: Outcome) -> None:
        if outcome.error is not None:
            server.hub.fail(outcome.error)
        else:
            server.hub.publish(outcome.changed)
        on_outcome(outcome)

    session = WatchSession(watch_plan(cfg, [preview_output(cfg)]), build, report)
    try:
        # The first build runs before any thread of ours (the watcher's, the server's) exists, so it may
        # fork workers on every core (a large digest's first preview is ready in half the time). What
        # changed meanwhile, but for the articles that build ingested itself, is handed to the watcher
        # once it runs: a second build only when something did change.
        before = snapshot(session.plan)
        first = session.rebuild()
        session.start()
        ingested = {Path(path) for path in getattr(first.result, "ingested", ())}
        for path in sorted(changed_between(before, snapshot(session.plan)) - ingested):
            session.debouncer.add(path)
    except BaseException:
        session.stop()
        server.server_close()
        raise
    threading.Thread(target=server.serve_forever, name="digest-http", daemon=True).start()
    return Preview(server, session, origin + server.mount.base_path)
