"""The text cleaner: find the article in a copy-pasted page (browser ``innerText``, Markdown-ish copies).

Hand-written: jusText and trafilatura work on an HTML tree (tags, link density), which a copy-paste no
longer has; jusText run on such text scores 0.79 on the benchmark's text captures. The signals here are
the ones a copy keeps: line length and sentence ends, stop words, blank lines, repetition, furniture
labels, and position relative to headline and dateline.

Steps, each a small function:

1. ``lines.read_lines`` / ``lines.classify``: one ``Line`` per non-empty line, sized and classified
   (good, near, short, bad, end).
2. ``clusters``: runs of prose lines; a run breaks at an after-article label (comments, related, most
   read...) or a long stretch of non-prose lines (menus, link lists). The best run is the article: most
   prose, doubled when a byline or dateline stands on top of it; ``merge_neighbours`` then grows it over
   short interruptions (an inline "Related" box) and ``extend_list`` over a list its last line announces.
3. ``headline.find_title``: the headline near the top of the run.
4. The lines between headline and article are the header (byline, dateline, caption); the article starts
   after the last of them (``body_start``). Inside the run, ``keep`` drops furniture, captions and a
   repeated standfirst, and keeps subheadings and list items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generator.clean import furniture
from generator.clean.caption import WRAPPED, Caption, caption_at, is_caption_line
from generator.clean.headline import HEADER_SPAN, find_title
from generator.clean.lang import Language
from generator.clean.lines import DIGIT, Line, classify, read_lines
from generator.clean.meta import find_url

URL_LABEL = re.compile(r"^(?:original (?:url|link|article)|source url)\s*:?\s*$", re.I)
BULLET = re.compile(r"^(?:[-*•·▪◦–]|\d{1,2}[.)])\s+\S")
HEADING_MD = re.compile(r"^#{1,6}\s+")
MAX_GAP = 5          # non-prose lines a run of prose may bridge


@dataclass(frozen=True)
class Layout:
    """Where things are in a text capture; indexes into ``lines``."""

    lines: tuple[Line, ...]
    title: int | None
    body: tuple[int, ...]
    header: tuple[int, ...]   # lines around title and body start: byline, dateline
    trailer: tuple[int, ...]  # lines just after the body: author box, e-mail, original URL
    caption: Caption | None
    url: str | None
    lang: Language


def clusters(lines: Sequence[Line]) -> list[tuple[int, int, float]]:
    """(first, last, score) of each run of prose, breaking at after-article labels and long gaps."""
    runs: list[tuple[int, int, float]] = []
    first = last = -1
    score = 0.0
    gap = 0.0
    for line in lines:
        if line.kind in ("good", "near"):
            if first < 0:
                first = line.at
            last, gap = line.at, 0.0
            score += line.words if line.kind == "good" else line.words / 2
            continue
        if first < 0:
            continue
        gap += gap_weight(line)
        if line.kind == "end" or gap > MAX_GAP:
            runs.append((first, last, score))
            first, score, gap = -1, 0.0, 0.0
    if first >= 0:
        runs.append((first, last, score))
    return runs


def anchored_score(lines: Sequence[Line], run: tuple[int, int, float]) -> float:
    """A run of prose right under a byline or dateline is far likelier the article than one that is not."""
    first, last, score = run
    before = lines[max(0, first - 3):first]
    if any(line.kind == "end" for line in before):
        return score  # under a comment signature or a "related" label: not the article
    for line in lines[max(0, first - 4):min(last, first + HEADER_SPAN)]:
        if line.byline or line.dated:
            return score * 2 + 30
    return score


def merge_neighbours(lines: Sequence[Line], runs: Sequence[tuple[int, int, float]], best: int) -> tuple[int, int]:
    """Grow the article over a short interruption (an inline "Related" box, an ad, a pull-out) when
    real prose follows; comment threads never join."""
    first, last = runs[best][0], runs[best][1]
    for step in (1, -1):
        n = best + step
        while 0 <= n < len(runs):
            a, b, score = runs[n]
            gap = lines[last + 1:a] if step == 1 else lines[b + 1:first]
            if len(gap) > MAX_GAP + 3 or score < 40 or any(furniture.COMMENT_SIGNATURE.match(x.text) for x in gap):
                break
            if step == 1 and any(x.kind == "end" and not furniture.is_inline_end(x.text) for x in gap):
                break
            first, last = min(first, a), max(last, b)
            n += step
    return first, last


def extend_list(lines: Sequence[Line], last: int) -> int:
    """A closing paragraph that announces a list ("Tour dates:") takes the list lines under it."""
    if not lines[last].text.endswith(":"):
        return last
    end = last
    while end + 1 < len(lines) and lines[end + 1].kind == "short" and (end == last or not lines[end + 1].gap):
        end += 1
    return end if end - last >= 2 else last


def is_list_line(lines: Sequence[Line], kept: Sequence[int], n: int) -> bool:
    """A short line in a run under a line ending with a colon: an unmarked list item."""
    m = n
    while m > 0 and lines[kept[m]].kind == "short" and not lines[kept[m]].gap and kept[m - 1] == kept[m] - 1:
        m -= 1
        if lines[kept[m]].text.endswith(":") and lines[kept[m]].kind in ("good", "near"):
            return True
    return False


def gap_weight(line: Line) -> float:
    """How much a non-prose line separates prose: ad labels little, table rows (digits) less than
    menu items and labels."""
    if line.kind == "bad" and line.words <= 3:
        return 0.0
    if line.kind == "short" and DIGIT.search(line.text):
        return 0.3
    return 1.0


def layout(text: str) -> Layout:
    read, lang = read_lines(text)
    lines = classify(read, lang)
    runs = clusters(lines)
    if not runs:  # no line reads as prose by its stop words: judge by shape alone before giving up
        lines = classify(read, lang, use_stopwords=False)
        runs = clusters(lines)
    url, url_lines = find_url_lines(lines)
    if not runs:
        return Layout(tuple(lines), None, (), (), (), None, url, lang)
    best = max(range(len(runs)), key=lambda n: anchored_score(lines, runs[n]))
    first, last = merge_neighbours(lines, runs, best)
    last = extend_list(lines, last)
    title = find_title(lines, first, last)
    start = body_start(lines, title, first, last)
    caption = find_header_caption(lines, title, start, last)
    if caption and caption.index >= start:
        start = max(start, max(caption.used) + 1) if caption.index <= start + 2 else start
    trailer = tuple(range(last + 1, min(len(lines), last + 8)))
    taken = set(url_lines) | (set(caption.used) if caption else set())
    kept = [i for i in range(start, last + 1) if i not in taken]
    header_prose = lines_before(lines, start)
    body = tuple(i for n, i in enumerate(kept) if keep(lines, kept, n, header_prose))
    opening = body[0] if body else start
    header = tuple(range(max(0, (title if title is not None else first) - 3), max(start, opening)))
    return Layout(tuple(lines), title, body, header, trailer, caption, url, lang)


def find_url_lines(lines: Sequence[Line]) -> tuple[str | None, list[int]]:
    """"Original url: <...>" (possibly with the URL on the next line), as some capture tools add; a line
    that is only a URL counts at the very top or bottom of the capture (inside, it is a link or an embed)."""
    for line in lines:
        url = find_url(line.text, bare=line.at < 3 or line.at >= len(lines) - 3)
        if url:
            return url, [line.at]
        if line.words <= 3 and URL_LABEL.match(line.text):
            nxt = lines[line.at + 1] if line.at + 1 < len(lines) else None
            if nxt and find_url(nxt.text):
                return find_url(nxt.text), [line.at, nxt.at]
    return None, []


def body_start(lines: Sequence[Line], title: int | None, first: int, last: int) -> int:
    """Skip header lines (byline, dateline, dek) that the prose run swallowed."""
    start = first
    if title is not None and title >= first:
        start = title + 1
    for i in range(start, min(last, start + HEADER_SPAN)):
        if lines[i].kind == "good" and lines[i].words >= 25 and i > start:
            break  # the article has begun: a date further down is in the story (or an embed)
        if lines[i].byline or lines[i].dated:
            start = i + 1
    return start


def find_header_caption(lines: Sequence[Line], title: int | None, start: int, last: int) -> Caption | None:
    """The lead image caption sits between the title and the first paragraphs (or among them)."""
    texts = [line.text for line in lines]
    begin = title + 1 if title is not None else max(0, start - HEADER_SPAN)
    for i in range(begin, min(last + 1, start + 4)):
        found = caption_at(texts, i)
        if found:
            return found
    for i in range(start, last + 1):
        if WRAPPED.match(texts[i]):
            return caption_at(texts, i)
    return None


def lines_before(lines: Sequence[Line], start: int) -> set[str]:
    return {line.text for line in lines[max(0, start - HEADER_SPAN):start] if line.kind in ("good", "near")}


def keep(lines: Sequence[Line], kept: Sequence[int], n: int, header_prose: set[str]) -> bool:
    line = lines[kept[n]]
    if is_caption_line(line.text) and line.words <= 60:
        return False
    if line.text in header_prose:
        return False  # the standfirst printed again under the header
    if line.kind in ("good", "near"):
        return True
    if line.kind != "short":
        return False
    if BULLET.match(line.text) or HEADING_MD.match(line.text):
        return line.words >= 2
    return is_heading(lines, kept, n) or is_list_line(lines, kept, n)


def is_heading(lines: Sequence[Line], kept: Sequence[int], n: int) -> bool:
    """A short line between paragraphs that reads like a subheading (no sentence end, capitalised)."""
    line = lines[kept[n]]
    if not 1 <= line.words <= 16 or n + 1 >= len(kept) or n == 0:
        return False
    if line.text.endswith((".", ",", ";")) or line.dated or line.byline:
        return False
    nxt = lines[kept[n + 1]]
    if not (line.gap and nxt.gap) and any(lines[i].gap for i in kept):
        return False  # where paragraphs are set apart by blank lines, so are headings; list items are not
    first_char = line.text.lstrip("#*_ ")[:1]
    return nxt.kind in ("good", "near") and (first_char.isupper() or first_char.isdigit()
                                              or not first_char.isascii())
