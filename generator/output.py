"""Writing files: atomic (temp file + rename) and only when the bytes change; publishing a whole site at
once (``Staging``).

Why by hand: publishing a folder atomically is one system call (``renameat2`` with RENAME_EXCHANGE,
reached through ctypes: Python's ``os`` has no binding for it) plus hard links for the files that did not
change; no maintained library does this (``atomicwrites`` handles single files and is archived)."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import DigestError


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
SPARE_SUFFIX = ".digest-spare"  # ".<output folder's name>.digest-spare", beside it: the next site is made there
SWAP_SUFFIX = ".digest-swap"  # the old site while a swap without RENAME_EXCHANGE runs (see ``swap``)


class Staging:
    """Changed output files, held apart from the live ones until the whole build has succeeded.

    Workers render and ``stage`` in parallel; only after every output rendered does ``commit`` publish.

    ``swap=True`` (any output folder a person may publish or serve): the site is made complete in a spare
    folder beside the output folder, and the two are exchanged in one ``rename`` (``swap``), so the
    output folder is at every moment the whole old site or the whole new one, even when the build is
    killed. The spare folder is kept: it holds the previous site, so the next build makes it current by
    writing the files that changed and hard-linking from the live site the ones that did not (a file
    already linked to the live one is left alone), instead of copying every file each time.
    ``swap=False`` (a preview's folder in the cache, read by nobody else, where a save must show at once):
    staged files are moved into the output folder one by one; a killed build's leftovers are repaired by
    the next one, which checks every file again because the build cache's manifest is cleared first.
    """

    def __init__(self, out: Path, *, swap: bool = False) -> None:
        self.out = out
        self.swap = swap
        self.staged: set[str] = set()  # site paths staged by this process (workers report theirs: ``mark``)
        if swap:
            self.folder = spare_folder(out)
            try:
                recover(out)
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DigestError(f"cannot make the spare folder {self.folder} beside the output folder: "
                                  f"{exc.strerror or exc} (the output folder's parent must be writable)") from None
        else:
            self.folder = out / STAGING
            self.discard()

    def stage(self, path: str, data: bytes) -> bool:
        """Hold ``data`` for site path ``path`` unless the live file has exactly these bytes; True if staged."""
        if holds(self.out / path, data):
            return False
        # A new file, never written in place: in the spare folder this path may be a hard link to the live file.
        _replace(self.folder / path, data)
        self.staged.add(path)
        return True

    def mark(self, paths: set[str]) -> None:
        """Paths that workers staged (their own ``staged`` sets die with them)."""
        self.staged |= paths

    def read(self, path: str) -> bytes:
        """The bytes ``path`` will have after commit (staged, else live)."""
        return (self.folder / path if path in self.staged else self.out / path).read_bytes()

    def commit(self, site: set[str], present: set[str]) -> None:
        """Publish: afterwards the output folder holds exactly the files ``site`` names (the staged ones as
        staged, the others as they are now); ``present`` names the files there before."""
        if self.swap:
            _complete(self.folder, self.out, site, self.staged)
            try:
                swap(self.out, self.folder)
            except OSError as exc:  # EBUSY: the output folder is a mount point
                raise DigestError(f"cannot publish: the output folder {self.out} cannot be renamed "
                                  f"({exc.strerror or exc}); if it is a mount point, build into a folder "
                                  "inside it (--out)") from None
            return
        if self.folder.is_dir():  # else nothing changed
            _merge(self.folder, self.out)
        self.discard()
        _prune(self.out, present - site)

    def discard(self) -> None:
        """After the build (published or failed): an in-place staging folder goes; a spare folder stays
        for the next build (it is checked file by file then, so a failed build's files do no harm)."""
        if not self.swap:
            shutil.rmtree(self.folder, ignore_errors=True)


def spare_folder(out: Path) -> Path:
    return out.parent / f".{out.name}{SPARE_SUFFIX}"


def _make_folder_for(target: Path) -> None:
    """Make ``target``'s folder, removing files (or links) standing where one of its folders must be."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for parent in reversed(target.parents):
            if (parent.is_symlink() or parent.exists()) and not parent.is_dir():
                parent.unlink()
                break
        target.parent.mkdir(parents=True, exist_ok=True)


def _replace(target: Path, data: bytes) -> None:
    """Write ``target`` as a new file, never into the file there (in a spare folder, that may be a hard
    link to the live one), making way for it when a folder is where the file goes or a file is where one
    of its folders goes (the site's shape changed). A file cut short by a kill is no danger: the next
    build trusts only files it staged itself or that are the live ones."""
    _make_folder_for(target)
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(target)
    with open(target, "xb") as handle:
        handle.write(data)


def _complete(spare: Path, live: Path, site: set[str], staged: set[str]) -> None:
    """Make ``spare`` hold exactly the files of ``site``: the ``staged`` ones are there already; every
    other one must be the live folder's file (a hard link to it, or a copy where links cannot be made).
    Nothing in the spare folder is trusted but a file that is the live one (same inode) or was staged."""
    live_files = dict(_walk_inodes(str(live)))
    spare_files = dict(_walk_inodes(str(spare)))
    dropped = {relative for relative, inode in spare_files.items() if relative not in staged
               and (relative not in site or live_files.get(relative) != inode)}
    _prune(spare, dropped)
    folders: set[Path] = set()  # made already (a mkdir per linked file would cost a system call each)
    for relative in site - staged:
        if relative not in spare_files or relative in dropped:
            _link_or_copy(live / relative, spare / relative, folders)


def _walk_inodes(folder: str) -> list[tuple[str, int]]:
    """(path relative to ``folder``, inode) of every file (or link) below it; the inode comes with the
    folder listing (no stat)."""
    return [(relative, entry.inode()) for relative, entry in walk_files(folder)]


def walk_files(folder: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(path relative to ``folder``, entry) of every file below it. os.scandir, not pathlib: this runs on
    every rebuild over tens of thousands of files."""
    stack = [(folder, "")]
    while stack:
        current, prefix = stack.pop()
        try:
            entries = list(os.scandir(current))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                yield prefix + entry.name, entry


def _link_or_copy(source: Path, target: Path, folders: set[Path]) -> None:
    if target.parent not in folders:
        _make_folder_for(target)
        folders.add(target.parent)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # a file system without hard links, or a file we may not link: copy (keeping mtime)
        shutil.copy2(source, target, follow_symlinks=False)


def swap(out: Path, spare: Path) -> None:
    """Publish ``spare`` as ``out`` in one step; ``spare`` then holds the old site. With RENAME_EXCHANGE
    (Linux 3.15 and later, on the usual file systems) the two folders trade names at once. Elsewhere
    three renames: ``out`` is missing (never half-written) between the first two, and ``recover`` puts
    things right after a kill there."""
    if not out.exists():
        os.rename(spare, out)  # the first build: nothing to trade places with
        return
    if exchange(out, spare):
        return
    parked = out.parent / f".{out.name}{SWAP_SUFFIX}"
    os.rename(out, parked)
    os.rename(spare, out)
    os.rename(parked, spare)


def recover(out: Path) -> None:
    """After a kill during ``swap`` without RENAME_EXCHANGE: the parked old site goes back where it
    belongs (the output folder when that is missing, else the spare folder)."""
    parked = out.parent / f".{out.name}{SWAP_SUFFIX}"
    if not parked.is_dir():
        return
    if not out.exists():
        os.rename(parked, out)
    elif not spare_folder(out).exists():
        os.rename(parked, spare_folder(out))
    else:
        shutil.rmtree(parked)


AT_FDCWD = -100
RENAME_EXCHANGE = 2


@functools.cache
def _renameat2() -> Any:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # not Linux, or a C library older than glibc 2.28
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(first: Path, second: Path) -> bool:
    """Trade the names of two paths atomically; False where the system or file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(first))


def _prune(out: Path, names: set[str]) -> None:
    """Delete these files of ``out``, then the folders they leave empty."""
    for name in names:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):  # (now a folder of new pages)
            (out / name).unlink()
    for folder in sorted({(out / name).parent for name in names}, key=lambda p: len(p.parts), reverse=True):
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


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
