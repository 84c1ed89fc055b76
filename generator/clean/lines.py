"""Line classification, the heart of the text cleaner: every non-empty line of a capture with its size,
stop-word share and kind.

Kinds: good (running prose), near (short prose), short (labels, headings, bylines), bad (furniture by
keyword class, teaser text cut off with "...", lines the page repeats, teaser cards), end (a label that
opens the after-article zone). Like jusText's paragraph classes, but with the stop words of the document's
own language, and with the context rules a browser copy needs (paragraphs set apart by blank lines,
sentences cut by a stray break, headline-and-blurb cards).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from generator.clean import furniture
from generator.clean.caption import WRAPPED
from generator.clean.dates import find_dates
from generator.clean.lang import SAMPLE_WORDS, Language, detect_words
from generator.clean.meta import bare_author, parse_byline

WORD = re.compile(r"\w+")
UNSPACED_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u0e00-\u0e7f]")
TERMINAL_CHARS = frozenset(".!?。！？:;\"”’»)]'*_")
DIGIT = re.compile(r"\d")
YEAR = re.compile(r"(?:19|20)\d\d")  # every full date holds a year: the cheap test before the date forms
META_LABEL = re.compile(r"^(?:author|authors|by|written by|autor|auteur|publish(?:ed)?(?: date| on)?|date|posted"
                        r"|posted on|updated|last updated|datum|fecha|data)\s*:$", re.I)
GOOD_WORDS = 10
WRAP_STOP = re.compile(r"^(?:[-*•·▪◦–#>]|\d{1,2}[.)]\s)")  # list items and headings start their own line


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


def read_lines(text: str) -> tuple[list[Line], Language]:
    """The capture's non-empty lines, measured, and its language (told from the same words)."""
    raw: list[tuple[str, bool, list[str]]] = []
    prose: list[str] = []
    blank = True
    label = ""
    for row in unwrap(text.replace("\u00a0", " ").split("\n")):
        stripped = " ".join(row.split())
        if not stripped:
            blank = True
            continue
        if stripped[-1] == ":" and META_LABEL.match(stripped):
            label = stripped  # "Author:" / "Publish date:" on a line of its own: read with its value
            continue
        if label:
            stripped, label = f"{label} {stripped}", ""
        tokens = WORD.findall(stripped.lower())
        if len(tokens) >= 8 and len(prose) < SAMPLE_WORDS:
            prose.extend(tokens)
        raw.append((stripped, blank, tokens))
        blank = False
    lang = detect_words(text, prose[:SAMPLE_WORDS])
    lines = [Line(n, stripped, gap, *measure(stripped, tokens, lang)) for n, (stripped, gap, tokens) in enumerate(raw)]
    return lines, lang


def unwrap(rows: list[str]) -> list[str]:
    """Hard-wrapped text (plain-text copies, e-mails, source with line breaks inside paragraphs) joined
    back into one line per paragraph. A text is wrapped when its long lines stop at one width (most of
    them within 20 characters of the longest, which is at most 100); then a line that reaches that width
    continues on the next one unless a blank line, a list item or a heading follows. (A few longer lines,
    such as URLs, are allowed.)"""
    lengths = sorted(len(row.strip()) for row in rows if len(row.strip()) >= 40)
    if len(lengths) < 5:
        return rows
    width = lengths[int(len(lengths) * 0.9) - 1]
    near = sum(1 for n in lengths if n >= width - 20)
    beyond = sum(1 for n in lengths if n > width + 10)
    if width > 100 or near < 0.6 * len(lengths) or beyond > 0.1 * len(lengths):
        return rows
    out: list[str] = []
    joinable = False
    for row in rows:
        stripped = row.strip()
        if joinable and stripped and not WRAP_STOP.match(stripped):
            out[-1] = f"{out[-1].rstrip()} {stripped}"
        else:
            out.append(row)
        joinable = len(stripped) >= width - 25  # reached the margin: the paragraph goes on below
    return out


