"""Capture reading: which files in captures/ are captures, and their bytes (size-checked)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from generator.errors import CaptureError
from generator.files import read_regular

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


def read_capture(path: Path, folder: Path | None = None) -> bytes:
    """The capture's bytes; a one-line ``CaptureError`` for missing, huge, empty or special files
    (``generator.files``). A capture inside ``folder`` that is a link to something outside it is refused."""
    if folder is not None:
        _check_inside(path, folder)
    data = read_regular(path, MAX_CAPTURE_BYTES, CaptureError)
    if not data.strip():
        raise CaptureError("empty capture", path)
    return data


def _check_inside(path: Path, folder: Path) -> None:
    """``path``, when it lies in ``folder``, must not lead out of it through a link."""
    absolute = Path(os.path.abspath(path))
    root = folder.resolve()
    if absolute.is_relative_to(root) and not path.resolve().is_relative_to(root):
        raise CaptureError(f"a link to {path.resolve()}, outside {root}: refused (copy the file into the "
                           "captures folder instead)", path)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

