"""Fetching a page for ``digest add``: one polite HTTP GET with limits, and robots.txt asked first.

httpx is the client (timeouts, streaming, redirects as explicit requests). Redirects are followed here
rather than by httpx so that every hop is checked the same way: only http and https, at most
``MAX_REDIRECTS`` of them, and robots.txt of each host asked before its page is requested. robots.txt
is fetched by this same client and read by Protego (Scrapy's parser), following RFC 9309: the most
specific rule wins whatever the order, ``*`` and ``$`` are patterns (the standard library's
``urllib.robotparser`` takes the first rule that matches and reads ``*`` literally, so it allowed pages
a site disallows), a missing robots.txt (any 4xx) allows everything, a server error disallows everything,
and a robots.txt over ``ROBOTS_MAX_BYTES`` is read up to that size.

The body is streamed and cut off at ``max_bytes`` and at ``timeout`` seconds in all (httpx's own timeouts
are per read: a server dripping one byte a second would never trip them).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx
from protego import Protego

from generator import __version__

USER_AGENT = f"digest/{__version__} (research digest; saves one page a person asked for)"
ROBOTS_AGENT = "digest"
MAX_REDIRECTS = 5
MAX_BYTES = 10 * 1024 * 1024
TIMEOUT = 30.0
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: at least 500 KiB must be read
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """Why one URL gave no page: a one-line message for the user."""


@dataclass(frozen=True)
class Page:
    url: str            # where the page was found, after redirects
    requested: str      # what the user asked for
    body: bytes
    charset: str | None  # from the Content-Type header


@dataclass
class Fetcher:
    """One client for a run of ``digest add`` (connections and robots.txt answers are reused)."""

    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    respect_robots: bool = True
    _robots: dict[str, Protego] = field(default_factory=dict)
    _client: httpx.Client | None = None

    def __enter__(self) -> Fetcher:
        # (The environment's proxy settings apply, as for any other tool a researcher runs.)
        self._client = httpx.Client(headers={"User-Agent": USER_AGENT}, follow_redirects=False,
                                    timeout=httpx.Timeout(self.timeout))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            raise RuntimeError("use Fetcher as a context manager")
        return self._client

    def fetch(self, url: str) -> Page:
        """The HTML page at ``url``; ``FetchError`` saying why not."""
        requested = url = check_url(url)
        deadline = time.monotonic() + self.timeout
        for _hop in range(MAX_REDIRECTS + 1):
            if self.respect_robots and not self.allowed(url):
                raise FetchError("robots.txt of the site disallows it (--ignore-robots fetches anyway)")
            with self._stream(url) as response:
                if response.is_redirect and "location" in response.headers:
                    url = redirect_target(response)
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code}: not a page")
                check_html(response)
                body = self._read(response, self.max_bytes, deadline)
                return Page(str(response.url), requested, body, response.charset_encoding)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        return bool(self._robots[origin].can_fetch(url, ROBOTS_AGENT))

    def _read_robots(self, origin: str) -> Protego:
        try:
            return Protego.parse(self._robots_text(origin))
        except FetchError as exc:
            raise FetchError(f"cannot read the site's robots.txt: {exc} (--ignore-robots fetches anyway)") from None

    def _robots_text(self, origin: str) -> str:
        deadline = time.monotonic() + self.timeout
        url = origin + "/robots.txt"
        for _hop in range(MAX_REDIRECTS + 1):
            with self._stream(url) as response:
                if response.is_redirect and "location" in response.headers:
                    url = redirect_target(response)
                    continue
                if response.status_code >= 500:
                    raise FetchError(f"HTTP {response.status_code}, which disallows the whole site")
                if response.status_code >= 400:
                    return ""
                return self._read(response, ROBOTS_MAX_BYTES, deadline, cut=True).decode("utf-8", "replace")
        return ""  # RFC 9309: too many redirects counts as no robots.txt

    @contextmanager
    def _stream(self, url: str) -> Iterator[httpx.Response]:
        """A streamed GET with httpx's exceptions turned into one-line ``FetchError``s."""
        try:
            with self.client.stream("GET", url) as response:
                yield response
        except httpx.HTTPError as exc:
            raise FetchError(describe_error(exc)) from None

    @staticmethod
    def _read(response: httpx.Response, limit: int, deadline: float, cut: bool = False) -> bytes:
        """The body, at most ``limit`` bytes: a longer one is an error, or with ``cut`` its first ``limit``."""
        declared = response.headers.get("content-length", "")
        if not cut and declared.isdigit() and int(declared) > limit:
            raise FetchError(too_large(limit))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                if cut:
                    chunks.append(chunk[:limit - size])
                    break
                raise FetchError(too_large(limit))
            if time.monotonic() > deadline:
                raise FetchError("timed out while reading the page")
            chunks.append(chunk)
        return b"".join(chunks)


def describe_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return "no such host (DNS lookup failed)"
        return f"cannot connect: {text or type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def check_url(url: str, redirect: bool = False) -> str:
    """Only absolute http(s) URLs with a host; a one-line ``FetchError`` otherwise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError as exc:
        raise FetchError(f"not a valid URL ({exc}): {url[:200]}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"redirected to a URL that is not http(s): {url[:200]}" if redirect
                         else "not an http(s) URL")
    if not parts.hostname:
        raise FetchError("no host in the URL")
    return url


def redirect_target(response: httpx.Response) -> str:
    """Where a redirect points, checked as a URL the user gave would be (httpx refuses a malformed one)."""
    return check_url(str(response.url.join(response.headers["location"])), redirect=True)


def check_html(response: httpx.Response) -> None:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in HTML_TYPES:
        raise FetchError(f"not an HTML page ({kind})")


def too_large(limit: int) -> str:
    return f"too large (over {limit / 1e6:.0f} MB)" if limit >= 1_000_000 else f"too large (over {limit} bytes)"
