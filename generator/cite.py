"""Citations of the original articles: BibTeX, RIS, CSL-JSON and JSON Lines, and the metadata reference
managers read from an article page (Highwire ``citation_*`` tags, schema.org ``NewsArticle`` JSON-LD).

Every format cites the *original* article (its outlet, authors, printed date and URL), not the digest's
copy of it. Libraries do the formats' syntax: bibtexparser writes BibTeX, with pylatexenc (its own
dependency) escaping LaTeX specials and accents; rispy writes RIS. CSL-JSON and JSON Lines are plain
JSON. What is written by hand is only which field of an article goes where, and the citation keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from generator.content import Article
from generator.slugs import slugify

if TYPE_CHECKING:
    from pylatexenc.latexencode import UnicodeToLatexEncoder


@dataclass(frozen=True)
class Reference:
    """What a citation of one article says. ``date``: as printed (a day, or a day and time)."""

    key: str
    title: str
    authors: tuple[str, ...]
    outlet: str | None
    date: str | None
    url: str | None  # the original article's, only a web address
    accessed: str | None  # when the capture was saved (a day)
    language: str | None
    summary: str | None
    notes: str | None  # the researcher's own (front matter ``notes``), exported as an annotation
    article: Article


def original_url(article: Article) -> str | None:
    """The original URL when it is a web address (never a ``javascript:`` link)."""
    url = article.url
    return url if url and url.lower().startswith(("http://", "https://")) else None


def reference(article: Article, key: str | None = None) -> Reference:
    return Reference(key=key or citation_key(article), title=_one_line(article.title),
                     authors=tuple(_one_line(a) for a in article.authors if a.strip()),
                     outlet=_one_line(article.source) if article.source else None, date=article.date,
                     url=original_url(article), accessed=article.captured[:10] if article.captured else None,
                     language=article.language, summary=_one_line(article.summary) if article.summary else None,
                     notes=(article.notes or "").strip() or None, article=article)


def references(articles: Iterable[Article]) -> list[Reference]:
    """References with keys unique within the list (``luo2023russian``, then ``luo2023russiana``, ...)."""
    seen: set[str] = set()
    out = []
    for article in articles:
        base = citation_key(article)
        key, suffix = base, 0
        while key in seen:
            suffix += 1
            key = base + _letters(suffix)
        seen.add(key)
        out.append(reference(article, key))
    return out


_STOP = frozenset(("a", "an", "the", "of", "on", "in", "to", "for", "and", "at", "by", "with", "from", "is", "are",
                   "as"))


def citation_key(article: Article) -> str:
    """First author's last name (else the outlet), year and first significant title word, in ASCII."""
    who = article.authors[0].split()[-1] if article.authors and article.authors[0].split() else \
        (article.source or "anon")
    words = [w for w in slugify(article.title).split("-") if w not in _STOP]
    key = slugify(who).replace("-", "") + (article.date[:4] if article.date else "") + (words[0] if words else "")
    return key or "article" + article.id


def _letters(number: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _day_parts(date: str) -> list[int]:
    return [int(date[0:4]), int(date[5:7]), int(date[8:10])]


# --- BibTeX ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _latex() -> UnicodeToLatexEncoder:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    # Characters LaTeX has no macro for (Korean, Cyrillic) are kept as UTF-8, which biber reads.
    return UnicodeToLatexEncoder(unknown_char_policy="keep", unknown_char_warning=False)


def _tex(text: str) -> str:
    return str(_latex().unicode_to_latex(text))


def _bib_url(url: str) -> str:
    """A URL as BibTeX's verbatim ``url`` field takes it: braces, backslashes and spaces percent-encoded
    (they would end the field or a macro); everything else, '%' and '#' included, as it is."""
    return quote(url, safe="!#$%&'()*+,/:;=?@[]~-._")


def bibtex(refs: Sequence[Reference]) -> str:
    """``@article`` entries (what Zotero and biblatex use for newspaper articles): the outlet as journal."""
    from bibtexparser.entrypoint import write_string
    from bibtexparser.library import Library
    from bibtexparser.middlewares import AddEnclosingMiddleware
    from bibtexparser.model import Block, Entry, Field

    entries: list[Block] = []
    for ref in refs:
        fields = [Field("title", _tex(ref.title))]
        if ref.authors:
            # A name with " and " in it would read as two authors: braced, it is one (an organisation).
            fields.append(Field("author", " and ".join(
                "{" + _tex(a) + "}" if " and " in a.lower() else _tex(a) for a in ref.authors)))
        if ref.outlet:
            fields += [Field("journal", _tex(ref.outlet)), Field("publisher", _tex(ref.outlet))]
        if ref.date:
            year, month, _day = _day_parts(ref.date)
            fields += [Field("year", str(year)), Field("month", str(month)), Field("date", ref.date[:10])]
        if ref.url:
            fields.append(Field("url", _bib_url(ref.url)))
        if ref.accessed:
            fields.append(Field("urldate", ref.accessed))
        if ref.language:
            fields.append(Field("language", _tex(ref.language)))
        if ref.notes:
            fields.append(Field("annote", _tex(ref.notes)))
        entries.append(Entry("article", ref.key, fields))
    enclose = AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=True, default_enclosing="{")
    return str(write_string(Library(entries), unparse_stack=[enclose]))


# --- RIS ------------------------------------------------------------------------------------------

