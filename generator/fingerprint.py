"""Input fingerprints of output files: a page whose fingerprint is unchanged need not be rendered again.

A fingerprint covers everything a page is rendered from: its template set, the site settings and the
page's own context. Articles enter by their ``digest`` (content file hash + URL + neighbours + topics), so
fingerprinting a list page costs a few hashes, not a walk over article bodies.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol


class Digested(Protocol):
    digest: str


def fingerprint(*values: Any, memo: dict[int, tuple[Any, str]] | None = None) -> str:
    """Stable hash of ``values``: dataclasses by field, objects with a ``digest`` attribute by it.

    ``memo`` (one per build) remembers the encoding of dataclasses and containers by identity; it holds
    a reference to each object, so an id cannot be reused by another object while the memo lives."""
    memo = {} if memo is None else memo
    hasher = hashlib.sha1(usedforsecurity=False)
    for value in values:
        hasher.update(_encode(value, memo).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _encode(value: Any, memo: dict[int, tuple[Any, str]]) -> str:
    kind = type(value)
    if kind in _PLAIN:
        return repr(value)
    known = memo.get(id(value))
    if known is not None:
        return known[1]
    if kind is tuple or kind is list:
        encoded = "[" + ",".join([_encode(item, memo) for item in value]) + "]"
    elif kind is dict:
        encoded = "{" + ",".join([f"{k!r}:{_encode(v, memo)}" for k, v in sorted(value.items())]) + "}"
    elif isinstance(digest := getattr(value, "digest", None), str):
        return "D" + digest
    elif hasattr(kind, "__dataclass_fields__"):
        inner = ",".join([_encode(getattr(value, name), memo) for name in kind.__dataclass_fields__])
        encoded = hashlib.sha1(f"{kind.__name__}({inner})".encode("utf-8", "surrogatepass"),
                               usedforsecurity=False).hexdigest()
    else:
        return repr(value)
    memo[id(value)] = (value, encoded)
    return encoded
