"""Reading a file a person put in the digest: only a regular file, and never more than a limit.

A FIFO would block the read forever and a device (``/dev/zero``) never ends; the size a file claims is
not trusted, the read itself stops at the limit. Every problem is one ``DigestError`` naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from generator.errors import DigestError


def read_regular(path: Path, limit: int, error: type[DigestError] = DigestError) -> bytes:
    """The bytes of the regular file ``path`` (links followed), at most ``limit`` of them."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise error("no such file", path) from None
    except IsADirectoryError:
        raise error("is a folder, not a file", path) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", path) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error("is a folder, not a file", path)
        if not stat.S_ISREG(mode):
            raise error("not a regular file (a pipe, socket or device): not read", path)
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise error(f"cannot read: {exc.strerror}", path) from None
    if len(data) > limit:
        raise error(f"too large (over {limit / 1e6:.0f} MB, the limit)", path)
    return data
