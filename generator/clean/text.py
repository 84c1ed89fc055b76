"""The text cleaner: find the article in a copy-pasted page (browser ``innerText``, Markdown-ish copies).

Steps, each a small function:

1. ``read_lines``: one ``Line`` per non-empty line, with its word count, stop-word share, and whether a
   blank line stands before it (in browser copies ``<p>`` paragraphs are set apart by blank lines,
   widgets by single line breaks).
2. ``classify``: good (running prose), near (short prose), short (labels, headings, bylines), bad
   (furniture by keyword class, teaser text cut off with "...", lines the page repeats). Like jusText,
   but the stop words are those of the document's own language.
3. ``clusters``: runs of prose lines; a run breaks at an after-article label (comments, related, most
   read...) or a long stretch of non-prose lines (menus, link lists). The run with most prose is the
   article.
4. ``find_title``: among the lines shortly before the article, the one that reads like a headline and
   shares most words with the article's opening.
5. The lines between title and article are the header: byline, dateline, caption. The article starts
   after the last of them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from generator.clean import furniture
from generator.clean.caption import LABEL, WRAPPED, Caption, caption_at, is_caption_line, split_credit
from generator.clean.dates import find_dates
from generator.clean.lang import Language
from generator.clean.meta import BYLINE, EMAIL, bare_author, find_url, parse_byline

WORD = re.compile(r"\w+")
UNSPACED_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u0e00-\u0e7f]")
TERMINAL_CHARS = frozenset(".!?。！？:;\"”’»)]'*_")
DIGIT = re.compile(r"\d")
BREADCRUMB = re.compile(r"\s[>›»/|]\s")
META_LABEL = re.compile(r"^(?:author|authors|by|written by|autor|auteur|publish(?:ed)?(?: date| on)?|date|posted"
                        r"|posted on|updated|last updated|datum|fecha|data)\s*:$", re.I)
CAPTION_GLUE = re.compile(r"[a-z][.!?][A-Z]")
URL_LABEL = re.compile(r"^(?:original (?:url|link|article)|source url)\s*:?\s*$", re.I)
BULLET = re.compile(r"^(?:[-*•·▪◦–]|\d{1,2}[.)])\s+\S")
HEADING_MD = re.compile(r"^#{1,6}\s+")
GOOD_WORDS = 10
MAX_GAP = 5          # non-prose lines a run of prose may bridge
HEADER_SPAN = 12     # lines after the title that may hold byline, dateline, caption
TITLE_SPAN = 120     # lines before the article searched for its title


class Line(NamedTuple):
    """One non-empty line of the capture. (A NamedTuple, not a frozen dataclass: pages have hundreds of
    lines and frozen dataclasses are slow to build.)"""

    at: int        # position among the non-empty lines
    text: str
    gap: bool      # a blank line (or the start) precedes it
    words: int     # word count (word-equivalents for scripts without spaces)
    stop: float    # share of stop words (1.0 where the language has no list)
    kind: str = "short"  # good | near | short | bad | end
    dated: bool = False   # a short line printing a full date: a dateline
    byline: bool = False  # a byline ("By ...", "Author: ...")
    asks: bool = False    # holds a word that appeals/notices use (subscribe, cookies...): worth a closer look


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


def read_lines(text: str, lang: Language) -> list[Line]:
    lines: list[Line] = []
    blank = True
    label = ""
    for raw in text.replace("\u00a0", " ").split("\n"):
        stripped = " ".join(raw.split())
        if not stripped:
            blank = True
            continue
        if META_LABEL.match(stripped):
            label = stripped  # "Author:" / "Publish date:" on a line of its own: read with its value
            continue
        if label:
            stripped, label = f"{label} {stripped}", ""
        words, stop, asks = measure(stripped, lang)
        lines.append(Line(len(lines), stripped, blank, words, stop, asks=asks))
        blank = False
    return lines


def measure(text: str, lang: Language) -> tuple[int, float, bool]:
    """(words, stop-word share, appeal words present), from one pass over the line's words."""
    low = text.lower()
    if not lang.spaced:
        unspaced = len(UNSPACED_CHAR.findall(text))
        return unspaced // 2 + len(WORD.findall(UNSPACED_CHAR.sub(" ", text))), 1.0, furniture.may_appeal(low)
    words = WORD.findall(low)
    asks = not furniture.TRIGGERS.isdisjoint(words) or "©" in low
    if not words:
        return 0, 0.0, asks
    if not lang.stopwords:
        return len(words), 1.0, asks
    stop = sum(map(lang.stopwords.__contains__, words))
    return len(words), stop / len(words), asks


