"""Cleaning: one raw capture (bytes) in, one article (metadata + Markdown body) out.

Public interface used by the rest of digest:
- ``CLEANER_VERSION``: bumped whenever output may change, recorded in provenance.
- ``Cleaned``: the result.
- ``clean_capture(data, path, tz)``: raises ``CaptureError`` when there is no article to be had.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.errors import CaptureError

CLEANER_VERSION = "0.1.0"


@dataclass(frozen=True)
class Cleaned:
    title: str
    body: str
    date: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()
    source: str | None = None
    url: str | None = None
    caption: str | None = None
    caption_credit: str | None = None
    summary: str | None = None
    language: str | None = None
    kind: str = "text"
    warnings: tuple[str, ...] = field(default=())


def clean_capture(data: bytes, path: Path, tz: ZoneInfo) -> Cleaned:
    """Placeholder until the real cleaner lands: first line is the title, the rest the body."""
    text = data.decode("utf-8", errors="replace").strip()
    if not text:
        raise CaptureError("empty capture", path)
    title, _, body = text.partition("\n")
    return Cleaned(title=title.strip(), body=body.strip(), warnings=("no publication date found",))
