"""The content model: one Markdown file with YAML front matter per article.

``Article`` is what a file in ``content/`` holds. ``read_article``/``write_text`` convert between the
file and the model; ``fingerprint`` lets ingest tell an untouched article from one a person edited.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from generator import dates, ids
from generator.errors import DigestError, FrontMatterError
from generator.files import read_regular
from generator.yamlio import Lines, line_in, parse_yaml_mapping

FENCE = "---"
MAX_ARTICLE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Provenance:
    """Where an article came from: the capture, its hash, the cleaner version, and the ingest fingerprint."""

    capture: str = ""
    sha256: str = ""  # of the capture (of the captures' hashes, when ``also`` names more)
    cleaner: str = ""
    fingerprint: str = ""
    also: tuple[str, ...] = ()  # other captures of the same article, merged into it


@dataclass(frozen=True)
class Article:
    """One article as stored in ``content/``. Dates are ISO strings as printed (see ``generator.dates``)."""

    id: str
    title: str
    body: str
    date: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()
    source: str | None = None
    url: str | None = None
    caption: str | None = None
    caption_credit: str | None = None
    topics: tuple[str, ...] = ()
    summary: str | None = None
    slug: str | None = None
    story: str | None = None
    draft: bool = False
    captured: str | None = None
    language: str | None = None
    # The cleaner's confidence in title, date, authors and source (0..1); empty when it gave none.
    confidence: dict[str, float] = field(default_factory=dict)
    reviewed: bool = False          # a person checked what the cleaner made: out of ``digest review``
    duplicate_of: str | None = None  # the id of the article this one is a copy of: built as a pointer
    notes: str | None = None         # the researcher's own notes (Markdown), never the article's text
    provenance: Provenance = field(default_factory=Provenance)
    extra: dict[str, Any] = field(default_factory=dict)


# Front-matter keys in the order they are written; the body is not a front-matter key.
FIELD_ORDER = tuple(f.name for f in dataclasses.fields(Article) if f.name != "body")
LIST_FIELDS = {"authors", "topics"}
TEXT_FIELDS = {"id", "title", "source", "url", "caption", "caption_credit", "summary", "slug", "story",
               "language", "duplicate_of", "notes"}
DATE_FIELDS = {"date", "updated", "captured"}
# It becomes a lang attribute: a language tag, or (as the cleaner writes for a language without a code)
# its name, such as west_frisian. Never quotes, spaces or markup.
LANGUAGE = re.compile(r"[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*")


def split_front_matter(text: str, path: Path) -> tuple[str, str]:
    """Return (front matter YAML, body). A file must start with a ``---`` line."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise FrontMatterError("front matter missing: the file must start with a '---' line", path, 1)
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == FENCE:
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1:]).strip("\n")
    raise FrontMatterError("front matter not closed: no second '---' line", path, 1)


def key_line(path: Path, *keys: str | int) -> int | None:
    """The line of a front-matter value (for errors found after reading the article)."""
    try:
        meta_text, _body = split_front_matter(read_regular(path, MAX_ARTICLE_BYTES).decode("utf-8"), path)
    except (UnicodeDecodeError, DigestError):
        return None
    return line_in(meta_text, keys, line_offset=1)


def read_article(path: Path, tz: ZoneInfo) -> Article:
    return parse_article_bytes(read_regular(path, MAX_ARTICLE_BYTES, FrontMatterError), path, tz)


def parse_article_bytes(data: bytes, path: Path, tz: ZoneInfo) -> Article:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FrontMatterError("not UTF-8 text", path) from None
    return parse_article(text, path, tz)


def parse_article(text: str, path: Path, tz: ZoneInfo) -> Article:
    meta_text, body = split_front_matter(text, path)
    lines = Lines()
    meta = parse_yaml_mapping(meta_text, path, FrontMatterError, line_offset=1, lines=lines)
    return article_from_mapping(meta, body, path, tz, lines)


def article_from_mapping(meta: dict[str, Any], body: str, path: Path, tz: ZoneInfo,
                         lines: Lines | None = None) -> Article:
    def fail(key: str, problem: str) -> FrontMatterError:
        return FrontMatterError(f"{key}: {problem}", path, lines.of(meta, key) if lines else None)

    unknown = sorted(set(meta) - set(FIELD_ORDER), key=str)
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), FIELD_ORDER, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise fail(str(unknown[0]), f"unknown front-matter key; {hint}allowed: " + ", ".join(FIELD_ORDER)
                   + " (put your own keys under 'extra')")
    values: dict[str, Any] = {"body": body}
    for key, value in meta.items():
        values[key] = _field_value(key, value, tz, fail)
    if not values.get("title"):
        raise FrontMatterError("title: required and missing", path, 1)
    if not values.get("id"):
        values["id"] = ids.id_from_url(values["url"]) if values.get("url") else ids.id_from_filename(path.stem)
    return Article(**values)


