"""How sure the cleaner is of each metadata field it filled.

Each value runs from 0 (missing, or a guess) to 1 (certain). The cleaner fills it; ingest records it in
the article's front matter and ``digest review`` lists the articles whose fields are doubtful.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

FIELDS = ("title", "date", "authors", "source")


@dataclass(frozen=True)
class Confidence:
    """The cleaner's confidence in each metadata field, 0..1."""

    title: float = 0.0
    date: float = 0.0
    authors: float = 0.0
    source: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """Rounded to two places, for front matter and ``digest clean --json``."""
        return {name: round(value, 2) for name, value in asdict(self).items()}
