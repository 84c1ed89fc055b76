"""New captures written by digest itself (``digest add``, the browser bookmarklet).

A capture is the page's HTML as received, after two comment lines saying where and when it was read:
the browsers' ``<!-- saved from url=... -->`` mark, which the cleaner reads (``generator.clean.origin``),
and a line naming digest and the time. The file is named after the page's address, and never replaces
another capture: it is written under a hidden temporary name (the watcher and ingest skip those) and
then hard-linked to a free name, which fails rather than overwrite.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from generator import __version__
from generator.capture import MAX_CAPTURE_BYTES
from generator.clean.decode import BOMS, META_CHARSET
from generator.clean.origin import saved_from_mark
from generator.errors import CaptureError
from generator.slugs import slugify

SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}\.html")
MAX_TRIES = 1000


def capture_name(url: str) -> str:
    """``https://www.example.com/news/2024/big-story.html`` -> ``example-com-news-2024-big-story.html``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = re.sub(r"\.(?:s?html?|php|aspx?)$", "", parts.path)
    stem = slugify(f"{host} {path}", fallback="page")[:90].rstrip("-") or "page"
    name = f"{stem}.html"
    if not SAFE_NAME.fullmatch(name):
        raise CaptureError(f"cannot make a safe file name from {url!r}")
    return name


def capture_bytes(url: str, html: bytes, fetched: dt.datetime, charset: str | None = None,
                  how: str = "fetched") -> bytes:
    """The capture file's content: the marks, a ``<meta charset>`` when only the HTTP header named the
    encoding, then the page (re-encoded as UTF-8 only when it starts with a UTF-16/32 byte-order mark)."""
    for bom, encoding in BOMS:
        if html.startswith(bom):
            html, charset = html.decode(encoding, errors="replace").encode("utf-8"), None
            break
    safe_url = quote(without_credentials(url), safe=":/?#[]@!$&'()*+,;=%~")
    head = (f"{saved_from_mark(safe_url)}\n"
            f"<!-- digest {__version__}: {how} {fetched.astimezone(dt.UTC).isoformat(timespec='seconds')} -->\n")
    if charset and codecs.lookup(charset).name != "utf-8" and not META_CHARSET.search(html[:8192]):
        head += f'<meta charset="{codecs.lookup(charset).name}">\n'
    return head.encode("ascii") + html


def without_credentials(url: str) -> str:
    """``url`` without a ``user:password@`` part (a capture's URL ends up in the published article)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def save_capture(folder: Path, url: str, html: bytes, charset: str | None = None,
                 fetched: dt.datetime | None = None, how: str = "fetched") -> Path:
    """Write a new capture of ``url`` into ``folder``; returns its path (a free name: ``-2``, ``-3``...).
    ``how`` says how digest got the page ("fetched", "sent from the browser")."""
    try:
        codecs.lookup(charset or "utf-8")
    except LookupError:
        charset = None
    data = capture_bytes(url, html, fetched or dt.datetime.now(dt.UTC), charset, how)
    if len(data) > MAX_CAPTURE_BYTES:
        raise CaptureError(f"too large to keep as a capture (over {MAX_CAPTURE_BYTES / 1e6:.0f} MB)")
    folder.mkdir(parents=True, exist_ok=True)
    name = capture_name(url)
    # A temporary file of its own (the preview saves pages sent from several tabs in threads of one process).
    temporary = folder / f".{name}.{secrets.token_hex(8)}.part"
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
        for n in range(1, MAX_TRIES + 1):
            target = folder / (name if n == 1 else name.replace(".html", f"-{n}.html"))
            try:
                os.link(temporary, target)
                return target
            except FileExistsError:
                continue
        raise CaptureError(f"{MAX_TRIES} captures named {name} already", folder)
    finally:
        temporary.unlink(missing_ok=True)
