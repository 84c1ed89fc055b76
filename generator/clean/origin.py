"""Where an HTML capture was fetched: the ``<!-- saved from url=(NNNN)URL -->`` mark.

Browsers write this comment at the top of a page saved with "Save page as" (the "mark of the web"), and
``digest add`` and the browser bookmarklet write it too. It names the address the page was actually
read from, so it wins over the page's own canonical link, which publishers sometimes get wrong.
"""

from __future__ import annotations

import re

SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d{4}\)(https?://[^\s>]+?)\s*-->", re.I)
HEAD_CHARS = 4096  # the mark sits before the document proper


def saved_from_url(page: str) -> str | None:
    """The URL of the mark at the top of ``page``, if any."""
    match = SAVED_FROM.search(page[:HEAD_CHARS])
    return match[1] if match else None


def saved_from_mark(url: str) -> str:
    """The mark for ``url`` (the number is the URL's length, four digits, as browsers write it)."""
    return f"<!-- saved from url=({min(len(url), 9999):04d}){url} -->"
