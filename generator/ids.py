"""Article ids: assigned once, never derived from anything a person is likely to edit later.

The id is the feed guid, so it must survive title fixes, renames and moving the site. Ingest assigns it
from the canonical URL when known, else from the cleaned text, and writes it into front matter. An
article written by hand without an id gets one from its URL, else from its file name (stable as long as
the file is not renamed; ``digest ingest`` never renames files).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

ID_LENGTH = 16


def _digest(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:ID_LENGTH]


def canonical_url(url: str) -> str:
    """Same article, same id: drop fragment, tracking parameters, ``www.``, scheme and trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith(("utm_", "fbclid")))
    return urlunsplit(("https", host, parts.path.rstrip("/"), query, ""))


def text_key(title: str, body: str) -> str:
    """Title and body with case, punctuation and white space folded: equal for the same text."""
    return re.sub(r"\W+", " ", f"{title}\n{body}".casefold()).strip()


def id_from_url(url: str) -> str:
    return _digest("url:" + canonical_url(url))


def id_from_text(title: str, body: str) -> str:
    return _digest("text:" + text_key(title, body))


def id_from_filename(stem: str) -> str:
    return _digest("file:" + stem)
