"""Topic assignment: an article gets a declared topic when the topic is what it is about.

That is, when the topic's name or one of its terms occurs in the headline or the lede (the first
paragraph, up to ``LEDE_WORDS`` words), or again and again in the rest of the body (``REPEATS`` times, and
at least once every ``WORDS_PER_REPEAT`` words, so a long text does not pick up a topic by mentioning it in
passing), not when a term occurs once somewhere (then every article of a digest on one subject carries
nearly every topic, and topic pages list everything). ``match_topics`` (any mention at all) is what
``digest topics --suggest`` uses to tell whether a name is covered by a topic already.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

from generator.config import TopicConfig

REPEATS = 3  # mentions in the body, beyond headline and lede, that make a topic what an article is about
WORDS_PER_REPEAT = 100  # ... and at least one mention per this many words of it
LEDE_WORDS = 60  # a lede is a sentence or two; a long first paragraph counts as lede only this far


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words only, so "Iran" does not match "Iranian"... unless a term says so; case-insensitive.
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True) if t.strip())
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def match_topics(text: str, topics: Iterable[TopicConfig]) -> tuple[str, ...]:
    """Names of the topics whose name or any term occurs in ``text``, in declaration order."""
    found = []
    for topic in topics:
        terms = (topic.name, *topic.terms)
        if _term_pattern(terms).search(text):
            found.append(topic.name)
    return tuple(found)


def assign_topics(title: str, body: str, topics: Iterable[TopicConfig]) -> tuple[str, ...]:
    """Names of the topics an article is about (see the module's docstring), in declaration order."""
    lede, rest = split_lede(body)
    words = lede.split()
    head = f"{title}\n{' '.join(words[:LEDE_WORDS])}"
    rest = " ".join([*words[LEDE_WORDS:], rest])
    needed = max(REPEATS, math.ceil(len(rest.split()) / WORDS_PER_REPEAT))
    found = []
    for topic in topics:
        pattern = _term_pattern((topic.name, *topic.terms))
        if pattern.search(head) or _count(pattern, rest, needed) >= needed:
            found.append(topic.name)
    return tuple(found)


_BLOCKS = re.compile(r"\n[ \t]*\n")


def split_lede(body: str) -> tuple[str, str]:
    """(the first paragraph of text, the rest). Headings, images, quotes and list items before it are
    not the lede; they stay in the rest."""
    blocks = _BLOCKS.split(body.strip())
    for index, block in enumerate(blocks):
        text = block.strip()
        if text and not text.startswith(("#", "!", ">", "- ", "* ", "|", "```")):
            return text, "\n\n".join(blocks[:index] + blocks[index + 1:])
    return "", body


def _count(pattern: re.Pattern[str], text: str, enough: int) -> int:
    """Mentions of ``pattern`` in ``text``, counting no further than ``enough``."""
    found = 0
    for _match in pattern.finditer(text):
        found += 1
        if found >= enough:
            break
    return found
