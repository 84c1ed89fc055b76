"""The site's downloads: every list of articles a researcher may cite from (the whole digest, each topic,
each story) as BibTeX, RIS, CSL-JSON and JSON Lines files beside its page (``generator.cite`` writes
them). Each file is rendered again only when one of its articles changed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from generator.cite import FORMATS, Format, references
from generator.fingerprint import fingerprint
from generator.model import ArticleView, Site
from generator.output import Job
from generator.reuse import NOTHING, Reuse
from generator.urls import download_path, story_path


@dataclass(frozen=True)
class Download:
    """One list of articles offered for download: ``folder`` is its page's site path."""

    folder: str
    articles: tuple[ArticleView, ...]


def downloads(site: Site) -> tuple[Download, ...]:
    """The whole digest (as its lists show it: a syndicated copy once), each topic, each story of
    more than one report."""
    found = [Download("", site.articles), *(Download(topic.path, topic.articles) for topic in site.topics)]
    if site.research is not None:
        by_id = {view.article.id: view for view in (*site.articles, *site.copies)}
        found += [Download(story_path(story.id), tuple(by_id[a.id] for a in story.articles if a.id in by_id))
                  for story in site.research.stories if len(story.articles) > 1]
    return tuple(found)


def export_jobs(site: Site, memo: dict[int, tuple[object, str]], reuse: Reuse = NOTHING) -> list[Job]:
    jobs = []
    for download in downloads(site):
        for kind in FORMATS.values():
            inputs = reuse("download fingerprint", download.articles,
                           partial(fingerprint, "download", kind.name, download.articles, memo=memo),
                           values=(kind.name,))
            jobs.append(Job(download_path(download.folder, kind.extension), inputs,
                            partial(_render, kind, download.articles)))
    return jobs


def _render(kind: Format, views: tuple[ArticleView, ...]) -> bytes:
    return kind.write(references(view.article for view in views)).encode("utf-8")
