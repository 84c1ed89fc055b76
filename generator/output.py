"""Writing files: atomic (temp file + rename) and only when the bytes change."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly these bytes.

    Returns True when the file was written. Unchanged files keep their mtime, so watchers and
    ``git`` see no change and a second build rewrites nothing.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@dataclass(frozen=True)
class Job:
    """One output file: its site path, the fingerprint of its inputs (None: always render), and how to
    render it. Rendering is deferred so a build can skip outputs whose inputs did not change."""

    path: str
    fingerprint: str | None
    render: Callable[[], bytes]