def measure(text: str, tokens: list[str], lang: Language) -> tuple[int, float, str, bool, bool, bool]:
    """(words, stop-word share, kind, dated, byline, appeal words present): size and stop words now,
    the rest defaults until ``classify``."""
    asks = not furniture.TRIGGERS.isdisjoint(tokens) or "©" in text
    if not lang.spaced:
        unspaced = len(UNSPACED_CHAR.findall(text))
        size = unspaced // 2 + len(WORD.findall(UNSPACED_CHAR.sub(" ", text)))
        return size, 1.0, "short", False, False, asks or furniture.may_appeal(text.lower())
    if not tokens:
        return 0, 0.0, "short", False, False, asks
    if not lang.stopwords:
        return len(tokens), 1.0, "short", False, False, asks
    stop = sum(map(lang.stopwords.__contains__, tokens))
    return len(tokens), stop / len(tokens), "short", False, False, asks


def classify(lines: Sequence[Line], lang: Language, use_stopwords: bool = True) -> list[Line]:
    """Each line's kind. ``use_stopwords=False`` judges prose by shape alone (for pages whose text is
    mostly names and numbers, such as results tables, where no line reaches the stop-word share)."""
    keys = [line.text.casefold() for line in lines]
    counts = Counter(keys)
    min_stop = 0.12 if lang.stopwords and use_stopwords else 0.0
    seen: set[str] = set()
    out = []
    for n, line in enumerate(lines):
        prose_copy = line.words >= GOOD_WORDS
        kind = "bad" if keys[n] in seen and prose_copy else kind_of(line, repeat_class(keys, counts, n, prose_copy),
                                                                      min_stop)
        seen.add(keys[n])
        # Datelines and bylines are short: long prose lines need not be read for them.
        short = kind != "good" or line.words <= 30
        out.append(Line(line.at, line.text, line.gap, line.words, line.stop, kind, short and is_dateline(line),
                        short and is_byline(line), line.asks))
    return drop_card_lists(drop_cards(keep_cut_paragraph(join_broken(out, min_stop))))


def keep_cut_paragraph(lines: list[Line]) -> list[Line]:
    """A long paragraph cut off with "..." right after the article's prose is where a paywall or a "read
    more" fold stops the text: it is the article's last paragraph, not a teaser (teasers follow their
    own headline)."""
    out = list(lines)
    for n in range(1, len(out)):
        line, prev = out[n], out[n - 1]
        if line.kind == "bad" and line.words >= 25 and prev.kind == "good" and furniture.is_teaser(line.text) \
                and not line.asks:
            out[n] = line._replace(kind="good")
    return out


def repeat_class(keys: Sequence[str], counts: Counter[str], n: int, prose: bool) -> int:
    """How often line ``n`` is printed, for the repetition rule. Prose printed again line after line is a
    second copy of the article (print or no-script versions): its first copy counts as printed once
    (later copies are dropped by the caller). A line repeated on its own (an image's alt text, a label)
    keeps its count."""
    count = counts[keys[n]]
    if count < 2 or not prose:
        return count
    neighbours = [counts[keys[m]] for m in (n - 1, n + 1) if 0 <= m < len(keys)]
    return 1 if any(c > 1 for c in neighbours) else count


def kind_of(line: Line, repeats: int, min_stop: float) -> str:
    text = line.text
    label = furniture.label_kind(text)
    if label == "end":
        return "end"
    if label or furniture.is_teaser(text) or (line.asks and furniture.is_appeal(text, line.words)):
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


def is_terminal(text: str) -> bool:
    """Ends like a sentence (or a quotation, or emphasis closing one)."""
    return bool(text) and text[-1] in TERMINAL_CHARS


def is_dateline(line: Line) -> bool:
    return line.words <= 14 and bool(YEAR.search(line.text)) and bool(find_dates(line.text, True))


def is_byline(line: Line) -> bool:
    if line.words <= 6 and bare_author(line.text):
        return True
    return line.words <= 30 and parse_byline(line.text) is not None