def ris(refs: Sequence[Reference]) -> str:
    """``TY NEWS`` records; the outlet as T2 (the newspaper, as Zotero reads it) and PB."""
    import rispy

    class Writer(rispy.RisWriter):  # type: ignore[misc]
        def set_header(self, count: int) -> str:
            return ""  # (rispy numbers the records by default: "1.", which RIS does not define)

    records = []
    for ref in refs:
        record: dict[str, Any] = {"type_of_reference": "NEWS", "id": ref.key, "title": ref.title}
        if ref.authors:
            record["authors"] = list(ref.authors)
        if ref.outlet:
            record["secondary_title"] = ref.outlet
            record["publisher"] = ref.outlet
        if ref.date:
            record["year"] = ref.date[:4]
            record["date"] = ref.date[:10].replace("-", "/")
        if ref.url:
            record["urls"] = [ref.url]
        if ref.accessed:
            record["access_date"] = ref.accessed.replace("-", "/")
        if ref.language:
            record["language"] = ref.language
        if ref.summary:
            record["abstract"] = ref.summary
        if ref.notes:
            record["notes"] = [_one_line(ref.notes)]  # (RIS is a tag a line: a line break ends the field)
        records.append(record)
    return str(rispy.dumps(records, implementation=Writer))


# --- CSL-JSON and JSON Lines ----------------------------------------------------------------------

def csl_item(ref: Reference) -> dict[str, Any]:
    """One CSL-JSON item (``article-newspaper``). Names are kept whole (``literal``): splitting "Kim
    Ji-won" or "The Associated Press" into given and family names by rule would get some wrong."""
    item: dict[str, Any] = {"id": ref.key, "type": "article-newspaper", "title": ref.title}
    if ref.authors:
        item["author"] = [{"literal": name} for name in ref.authors]
    if ref.outlet:
        item["container-title"] = ref.outlet
        item["publisher"] = ref.outlet
    if ref.date:
        item["issued"] = {"date-parts": [_day_parts(ref.date)]}
    if ref.url:
        item["URL"] = ref.url
    if ref.accessed:
        item["accessed"] = {"date-parts": [_day_parts(ref.accessed)]}
    if ref.language:
        item["language"] = ref.language
    if ref.summary:
        item["abstract"] = ref.summary
    if ref.notes:
        item["note"] = ref.notes
    return item


def csl_json(refs: Sequence[Reference]) -> str:
    """A JSON array, one item a line."""
    return "[\n" + ",\n".join(json.dumps(csl_item(ref), ensure_ascii=False) for ref in refs) + "\n]\n"


def jsonl(refs: Sequence[Reference]) -> str:
    """One JSON object a line: the article's front matter and its Markdown body, for further analysis."""
    lines = []
    for ref in refs:
        a = ref.article
        record = {"id": a.id, "key": ref.key, "title": a.title, "date": a.date, "updated": a.updated,
                  "authors": list(a.authors), "source": a.source, "url": ref.url, "language": a.language,
                  "topics": list(a.topics), "story": a.story, "summary": a.summary, "captured": a.captured,
                  "notes": a.notes or None, "body": a.body}
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


@dataclass(frozen=True)
class Format:
    name: str  # as --format takes it
    label: str  # as pages show it
    extension: str
    mime: str
    write: Callable[[Sequence[Reference]], str]


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("bibtex", "BibTeX", "bib", "application/x-bibtex", bibtex),
    Format("ris", "RIS", "ris", "application/x-research-info-systems", ris),
    Format("csl-json", "CSL-JSON", "json", "application/vnd.citationstyles.csl+json", csl_json),
    Format("jsonl", "JSON Lines", "jsonl", "application/jsonl", jsonl),
)}
CITATION_FORMATS = ("bibtex", "ris", "csl-json")  # what an article page's Cite block offers


def cite(article: Article, name: str) -> str:
    """One article in format ``name``."""
    return FORMATS[name].write([reference(article)])


@dataclass(frozen=True)
class Citations:
    """An article page's Cite block: its citation key, and its text in each of ``CITATION_FORMATS``."""

    key: str
    texts: tuple[tuple[Format, str], ...]


def citations(article: Article) -> Citations:
    """The Cite block's contents from one reference of the article (a page renders them all)."""
    ref = reference(article)
    return Citations(ref.key, tuple((FORMATS[name], FORMATS[name].write([ref])) for name in CITATION_FORMATS))


def data_url(text: str, mime: str) -> str:
    """A ``data:`` URL of ``text``: the Cite block's downloads need no file of their own."""
    return f"data:{mime};charset=utf-8,{quote(text, safe='')}"


# --- Metadata in the page -------------------------------------------------------------------------

def highwire_date(date: str) -> str:
    """``2023-11-17T01:27:00+00:00`` -> ``2023/11/17``: the day as printed, in Highwire's form."""
    return date[:10].replace("-", "/")


def news_article(article: Article, page_url: str, site_title: str, topics: Sequence[str]) -> dict[str, Any]:
    """schema.org ``NewsArticle`` of the digest page, ``isBasedOn`` the original article."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
                            "url": page_url, "mainEntityOfPage": page_url}
    if article.date:
        data["datePublished"] = article.date
    if article.updated:
        data["dateModified"] = article.updated
    if article.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    if article.source:
        data["publisher"] = {"@type": "Organization", "name": article.source}
    if article.language:
        data["inLanguage"] = article.language
    if topics:
        data["keywords"] = list(topics)
    if article.summary:
        data["description"] = article.summary
    url = original_url(article)
    if url:
        data["isBasedOn"] = url
    data["isPartOf"] = {"@type": "WebSite", "name": site_title}
    return data


SCRIPT_UNSAFE = re.compile(r"[<>&\u2028\u2029]")


def json_for_script(data: object) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` as ``\\u`` escapes, so a title holding
    ``</script>`` cannot end the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return SCRIPT_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
