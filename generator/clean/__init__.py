"""Cleaning: one raw capture (bytes) in, one article (metadata + Markdown body) out.

Public interface used by the rest of digest:
- ``CLEANER_VERSION``: bumped whenever output may change, recorded in provenance.
- ``Cleaned``: the result.
- ``clean_capture(data, path, tz)``: raises ``CaptureError`` when there is no article to be had.

Pipeline: ``decode`` (bytes -> text, kind) -> ``htmlpath`` (trafilatura) or ``text`` (layout of a
copy-paste) -> ``markdown`` (one normalisation for both) -> metadata (``textpath``/``meta``/``dates``/
``caption``) -> ``Cleaned``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.clean import furniture, markdown, roles
from generator.clean import lang as languages
from generator.clean.caption import is_caption_line
from generator.clean.confidence import Confidence
from generator.clean.decode import decode_capture
from generator.clean.htmlpath import HtmlArticle, extract
from generator.clean.meta import domain_outlet
from generator.clean.origin import saved_from_url
from generator.clean.text import Layout, layout
from generator.clean.textpath import AUTHOR_TRUST, SOURCE_TRUST, UPDATE_AS_DATE, TextMeta, body_blocks, read_meta
from generator.dates import normalise as normalise_date
from generator.errors import CaptureError

CLEANER_VERSION = "0.3.0"
NO_DATE = "no publication date found"
SUMMARY_CHARS = 300
# A sentence ends at . ! ? (or their CJK forms), maybe followed by a closing quote, then a space.
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[.!?。！？][\"”’»)])\s+")


@dataclass(frozen=True)
class Cleaned:
    """One article: metadata as printed (never invented) and the body as Markdown."""

    title: str
    body: str
    date: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()
    source: str | None = None
    url: str | None = None
    caption: str | None = None
    caption_credit: str | None = None
    summary: str | None = None
    language: str | None = None
    kind: str = "text"
    warnings: tuple[str, ...] = field(default=())
    # None: this cleaner gave no confidence (review then judges the fields by their shape alone).
    confidence: Confidence | None = None


def clean_capture(data: bytes, path: Path, tz: ZoneInfo) -> Cleaned:
    """The article in one capture; ``CaptureError`` (naming the file) when there is none."""
    decoded = decode_capture(data, path)
    if decoded.kind == "html":
        cleaned = clean_html(decoded.text, path, tz)
        fetched = saved_from_url(decoded.text)  # where the page was read wins over its canonical link
        return replace(cleaned, url=fetched) if fetched else cleaned
    return clean_text(decoded.text, decoded.kind, path, tz)


def clean_text(text: str, kind: str, path: Path, tz: ZoneInfo) -> Cleaned:
    lay = layout(text)
    lang = lay.lang
    if not lay.body:
        raise CaptureError("no article found in the capture", path)
    model = roles.shipped()
    probs = model.roles(lay.lines, lay) if model else None
    body = markdown.render(body_blocks(roles.corrected(lay, probs) if probs is not None else lay))
    if not body.strip():
        raise CaptureError("no article found in the capture", path)
    meta = read_meta(lay, lang, text, tz)
    title = meta.title or first_words(body)
    caption = lay.caption
    return finish(Cleaned(
        title=title, body=body, date=meta.date, updated=meta.updated, authors=meta.authors,
        source=meta.source, url=lay.url, caption=caption.text if caption else None,
        caption_credit=caption.credit if caption else None, language=lang.code, kind=kind, warnings=meta.warnings,
        confidence=text_confidence(lay, meta, probs)))


def text_confidence(lay: Layout, meta: TextMeta, probs: roles.Matrix | None) -> Confidence:
    """Title: how headline-like the model finds the line the layout chose (a Markdown heading is sure);
    the other fields: how direct the evidence they were read from is."""
    title = 0.0
    if lay.title is not None and meta.title:
        line = lay.lines[lay.title].text
        headline = float(probs[lay.title, roles.ROLES.index("headline")]) if probs is not None else 0.5
        title = 0.95 if line.startswith("# ") else 0.5 + 0.45 * headline
    date = 0.0 if meta.date is None else 0.6 if UPDATE_AS_DATE in meta.warnings else 0.9
    return Confidence(title=title, date=date, authors=AUTHOR_TRUST.get(meta.authors_from or "", 0.0),
                      source=SOURCE_TRUST.get(meta.source_from or "", 0.0))


def clean_html(page: str, path: Path, tz: ZoneInfo) -> Cleaned:
    found = extract(page)
    if found.markdown is None:
        # trafilatura found no article: the page's visible text goes through the text cleaner.
        if not found.text.strip():
            raise CaptureError("no article found in the page", path)
        fallback = clean_text(found.text, "html", path, tz)
        date = with_offset(found.date, tz) or fallback.date
        return finish(replace(fallback, title=found.title or fallback.title, date=date,
                              authors=found.authors or fallback.authors, source=found.source or fallback.source,
                              url=found.url or fallback.url, warnings=() if found.date else fallback.warnings,
                              confidence=html_confidence(found, fallback.confidence)))
    blocks = markdown.from_markdown(found.markdown)
    if found.caption:  # the lead image's caption goes to the front matter, not twice into the body
        blocks = [b for b in blocks if markdown.clean_inline(b.text) not in (found.caption[0], " ".join(
            x for x in found.caption if x))]
    body = markdown.render(drop_furniture(blocks))
    if not body.strip():
        raise CaptureError("no article found in the page", path)
    lang = languages.detect(body)
    source = found.source or (domain_outlet(found.url, body) if found.url else None)
    return finish(Cleaned(
        title=found.title or first_words(body), body=body, date=with_offset(found.date, tz),
        updated=with_offset(found.updated, tz), authors=found.authors, source=source, url=found.url,
        caption=found.caption[0] if found.caption else None,
        caption_credit=found.caption[1] if found.caption else None, language=lang.code, kind="html",
        confidence=html_confidence(found, None if found.source or not source else Confidence(source=0.6))))


def html_confidence(found: HtmlArticle, fallback: Confidence | None) -> Confidence:
    """The publisher's own data (meta tags, JSON-LD, as trafilatura reads them) is trusted; where it is
    silent, what the text cleaner (or the URL's domain) found, as sure as it was."""
    other = fallback or Confidence()
    return Confidence(
        title=0.9 if found.title else other.title,
        date=0.9 if found.date else other.date,
        authors=0.85 if found.authors else other.authors,
        source=0.9 if found.source else other.source)


def with_offset(value: str | None, tz: ZoneInfo) -> str | None:
    """A day stays a day; a moment without offset takes the site's zone (as for text captures). An
    impossible date in a page's metadata (``2024-02-30``) is no date: digest never invents one."""
    try:
        return normalise_date(value, tz) if value else None
    except ValueError:
        return None


def drop_furniture(blocks: list[markdown.Block]) -> list[markdown.Block]:
    """What the HTML extractor lets through: photo captions, ad and share labels, appeals; and a
    trailing "Related"/"Comments" section."""
    kept: list[markdown.Block] = []
    for n, block in enumerate(blocks):
        text = markdown.clean_inline(re.sub(r"[*_\\]+", "", block.text))
        words = len(text.split())
        if block.kind == "h" and not any(b.kind == "p" for b in kept):
            continue  # headline and standfirst above the first paragraph: they are metadata, not body
        if furniture.is_end(text) and n >= 0.7 * len(blocks):
            break
        if furniture.is_inline(text) or furniture.is_appeal(text, words) or (
                words <= 60 and is_caption_line(text)):
            continue
        kept.append(block)
    return kept


def finish(cleaned: Cleaned) -> Cleaned:
    """Summary and warnings, the same for every path."""
    warnings = list(cleaned.warnings)
    if cleaned.date is None and NO_DATE not in warnings:
        warnings.append(NO_DATE)
    return replace(cleaned, summary=cleaned.summary or summarise(cleaned.body), warnings=tuple(warnings))


def summarise(body: str) -> str | None:
    """The first sentence(s) of the first paragraph, plain text, at most ~300 characters."""
    paragraph = next((p for p in body.split("\n\n") if p and not p.startswith(("#", "- ", ">"))), "")
    plain = markdown.clean_inline(re.sub(r"[*_`]+", "", paragraph))
    if not plain:
        return None
    summary = ""
    for sentence in SENTENCE_END.split(plain):
        if summary and len(summary) + len(sentence) + 1 > SUMMARY_CHARS:
            break
        summary = f"{summary} {sentence}".strip()
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return summary


def first_words(body: str) -> str:
    """A stand-in title when none is printed: the opening words."""
    words = markdown.clean_inline(re.sub(r"[#*_>`-]+", " ", body)).split()
    return " ".join(words[:10]) + ("…" if len(words) > 10 else "")
