"""Capture reading: which files in captures/ are captures, and their bytes (size-checked)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from generator.errors import CaptureError

MAX_CAPTURE_BYTES = 20 * 1024 * 1024
# Editors and browsers write these while a file is still being saved or downloaded.
PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp", ".swx", "~")


def is_capture_name(path: Path) -> bool:
    return not path.name.startswith((".", "#")) and not path.name.endswith(PARTIAL_SUFFIXES)


def list_captures(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every capture file below each folder named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_capture_name(p)))
        else:
            found.append(path)
    return found


def read_capture(path: Path) -> bytes:
    """The capture's bytes; a one-line ``CaptureError`` for missing, huge or empty files."""
    try:
        size = path.stat().st_size
        if size > MAX_CAPTURE_BYTES:
            raise CaptureError(f"too large ({size / 1e6:.0f} MB; the limit is "
                               f"{MAX_CAPTURE_BYTES / 1e6:.0f} MB): not an article capture", path)
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaptureError("no such file", path) from None
    except IsADirectoryError:
        raise CaptureError("is a folder, not a capture", path) from None
    except OSError as exc:
        raise CaptureError(f"cannot read: {exc.strerror}", path) from None
    if not data.strip():
        raise CaptureError("empty capture", path)
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