def classify(lines: Sequence[Line], lang: Language) -> list[Line]:
    counts = Counter(line.text.casefold() for line in lines)
    min_stop = 0.12 if lang.stopwords else 0.0
    out = []
    for line in lines:
        kind = kind_of(line, counts[line.text.casefold()], min_stop)
        # Datelines and bylines are short: long prose lines need not be read for them.
        short = kind != "good" or line.words <= 30
        out.append(line._replace(kind=kind, dated=short and is_dateline(line), byline=short and is_byline(line)))
    return drop_card_lists(drop_cards(join_broken(out, min_stop)))


def drop_card_lists(lines: list[Line]) -> list[Line]:
    """Three or more headline-then-blurb pairs in a row (no blank lines): a list of other stories."""
    out = list(lines)
    n = 0
    while n + 1 < len(out):
        end = n
        while end + 1 < len(out) and is_card(out[end], out[end + 1]):
            end += 2
        if end - n >= 6:
            for m in range(n, end):
                out[m] = out[m]._replace(kind="bad")
        n = max(end, n + 1)
    return out


def is_card(head: Line, blurb: Line) -> bool:
    return (head.kind == "short" and head.words <= 6 and not is_terminal(head.text) and not blurb.gap
            and blurb.kind in ("good", "near") and blurb.words <= 40)


def join_broken(lines: list[Line], min_stop: float) -> list[Line]:
    """Prose cut mid-sentence by a stray paragraph break ("... and the former" / "for its invasion ...")
    is prose, though it does not end like a sentence."""
    out = list(lines)
    for n in range(len(out) - 1):
        line, nxt = out[n], out[n + 1]
        if (line.kind == "short" and line.words >= 6 and line.stop >= min_stop and nxt.kind in ("good", "near")
                and nxt.text[:1].islower()):
            out[n] = line._replace(kind="good")
    return out


def is_terminal(text: str) -> bool:
    """Ends like a sentence (or a quotation, or emphasis closing one)."""
    return bool(text) and text[-1] in TERMINAL_CHARS


def is_dateline(line: Line) -> bool:
    return line.words <= 14 and bool(DIGIT.search(line.text)) and bool(find_dates(line.text, True))


def is_byline(line: Line) -> bool:
    if line.words <= 6 and bare_author(line.text):
        return True
    return line.words <= 30 and parse_byline(line.text) is not None


def drop_cards(lines: list[Line]) -> list[Line]:
    """Teaser cards (a headline line, then its blurb with no blank line between) on pages whose prose
    paragraphs are set apart by blank lines: there, prose glued under a headline is not a paragraph."""
    good = [line for line in lines if line.kind == "good"]
    if len(good) < 4 or sum(1 for line in good if line.gap) < 0.75 * len(good):
        return lines
    out = list(lines)
    # Only after prose has begun: above the article, headline and standfirst look just like a card.
    begun = next((n for n, line in enumerate(out) if line.kind == "good" and line.gap), len(out))
    for n in range(begun + 1, len(out)):
        line, prev = out[n], out[n - 1]
        if (line.kind == "good" and line.words <= 60 and not line.gap and prev.kind == "short"
                and not is_terminal(prev.text)):
            out[n] = line._replace(kind="bad")
            out[n - 1] = prev._replace(kind="bad")
    return out


