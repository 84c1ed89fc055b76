"""Metadata read from the lines around an article: bylines, authors, outlet names, original URL.

Only what is printed is taken. An outlet named in a byline ("By The Moscow Times") is the source, not an
author; a wire agency in a byline ("By AFP") is an author, as newsrooms credit it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator.clean.dates import find_dates

BYLINE = re.compile(r"^(?:(?:written |reported |posted |words )?by|von|por|par|di|door|oleh|de|av|af|autor(?:a|in)?"
                    r"|author|authors|text|texto|texte|reporter|reporting by)\s*[:\-–]?\s+(?P<names>.+)$", re.I)
NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bdan\b|\ben\b|\bog\b|\boch\b|・|、)\s*")
# Where a byline stops and the dateline or counters begin.
BYLINE_STOP = re.compile(r"\s(?:[|/·•—–]|\u3000|／)\s|\s(?:updated|published|posted|created|on)\b|\d|@"
                         r"|\s[^\W\d_]{3,10}\.?\s+\d|,?\s(?:monday|tuesday|wednesday|thursday|friday|saturday"
                         r"|sunday|today|yesterday)\b", re.I)
# "... | By Jane Doe" or "11/19/2019 by Jane Doe": a byline after a dateline on the same line.
INNER_BYLINE = re.compile(r"(?:^|\s[|/·•—–]\s|\d\s+)(?P<byline>(?:by|von|por|par|door|oleh)\s*:?\s+\S.*)$", re.I)
INNER_HINT = re.compile(r"(?:by|von|por|par|door|oleh)[ :]")
BYLINE_START = re.compile(r"\W*(?:written|reported|posted|words|by|von|por|par|di|door|oleh|de|av|af|autor|author"
                          r"|text|texto|texte|reporter|reporting)\b")
HANDLE = re.compile(r"^(?P<name>[^@|/]{3,40}?)\s*@\w+")
# A profile link glued to the name it follows: "Jane DoeView More Articles".
GLUED_LABEL = re.compile(r"[a-z](?:View|More|Read|See|Follow|All|Author|Profile)\b(?:\s+\S+){0,3}$")
NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*|[A-Z]\.|(?:de|da|do|dos|das|del|della|di|du|van|von|der|den"
                       r"|la|le|bin|binti|al|el|ibn|y|e)|[^\W\d_a-zA-Z]+)$")
ROLE = re.compile(r"\b(?:staff|business|reporter|correspondent|editor|columnist|writer|contributor|photographer|"
                  r"news desk|desk|team|bureau|press|media|news|times|post|daily|journal|magazine|agency"
                  r"|online|network|group|company|inc|ltd|llc|tv|radio)\b", re.I)
EMAIL = re.compile(r"\b[\w.+-]+@(?P<domain>[\w-]+(?:\.[\w-]+)+)\b")
URL_LINE = re.compile(r"^(?:original (?:url|link|article)|source(?: url)?|url|link|quelle|fonte|fuente)\s*:?\s*"
                      r"<?(?P<url>https?://\S+?)?>?$", re.I)
BARE_URL = re.compile(r"^<?(?P<url>https?://[^\s<>]+)>?$")
# An outlet label glued to a person's name by the capture ("The Daily ExampleJane Doe"): a card layout.
GLUED_OUTLET = re.compile(r"^(?P<outlet>The(?: [A-Z][\w'’-]+){1,4})(?=[A-Z][a-z]+ [A-Z][a-z]+$)")
WIRES = frozenset({"ap", "afp", "reuters", "pti", "ians", "ani", "dpa", "efe", "ansa", "upi", "tass", "xinhua",
                   "yonhap", "kyodo", "bloomberg", "associated press", "agence france-presse", "press association",
                   "pa", "aap", "anp", "epa", "lusa", "ria novosti", "interfax", "bernama", "antara"})


@dataclass(frozen=True)
class Byline:
    authors: tuple[str, ...]
    outlet: str | None


def strip_markdown(text: str) -> str:
    """Link and emphasis syntax out of a metadata line: ``By [AFP](#)`` -> ``By AFP``."""
    if not any(mark in text for mark in "[<*_"):
        return text.strip()
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"(\*\*|__|\*|_)(\S.*?\S|\S)\1", r"\2", text).strip()


