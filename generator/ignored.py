"""Captures a person told digest to ignore for good (``digest ignore CAPTURE``).

They are listed in ``.digestignore`` beside site.yaml, one capture path a line (relative to the digest
folder, as provenance names them), ``#`` starting a comment. A file rather than deleting the capture:
the capture stays as evidence, the choice is visible and versioned with the digest, and undoing it is
deleting a line. Ingest (and so every build and the preview) skips the captures listed.
"""

from __future__ import annotations

from pathlib import Path

from generator.config import SiteConfig
from generator.errors import DigestError

IGNORE_FILE = ".digestignore"
HEADER = "# Captures digest ignores for good (digest ignore CAPTURE); delete a line to take one back.\n"


def ignore_file(cfg: SiteConfig) -> Path:
    return cfg.root.resolve() / IGNORE_FILE


def ignored_captures(cfg: SiteConfig) -> frozenset[str]:
    """The capture paths listed (relative to the digest folder, ``/``-separated)."""
    path = ignore_file(cfg)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", path) from None
    return frozenset(stripped for line in lines if (stripped := line.split("#", 1)[0].strip()))


def add_ignored(cfg: SiteConfig, capture: str) -> bool:
    """Add one capture path to the list; False when it was listed already."""
    if "\n" in capture or "\r" in capture or capture.lstrip().startswith("#"):
        raise DigestError(f"not a capture path: {capture!r}")
    if capture in ignored_captures(cfg):
        return False
    path = ignore_file(cfg)
    existing = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if existing and not existing.endswith("\n"):
        existing += "\n"
    path.write_text(f"{existing}{capture}\n", encoding="utf-8")
    return True
