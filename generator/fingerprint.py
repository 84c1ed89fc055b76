"""Input fingerprints of output files: a page whose fingerprint is unchanged need not be rendered again.

A fingerprint covers everything a page is rendered from: its template set, the site settings and the
page's own context. Articles enter by their ``digest`` (content file hash + URL + neighbours + topics), so
fingerprinting a list page costs a few hashes, not a walk over article bodies.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any, Protocol


class Digested(Protocol):
    digest: str


def fingerprint(*values: Any, memo: dict[int, str] | None = None) -> str:
    """Stable hash of ``values``: dataclasses by field, objects with a ``digest`` attribute by it."""
    memo = {} if memo is None else memo
    hasher = hashlib.sha1(usedforsecurity=False)
    for value in values:
        hasher.update(_encode(value, memo).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


def _encode(value: Any, memo: dict[int, str]) -> str:
    digest = getattr(value, "digest", None)
    if isinstance(digest, str):
        return "D" + digest
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        key = id(value)
        if key not in memo:
            inner = ",".join(_encode(getattr(value, f.name), memo) for f in dataclasses.fields(value))
            memo[key] = hashlib.sha1(f"{type(value).__name__}({inner})".encode("utf-8", "surrogatepass"),
                                     usedforsecurity=False).hexdigest()
        return memo[key]
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(item, memo) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{_encode(v, memo)}" for k, v in sorted(value.items())) + "}"
    return repr(value)