def parse_byline(line: str) -> Byline | None:
    """Names from a byline ("By A, B and C", "Von A", "Author: A"), cut where the dateline starts."""
    low = line.lower()
    if not BYLINE_START.match(low) and not INNER_HINT.search(low):
        return None  # the cheap test: most lines are no byline
    text = strip_markdown(line)
    match = BYLINE.match(text)
    if not match:
        inner = INNER_BYLINE.search(text) if len(text.split()) <= 16 else None
        match = BYLINE.match(inner["byline"]) if inner else None
    if not match:
        return None
    names = BYLINE_STOP.split(match["names"], maxsplit=1)[0]
    names = re.split(r"\s{2,}|\s[-–—]\s", names)[0].strip(" ,.;:")
    people: list[str] = []
    outlet = None
    for part in NAME_SPLIT.split(names):
        part = part.strip(" .,")
        if not part:
            continue
        if is_outlet_name(part):
            outlet = outlet or part
        elif looks_like_name(part):
            people.append(part)
        else:
            return None
    if not people and not outlet:
        return None
    if any(" " in p for p in people):  # "Jane Doe, MS, RDN": credentials are not co-authors
        people = [p for p in people if " " in p or p.lower() in WIRES]
    persons = [p for p in people if p.lower() not in WIRES]
    # "Jane Doe, Associated Press": the agency is her employer here; alone, it is the author.
    return Byline(tuple(persons or people), outlet)


def is_outlet_name(name: str) -> bool:
    """"The Moscow Times", "Daily Example News": a publication, not a person or wire agency."""
    if name.lower() in WIRES:
        return False
    return name.startswith("The ") or bool(ROLE.search(name))


def looks_like_name(text: str) -> bool:
    """One to five capitalised words (particles and initials allowed), or a wire agency."""
    if text.lower() in WIRES:
        return True
    words = text.split()
    if not 1 <= len(words) <= 5 or any(w.lower() in ("the", "a", "an") for w in words):
        return False
    if not words[0][:1].isupper() and not words[0][:1].isalpha():
        return False
    return all(NAME_WORD.match(w) for w in words) and (len(words) > 1 or words[0].isupper() or len(words[0]) > 2)


def bare_author(line: str) -> str | None:
    """A header line that is only a person's name (maybe with a handle or a glued "View more" label),
    or only a wire agency ("REUTERS", "Reuters, Washington")."""
    text = line.strip(" ,")
    first = text.split(",")[0].strip()
    if first.lower() in WIRES and len(text.split()) <= 4:
        return first
    handle = HANDLE.match(text) if "@" in text else None
    if handle and looks_like_name(handle["name"].strip()):
        return handle["name"].strip()
    glued = GLUED_LABEL.search(text) if " " in text else None
    if glued and looks_like_name(text[:glued.start() + 1]):
        return text[:glued.start() + 1]
    return None


def plain_name(line: str) -> str | None:
    """A line that is only a person-like name: taken as a byline only with support from its neighbours."""
    text = line.strip(" ,")
    words = text.split()
    if 2 <= len(words) <= 4 and looks_like_name(text) and not ROLE.search(text):
        return text
    return None


def name_outlet_line(line: str) -> Byline | None:
    """"Jane Doe, Daily Example" under a title: a person, then the outlet."""
    person, sep, outlet = line.partition(", ")
    if not sep or "," in outlet or " " not in person or not looks_like_name(person) or len(outlet.split()) > 5:
        return None
    if not outlet[:1].isupper() or find_dates(outlet, True) or NOT_OUTLET.search(outlet):
        return None  # "Jane Doe, Getty Images" is a photo credit
    return Byline((person,), outlet.strip())


