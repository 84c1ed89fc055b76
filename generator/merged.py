"""Articles merged by a person: front matter ``duplicate_of: <id>`` names the article to keep.

The duplicate gets no page of its own and is in no list, feed, story or search index; at its URL a
small page points to (and redirects to) the kept article, so links to it keep working. Ingest keeps
the ``duplicate_of`` of an article it rewrites, so a re-ingest never brings the duplicate back.
"""

from __future__ import annotations

import html
from functools import partial

from generator.errors import FrontMatterError
from generator.model import Loaded, Site, article_slug
from generator.output import Job
from generator.urls import Urls, output_file


def pointer_jobs(site: Site) -> list[Job]:
    """A pointer page for each merged article; an unknown ``duplicate_of`` id is an error naming the file."""
    by_id = {view.article.id: view for view in (*site.articles, *site.copies)}
    taken_paths = {view.path for view in by_id.values()}
    urls = Urls(site.cfg.base_url)
    jobs = []
    for item in site.merged:
        kept = by_id.get(item.article.duplicate_of or "")
        if kept is None:
            raise FrontMatterError(f"duplicate_of: no article has the id {item.article.duplicate_of!r} (or it "
                                   "is a draft or itself a duplicate)", item.source)
        path = f"articles/{article_slug(item.article, item.source)}/"
        if path in taken_paths:
            continue  # the URL is the kept article's own (or another's): nothing to point from
        jobs.append(Job(output_file(path), None, partial(pointer_page, urls, path, kept.path, kept.title, item,
                                                         site.cfg.language)))
    return jobs


def pointer_page(urls: Urls, path: str, target: str, title: str, item: Loaded, language: str) -> bytes:
    link = html.escape(urls.relative(path, target))
    return (f'<!doctype html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>"
            f'<link rel="canonical" href="{html.escape(urls.absolute(target))}">'
            f'<meta name="robots" content="noindex"><meta http-equiv="refresh" content="0; url={link}">'
            f'</head><body><p>“{html.escape(item.article.title)}” is a copy of '
            f'<a href="{link}">{html.escape(title)}</a>.</p></body></html>\n').encode()
