"""Writing files: atomic (temp file + rename) and only when the bytes change."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def holds(path: Path, data: bytes) -> bool:
    """Does the file at ``path`` hold exactly ``data``? (Size first: most changed files differ in it.)"""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError):
        return False


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly these bytes.

    Returns True when the file was written. Unchanged files keep their mtime, so watchers and
    ``git`` see no change and a second build rewrites nothing.
    """
    if holds(path, data):
        return False
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


STAGING = ".digest-staging"  # inside the output folder: same file system, so commit is a rename


class Staging:
    """Changed output files, held beside the live ones until the whole build has succeeded.

    Workers render and ``stage`` in parallel; only after every output rendered does ``commit`` move the
    staged files into place (a rename each), so a failed build leaves the output folder as it was. The
    staging folder lives inside the output folder so that rename never crosses file systems.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.folder = out / STAGING
        self.discard()

    def stage(self, path: str, data: bytes) -> bool:
        """Hold ``data`` for site path ``path`` unless the live file has exactly these bytes; True if staged."""
        if holds(self.out / path, data):
            return False
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return True

    def read(self, path: str) -> bytes:
        """The bytes ``path`` will have after commit (staged, else live)."""
        staged = self.folder / path
        return staged.read_bytes() if staged.is_file() else (self.out / path).read_bytes()

    def commit(self) -> None:
        """Move every staged file into place. A folder the live site lacks moves in with one rename, so
        a first build costs a few renames rather than one per page."""
        if self.folder.is_dir():  # else nothing changed
            _merge(self.folder, self.out)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _merge(source: Path | str, target: Path | str) -> None:
    os.makedirs(target, exist_ok=True)
    for entry in os.scandir(source):
        destination = os.path.join(target, entry.name)
        is_folder = entry.is_dir(follow_symlinks=False)
        over_folder = os.path.isdir(destination) and not os.path.islink(destination)
        if is_folder and over_folder:
            _merge(entry.path, destination)
            continue
        if over_folder:
            shutil.rmtree(destination)  # a page where a folder of pages used to be
        elif is_folder and os.path.lexists(destination):
            os.unlink(destination)
        os.replace(entry.path, destination)