def email_domain(lines: Sequence[str]) -> str | None:
    for line in lines:
        match = EMAIL.search(line)
        if match:
            return match["domain"].lower().removeprefix("www.")
    return None


def find_url(line: str, bare: bool = True) -> str | None:
    """The URL of an "Original url: <...>" line, or of a line that is only a URL when ``bare``."""
    if "http" not in line:
        return None
    match = URL_LINE.match(line.strip()) or (BARE_URL.match(line.strip()) if bare else None)
    return match["url"] if match and match["url"] else None


def glued_outlet(line: str) -> str | None:
    match = GLUED_OUTLET.match(line)
    return match["outlet"] if match else None


def domain_outlet(url: str, text: str) -> str | None:
    """The outlet behind a URL: its name as the text spells it, else the domain split into the text's words."""
    host = urlsplit(url).hostname or ""
    labels = host.removeprefix("www.").split(".")
    if not labels or not labels[0]:
        return None
    stem = max(labels[:-1] or labels, key=len) if len(labels) > 2 else labels[0]
    key = re.sub(r"[^a-z0-9]", "", stem.lower())
    spelled = spelled_in_text(key, text)
    if spelled:
        return spelled
    prose = re.sub(r"\S*(?:https?://|www\.|@)\S*", " ", text)
    words = segment(key, {w.lower() for w in re.findall(r"[^\W\d_]+", prose)} | {"the", "a", "of", "news"})
    if words:
        return " ".join(w.capitalize() for w in words)
    return host.removeprefix("www.")


def spelled_in_text(key: str, text: str) -> str | None:
    """A run of capitalised words whose letters spell ``key`` (with or without a leading "The")."""
    for match in re.finditer(r"(?:[A-Z][\w'’&-]*\s?){1,5}", text):
        phrase = match.group(0).strip()
        letters = re.sub(r"[^a-z0-9]", "", phrase.lower())
        if letters == key or "the" + letters == key:
            return phrase if letters == key else f"The {phrase}"
    return None


def segment(key: str, vocabulary: set[str]) -> list[str] | None:
    """Split ``key`` into vocabulary words, allowing one unknown piece (dynamic programming, fewest
    pieces); None unless known words cover at least half of it."""
    inf = (999, 0)
    # best[end] = (cost, unknown pieces) and the split that reaches it
    cost: list[tuple[int, int]] = [(0, 0)] + [inf] * len(key)
    split: list[list[str]] = [[] for _ in range(len(key) + 1)]
    for end in range(1, len(key) + 1):
        for start in range(max(0, end - 20), end):
            word = key[start:end]
            known = (word in vocabulary and len(word) > 1) or word.isdigit()
            if not known and len(word) < 3:
                continue
            prev_cost, prev_unknown = cost[start]
            step = (prev_cost + (1 if known else 1 + len(word)), prev_unknown + (0 if known else 1))
            if step[1] <= 1 and step < cost[end]:
                cost[end], split[end] = step, [*split[start], word]
    words = split[len(key)]
    if cost[len(key)] == inf or not words:
        return None
    known_letters = sum(len(w) for w in words if w in vocabulary or w.isdigit())
    return words if known_letters * 2 >= len(key) and len(words) > 1 else None


def clean_authors(names: Sequence[str]) -> tuple[str, ...]:
    """Authors from structured data, with the same rules as bylines: outlets and credentials out."""
    found = [n.strip() for n in names if n.strip()]
    people = [n for n in found if not is_outlet_name(n)]
    if any(" " in p for p in people):
        people = [p for p in people if " " in p or p.lower() in WIRES]
    return tuple(dict.fromkeys(people))


TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s+::\s+|\s+»\s+")