def kind_of(line: Line, repeats: int, min_stop: float) -> str:
    text = line.text
    if furniture.is_end(text):
        return "end"
    if furniture.is_inline(text) or furniture.is_teaser(text) or (line.asks and furniture.is_appeal(text, line.words)):
        return "bad"
    if repeats > 2 or (repeats > 1 and line.words < GOOD_WORDS and not WRAPPED.match(text)):
        return "bad"  # prose is not printed three times; short labels not twice
    prose = line.stop >= min_stop
    terminal = is_terminal(text)
    if prose and line.words >= GOOD_WORDS and (terminal or line.words >= 25):
        return "good"
    if prose and line.words >= 4 and terminal:
        return "near"
    return "short"


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


def layout(text: str, lang: Language) -> Layout:
    lines = classify(read_lines(text, lang), lang)
    url, url_lines = find_url_lines(lines)
    runs = clusters(lines)
    if not runs:
        return Layout(tuple(lines), None, (), (), (), None, url)
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
    return Layout(tuple(lines), title, body, header, trailer, caption, url)


def find_url_lines(lines: Sequence[Line]) -> tuple[str | None, list[int]]:
    """"Original url: <...>" (possibly with the URL on the next line), as some capture tools add."""
    for line in lines:
        url = find_url(line.text)
        if url:
            return url, [line.at]
        if line.words <= 3 and URL_LABEL.match(line.text):
            nxt = lines[line.at + 1] if line.at + 1 < len(lines) else None
            if nxt and find_url(nxt.text):
                return find_url(nxt.text), [line.at, nxt.at]
    return None, []


def find_title(lines: Sequence[Line], first: int, last: int) -> int | None:
    """The headline: a Markdown ``#`` line, else the best-scoring headline-shaped line near the body start."""
    counts = Counter(line.text.casefold() for line in lines)
    lead = lead_words(lines, first, last)
    best, best_score = None, 0.0
    prose_before = 0
    for i in range(max(0, first - TITLE_SPAN), min(first + HEADER_SPAN, last)):
        line = lines[i]
        if re.match(r"^#\s+\S", line.text):
            return i
        if prose_before > 20:
            break  # past the article's first paragraphs: later lines are subheadings or captions
        if i >= first and line.kind == "good" and line.words >= 20:
            prose_before += line.words
        own = Counter(w.lower() for w in WORD.findall(line.text)) if i >= first else Counter()
        repeats = counts[line.text.casefold()]
        # A line is furniture by its own words when it is "bad" for another reason than being repeated.
        furniture_line = line.kind == "bad" and (repeats == 1 or is_furniture(line.text, line.words))
        score = 0.0 if furniture_line else title_score(line, lead, own, max(0, first - i))
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


def title_score(line: Line, lead: Counter[str], own: Counter[str], distance: int) -> float:
    """How headline-like a line is; ``own``: its words already counted in ``lead`` (a line inside the
    run must not match itself)."""
    text = line.text
    if not 2 <= line.words <= 40 or len(text) > 250 or line.kind == "end" or line.dated or line.byline:
        return 0.0
    if text.rstrip("\"”’»)")[-1:] in (".", ",", ":", ";") and not text.endswith("...") and not title_case(text):
        return 0.0
    if EMAIL.search(text) or BYLINE.match(text):
        return 0.0
    if split_credit(text)[1] or CAPTION_GLUE.search(text) or len(BREADCRUMB.findall(text)) >= 2:
        return 0.0  # a photo caption with its credit, or a breadcrumb trail
    words = [w.lower() for w in WORD.findall(text)]
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
    first_char = line.text.lstrip("#*_ ")[:1]
    return nxt.kind in ("good", "near") and (first_char.isupper() or first_char.isdigit()
                                              or not first_char.isascii())
