"""Text captures (plain or Markdown-ish) to a ``Cleaned`` article: layout, then body and metadata."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.clean import markdown
from generator.clean.dates import Printed, find_dates
from generator.clean.lang import Language
from generator.clean.lines import Line
from generator.clean.markdown import Block
from generator.clean.meta import (
    EMAIL,
    NAME_TAIL,
    ROLE,
    Byline,
    bare_author,
    domain_outlet,
    email_domain,
    furniture_outlet,
    glued_outlet,
    looks_like_name,
    name_outlet_line,
    parse_byline,
    plain_name,
    strip_markdown,
)
from generator.clean.text import BULLET, HEADING_MD, Layout, is_heading, is_list_line
from generator.dates import with_zone

UPDATE_AS_DATE = "only an update date is printed; it is used as the publication date"


# How sure each kind of evidence makes the cleaner (0..1), by field: what printed a value decides how far
# it is trusted. Measured on the metadata training pages (share right per kind): a labelled byline gives
# the right authors four times in five, a bare name line or an author box less often; no kind of
# evidence for the outlet is right more than about half the time, an outlet after a byline least often.
AUTHOR_TRUST = {"byline": 0.85, "name line": 0.6, "author box": 0.5, "trailer byline": 0.5}
SOURCE_TRUST = {"byline": 0.3, "url": 0.6, "e-mail": 0.4, "glued": 0.4, "furniture": 0.4}


@dataclass(frozen=True)
class TextMeta:
    title: str | None
    date: str | None
    updated: str | None
    authors: tuple[str, ...]
    source: str | None
    warnings: tuple[str, ...] = ()
    authors_from: str | None = None  # the kind of evidence each field came from (keys of the TRUST tables)
    source_from: str | None = None


def body_blocks(lay: Layout) -> list[Block]:
    lines = lay.lines
    blocks = []
    for n, i in enumerate(lay.body):
        line = lines[i]
        if HEADING_MD.match(line.text) or (line.kind == "short" and not BULLET.match(line.text)
                                           and is_heading(lines, lay.body, n)):
            blocks.append(Block("h", line.text))
        elif line.kind == "short" and is_list_line(lines, lay.body, n):
            blocks.append(Block("li", line.text))
        else:
            blocks.append(markdown.block_of_line(line.text))
    return blocks


def read_meta(lay: Layout, lang: Language, text: str, tz: ZoneInfo) -> TextMeta:
    lines = lay.lines
    header = [lines[i].text for i in lay.header if i != lay.title]
    trailer = [lines[i].text for i in lay.trailer]
    title = clean_title(lines[lay.title].text) if lay.title is not None else None
    date, updated, from_update = pick_dates(header, month_first=lang.code == "en", tz=tz)
    below_title = [lines[i].text for i in lay.header if lay.title is None or i > lay.title][:8]
    bylines = [b for b in (parse_byline(x) for x in header) if b]
    bylines += [b for b in (name_outlet_line(x) for x in below_title) if b]
    authors = next((b.authors for b in bylines if b.authors), ())
    authors_from = "byline" if authors else None
    if not authors:
        bare = next((a for a in map(bare_author, below_title) if a and a != title), None)
        authors = (bare,) if bare else supported_name(below_title)
        authors_from = "name line" if authors else None
    if not authors:
        authors = author_box(trailer)
        authors_from = "author box" if authors else None
    if not authors:
        authors = next((b.authors for b in map(parse_byline, trailer) if b), ())
        authors_from = "trailer byline" if authors else None
    source, source_from = find_source(bylines, lay, text, lines)
    warnings = (UPDATE_AS_DATE,) if from_update else ()
    return TextMeta(title, date, updated, tuple(dict.fromkeys(authors)), source, warnings, authors_from, source_from)


def supported_name(lines: Sequence[str]) -> tuple[str, ...]:
    """A bare name line under the title, when a neighbour vouches for it: a dateline next to it, the
    name printed twice, or a role line ("Staff Writer") under it."""
    for n, line in enumerate(lines):
        name = plain_name(line)
        if not name:
            continue
        around = [lines[m] for m in (n - 1, n + 1) if 0 <= m < len(lines)]
        if (any(find_dates(x, True) and len(x.split()) <= 14 for x in around) or line in around
                or (n + 1 < len(lines) and ROLE.search(lines[n + 1]) and len(lines[n + 1].split()) <= 4)):
            return (name,)
    return ()


def clean_title(text: str) -> str:
    return strip_markdown(re.sub(r"^#+\s*", "", text)).strip()


def pick_dates(header: Sequence[str], month_first: bool, tz: ZoneInfo) -> tuple[str | None, str | None, bool]:
    """The first publication date printed in the header, an "updated" one if printed, and whether the
    date is in fact the update's (when that is the only date printed)."""
    printed: list[Printed] = []
    for line in header:
        if len(line.split()) <= 30:
            printed.extend(find_dates(line, month_first))
    published = next((p for p in printed if not p.updated), None)
    updated = next((p for p in printed if p.updated and p is not published), None)
    from_update = published is None and updated is not None
    if from_update:
        published, updated = updated, None  # only an "Updated" date is printed: the best date there is
    if published is None:
        return None, None, False
    date = with_zone(published.day, published.time, tz)
    return date, with_zone(updated.day, updated.time, tz) if updated else None, from_update


def author_box(trailer: Sequence[str]) -> tuple[str, ...]:
    """An author box after the article: a name line right above the author's e-mail address."""
    for n, line in enumerate(trailer[1:], start=1):
        if EMAIL.fullmatch(line.strip()) and looks_like_name(trailer[n - 1]):
            return (trailer[n - 1].strip(),)
    return ()


def find_source(bylines: Sequence[Byline], lay: Layout, text: str,
                lines: Sequence[Line]) -> tuple[str | None, str | None]:
    """The outlet, from the most direct evidence printed: byline, original URL, copyright, e-mail, card;
    and which of them it came from."""
    outlet = next((b.outlet for b in bylines if b.outlet), None)
    if outlet:
        return NAME_TAIL.sub("", outlet).strip() or outlet, "byline"
    if lay.url:
        return domain_outlet(lay.url, text), "url"
    domain = email_domain([lines[i].text for i in lay.trailer])
    if domain:
        return domain, "e-mail"
    body = set(lay.body)
    furniture = [line.text for line in lines if line.at not in body and line.kind != "good"]
    tail = [line.text for line in lines[lay.body[-1] + 1:]] if lay.body else []
    glued = next((o for o in (glued_outlet(x) for x in tail[:12]) if o), None)
    if glued:
        return glued, "glued"
    found = furniture_outlet(furniture, text)
    return found, "furniture" if found else None