def strip_site_name(title: str, site: str | None) -> str:
    """"Headline | Site", "Site - Headline", "Opinion | Headline": the headline alone."""
    parts = TITLE_SEPARATOR.split(title)
    site_key = re.sub(r"\W", "", (site or "").lower())

    def is_site(part: str, limit: int) -> bool:
        key = re.sub(r"\W", "", part.lower())
        return (bool(site_key) and (key in site_key or site_key in key)) or len(part.split()) <= limit

    while len(parts) > 1 and is_site(parts[-1], 4) and len(" ".join(parts[:-1])) > len(parts[-1]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0], 2) and len(" ".join(parts[1:])) > len(parts[0]):
        parts.pop(0)
    return " - ".join(parts) if len(parts) > 1 else parts[0]


# Widgets that name the outlet, as labels opening a line: "Subscribe to X", "Follow X", "About X",
# "Search X"; and "© 2019 X".
WIDGET_PHRASE = re.compile(
    r"^\W*(?:subscribe to(?: the)?|follow|about|search|why you can trust|welcome to|contact|work at|get)\s+"
    r"(?P<name>(?:The\s+)?[^\W_][\w.&'’-]*(?:\s+[A-Z0-9][\w.&'’-]*){0,3})", re.I)
WIDGET_KEYS = ("subscribe", "follow", "about", "search", "trust", "welcome", "contact", "work at", "get ")
COPYRIGHT_PHRASE = re.compile(
    r"(?:©|\(c\)|copyright)(?:\s*(?:©|copyright))*\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*"
    r"(?P<name>(?:The\s+)?[^\W_][\w.&'’-]*(?:\s+[A-Z0-9][\w.&'’-]*){0,3})", re.I)
NAME_TAIL = re.compile(r"(?:['’]s|\.\s.*|\s+(?:newsletters?|navigation|homepage|online|on|via|delivered|inc|ltd"
                       r"|llc|pty|limited|company|co|corp|media|group|plc|gmbh|all|and|staff|desk|reporters?)\b.*)$",
                       re.I)
# Not outlets: social networks, photo agencies and labels that follow "Follow"/"Search"/"©".
NOT_OUTLET = re.compile(r"\b(?:facebook|twitter|instagram|youtube|linkedin|google|pinterest|whatsapp|rss|us|search"
                        r"|getty|shutterstock|images?|photos?|istock|alamy|afp|reuters|ap|epa|this|our|more|all"
                        r"|site|page|articles?|stories)\b", re.I)


def outlet_candidates(line: str) -> list[tuple[str, bool]]:
    """(name, from a copyright line) for each outlet-naming phrase in a furniture line."""
    low = line.lower()
    found = [(m["name"], False) for m in WIDGET_PHRASE.finditer(line)] if any(
        key in low for key in WIDGET_KEYS) else []
    if "©" in low or "(c)" in low or "copyright" in low:
        found += [(m["name"], True) for m in COPYRIGHT_PHRASE.finditer(line)]
    out = []
    for raw, is_copyright in found:
        name = NAME_TAIL.sub("", raw).strip(" .,-–|")
        if len(name) >= 2 and (name[:1].isupper() or not name[:1].isascii()) and not NOT_OUTLET.search(name) \
                and not name[:1].isdigit():
            out.append((name, is_copyright))
    return out


def furniture_outlet(lines: Sequence[str], text: str) -> str | None:
    """The outlet named most often among the page's own widgets (subscribe/follow/about/search boxes) and
    its copyright line: an outlet names itself there, and again and again across the page. A copyright
    holder is often the parent company, so it counts for less."""
    scores: dict[str, float] = {}
    low = text.lower()
    for line in lines:
        if len(line) > 120:
            continue
        for name, is_copyright in outlet_candidates(line):
            count = low.count(name.lower())
            if count >= 2 or is_copyright:
                scores[name] = max(scores.get(name, 0.0), count - (0.5 if is_copyright else 0.0))
    if not scores:
        return None
    # Longer names win over their own parts ("Quanta Magazine" over "Quanta") unless much rarer.
    return max(scores, key=lambda name: (scores[name] * (1 + 0.5 * name.count(" ")), len(name)))