def _field_value(key: str, value: Any, tz: ZoneInfo, fail: Any) -> Any:
    if key in LIST_FIELDS:
        items = [] if value is None else [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, (str, int)) for i in items):
            raise fail(key, "expected a list of names")
        return tuple(str(i).strip() for i in items if str(i).strip())
    if key in DATE_FIELDS:
        try:
            return dates.normalise(value, tz)
        except ValueError as exc:
            raise fail(key, str(exc)) from None
    if key == "language" and value is not None and not LANGUAGE.fullmatch(str(value)):
        raise fail(key, f"{value!r} is not a language tag such as en, de-CH or pt-BR")
    if key in TEXT_FIELDS:
        if value is not None and not isinstance(value, (str, int, float)):
            raise fail(key, f"expected text, got {type(value).__name__}")
        return None if value is None else str(value)
    if key == "confidence":
        return _confidence(value, fail)
    if key in ("draft", "reviewed"):
        if not isinstance(value, bool):
            raise fail(key, "expected true or false")
        return value
    if key == "provenance":
        if not isinstance(value, dict) or set(value) - {f.name for f in dataclasses.fields(Provenance)} \
                or not isinstance(value.get("also", []), list):
            raise fail(key, "expected a mapping with capture, sha256, cleaner, fingerprint (and a list 'also')")
        fields: dict[str, Any] = {k: tuple(str(i) for i in v) if k == "also" else str(v) for k, v in value.items()}
        return Provenance(**fields)
    if key == "extra":
        if not isinstance(value, dict):
            raise fail(key, "expected a mapping")
        return value
    return value


def _confidence(value: Any, fail: Any) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
            for k, v in value.items()):
        raise fail("confidence", "expected a mapping of field names to numbers from 0 to 1")
    return {k: float(v) for k, v in value.items()}


def front_matter(article: Article) -> dict[str, Any]:
    """The front-matter mapping in a stable order, leaving out empty optional fields."""
    out: dict[str, Any] = {}
    for key in FIELD_ORDER:
        value = getattr(article, key)
        if key == "provenance":
            value = {k: list(v) if k == "also" else v for k, v in dataclasses.asdict(value).items() if v}
        elif key in LIST_FIELDS:
            value = list(value)
        if value in (None, "", [], {}, False) and key not in ("authors", "topics"):
            continue
        out[key] = value
    return out


class _Dumper(yaml.SafeDumper):
    """Front matter as people write it: notes of several lines as a ``|`` block, not one escaped line."""


class BlockText(str):
    """A string written as a YAML ``|`` block."""


_Dumper.add_representer(BlockText, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", str(text), style="|"))


def write_text(article: Article) -> str:
    """Serialise to the on-disk form: ``---``, YAML front matter, ``---``, Markdown body."""
    meta = front_matter(article)
    if "notes" in meta and "\n" in meta["notes"].strip():
        meta["notes"] = BlockText(meta["notes"])
    meta_text = yaml.dump(meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)
    return f"{FENCE}\n{meta_text}{FENCE}\n\n{article.body.strip()}\n"


def fingerprint(article: Article) -> str:
    """Hash of everything a person could edit (all fields and body, not the fingerprint itself).

    Ingest stores it in provenance; a file whose fingerprint no longer matches was edited by a person.
    """
    meta = front_matter(dataclasses.replace(article, confidence={}, provenance=dataclasses.replace(
        article.provenance, fingerprint="")))  # the cleaner's confidence is not something a person edits
    canonical = json.dumps(meta, sort_keys=True, ensure_ascii=False, default=str) + "\n" + article.body.strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def with_fingerprint(article: Article) -> Article:
    return dataclasses.replace(article, provenance=dataclasses.replace(
        article.provenance, fingerprint=fingerprint(article)))


def is_edited(article: Article) -> bool:
    """True when the article differs from what ingest wrote (or has no fingerprint at all)."""
    return article.provenance.fingerprint != fingerprint(article)
