"""Input fingerprints of output files: a page whose fingerprint is unchanged need not be rendered again.

A fingerprint covers everything a page is rendered from: its template set, the site settings and the
page's own context. Articles enter by their ``digest`` (content file hash + URL + neighbours + topics), so
fingerprinting a list page costs a few hashes, not a walk over article bodies.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any, Protocol


class Digested(Protocol):
    digest: str


def fingerprint(*values: Any, memo: dict[int, tuple[Any, str]] | None = None) -> str:
    """Stable hash of ``values``: dataclasses by field, objects with a ``digest`` attribute by it.

    ``memo`` (one per build) remembers the encoding of dataclasses and containers by identity; it holds
    a reference to each object, so an id cannot be reused by another object while the memo lives.
    This runs for every page on every rebuild, so it is written for speed: one hash per call, a type's
    kind looked up once, and dicts encoded in their own order (the code and files that make a page's
    context make it in the same order every time; a different order would only cost a re-render)."""
    memo = {} if memo is None else memo
    text = "\x1f".join([_encode(value, memo) for value in values])  # plain strings are repr()'d: no clash
    return hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


_PLAIN = frozenset({str, int, float, bool, type(None)})
_SEQUENCE, _MAPPING, _DIGESTED, _DATACLASS, _OTHER = range(5)


@cache
def _kind(kind: type) -> int:
    if kind is tuple or kind is list:
        return _SEQUENCE
    if kind is dict:
        return _MAPPING
    if hasattr(kind, "digest") or "digest" in getattr(kind, "__dataclass_fields__", ()):
        return _DIGESTED
    return _DATACLASS if hasattr(kind, "__dataclass_fields__") else _OTHER


def _encode(value: Any, memo: dict[int, tuple[Any, str]]) -> str:
    kind: Any = type(value)  # Any: typeshed does not count types as Hashable (for the cache of _kind)
    if kind in _PLAIN:
        return repr(value)
    known = memo.get(id(value))
    if known is not None:
        return known[1]
    how = _kind(kind)
    if how == _DIGESTED and isinstance(digest := value.digest, str):
        return "D" + digest
    if how == _SEQUENCE:
        encoded = "[" + ",".join([_encode(item, memo) for item in value]) + "]"
    elif how == _MAPPING:
        encoded = "{" + ",".join([f"{k!r}:{_encode(v, memo)}" for k, v in value.items()]) + "}"
    elif hasattr(kind, "__dataclass_fields__"):
        inner = ",".join([_encode(getattr(value, name), memo) for name in kind.__dataclass_fields__])
        encoded = hashlib.sha1(f"{kind.__name__}({inner})".encode("utf-8", "surrogatepass"),
                               usedforsecurity=False).hexdigest()
    else:
        return repr(value)
    memo[id(value)] = (value, encoded)
    return encoded
