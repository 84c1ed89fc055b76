"""The headline of a text capture: among the lines shortly before (or at the top of) the article, the one
that reads like a headline, shares most words with the article's opening, and sits on a byline or
dateline.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from generator.clean import furniture
from generator.clean.caption import LABEL, split_credit
from generator.clean.lines import UNSPACED_CHAR, WORD, Line
from generator.clean.meta import BYLINE, EMAIL

BREADCRUMB = re.compile(r"\s[>›»/|]\s")
CAPTION_GLUE = re.compile(r"[a-z][.!?][A-Z]")
HEADER_SPAN = 12     # lines after the title that may hold byline, dateline, caption
TITLE_SPAN = 120     # lines before the article searched for its title


def find_title(lines: Sequence[Line], first: int, last: int) -> int | None:
    """The headline: a Markdown ``#`` line, else the best-scoring headline-shaped line near the body start."""
    counts = Counter(line.text.casefold() for line in lines)
    lead = lead_words(lines, first, last)
    best, best_score = None, 0.0
    prose_before = 0
    for i in range(max(0, first - TITLE_SPAN), min(first + HEADER_SPAN, last)):
        line = lines[i]
        if line.text.startswith("# "):
            return i
        if prose_before > 20:
            break  # past the article's first paragraphs: later lines are subheadings or captions
        if i >= first and line.kind == "good" and line.words >= 20:
            prose_before += line.words
        if not 2 <= line.words <= 40 or line.kind == "end" or line.dated or line.byline:
            continue  # the cheap tests first: most lines are no headline
        repeats = counts[line.text.casefold()]
        # A line is furniture by its own words when it is "bad" for another reason than being repeated.
        if line.kind == "bad" and (repeats == 1 or is_furniture(line.text, line.words)):
            continue
        score = title_score(line, lead, i >= first, max(0, first - i))
        if score:
            score += context_score(lines, i, repeats)
        if score > best_score:
            best, best_score = i, score
    return best


def context_score(lines: Sequence[Line], i: int, repeats: int) -> float:
    """Headlines sit on a byline/dateline and are often printed twice (breadcrumb, share text); teaser
    headlines sit in lists of headline-date pairs."""
    after = lines[i + 1:i + 7]
    if after and LABEL.match(after[0].text):
        return -2.0  # a photo caption over its "Credit" label
    if i > 0 and ((lines[i - 1].text.endswith(":") and lines[i - 1].words <= 3) or LABEL.match(lines[i - 1].text)):
        return -2.0  # the value of a label ("Author:", "Source:")
    # The nearer the byline or dateline below, the likelier a headline (a standfirst may sit between).
    score = max((1.0 - 0.2 * k for k, x in enumerate(after) if x.byline or x.dated), default=0.0)
    if repeats == 2:
        score += 0.3
    dated_before = any(x.dated for x in lines[max(0, i - 3):i])
    dated_after = any(x.dated for x in lines[i + 1:i + 4])
    return score - (1.0 if dated_before and dated_after else 0.0)


def lead_words(lines: Sequence[Line], start: int, last: int) -> Counter[str]:
    """Words of the article's first paragraphs (about 200 words): a headline shares many of them."""
    words: Counter[str] = Counter()
    for line in lines[start:last + 1]:
        if line.kind == "good":
            words.update(w.lower() for w in WORD.findall(line.text))
            if sum(words.values()) > 200:
                break
    return words


def title_score(line: Line, lead: Counter[str], inside: bool, distance: int) -> float:
    """How headline-like a line is. ``inside``: the line is itself in the run the lead comes from, so its
    own words must not count as shared."""
    text = line.text
    if not 2 <= line.words <= 40 or len(text) > 250 or line.kind == "end" or line.dated or line.byline:
        return 0.0
    if text.rstrip("\"”’»)")[-1:] in (".", ",", ":", ";") and not text.endswith("...") and not title_case(text):
        return 0.0
    if EMAIL.search(text) or BYLINE.match(text):
        return 0.0
    if split_credit(text)[1] or CAPTION_GLUE.search(text) or len(BREADCRUMB.findall(text)) >= 2:
        return 0.0  # a photo caption with its credit, or a breadcrumb trail
    words = WORD.findall(text.lower())
    own = Counter(words) if inside else Counter()
    long_words = [w for w in words if len(w) > 3] or words
    # Share of the line's words found in the lead, discounted for lines of one to three words.
    shared = sum(1 for w in long_words if lead[w] > own[w]) / len(long_words) * min(1.0, len(long_words) / 4)
    if not UNSPACED_CHAR.search(text):
        size = min(line.words, 12) / 12
    else:
        size = min(len(text), 24) / 24
    closeness = 1.0 / (1.0 + distance / 20)
    return shared * 2 + size + closeness


def is_furniture(text: str, words: int) -> bool:
    return (furniture.is_inline(text) or furniture.is_teaser(text) or furniture.is_appeal(text, words)
            or furniture.is_end(text))


def title_case(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha() and len(w) > 3]
    return len(words) >= 3 and sum(1 for w in words if w[:1].isupper()) >= 0.7 * len(words)
