"""URL slugs: transliterated, lower-case ASCII, stable, never empty."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

MAX_SLUG_WORDS = 12
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")  # content/articles/<yyyy>/<yyyy-mm-dd>-<slug>.md


@lru_cache(maxsize=65536)  # a build asks again for every article and topic; the answer never changes
def slugify(text: str, fallback: str = "") -> str:
    """``"Russia’s Gratitude — Pyongyang"`` -> ``"russias-gratitude-pyongyang"``.

    Non-Latin scripts are transliterated (unidecode) so a Korean or Russian title still gets a readable
    slug; ``fallback`` (e.g. the article id) is used when nothing is left.
    """
    text = re.sub(r"[’'`]", "", unicodedata.normalize("NFKC", text))
    # (ASCII is its own transliteration: most file names and titles skip unidecode's table lookups.)
    ascii_text = (text if text.isascii() else unidecode(text)).lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)[:MAX_SLUG_WORDS]
    return "-".join(words) or fallback


@lru_cache(maxsize=65536)
def collision_key(slug: str) -> str:
    """Two slugs that differ only in case or accents would clash on a case-insensitive host."""
    return unidecode(unicodedata.normalize("NFKC", slug)).casefold()


def file_slug(stem: str, fallback: str) -> str:
    """The URL slug an article file's name gives (without front matter ``slug``): the name without its
    date prefix. Ingest names files so that this never clashes (``generator.ingest.target_path``)."""
    return slugify(DATE_PREFIX.sub("", stem), fallback=fallback)
