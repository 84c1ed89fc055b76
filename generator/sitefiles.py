"""The files around the pages: sitemap.xml, robots.txt, opml.xml, .nojekyll and CNAME.

XML is built with lxml (not string templates) so every URL and title is escaped correctly.
"""

from __future__ import annotations

from functools import partial

from lxml import etree

from generator.feeds import FEED_KINDS, feed_sources
from generator.fingerprint import fingerprint
from generator.model import Site
from generator.output import Job
from generator.render import Page
from generator.reuse import NOTHING, Reuse
from generator.urls import Urls

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def site_file_jobs(site: Site, every_page: list[Page], reuse: Reuse = NOTHING) -> list[Job]:
    """The sitemap is rendered only when its entries change (at 10,000 articles it is the costliest
    of these); the rest are tiny and rendered every build."""
    urls = Urls(site.cfg.base_url)
    changed = {view.path: (view.article.updated or view.article.date) for view in site.articles}
    # (A search engine need not know the 404 page.)
    listed = tuple((page.path, changed.get(page.path)) for page in every_page if not page.rooted)
    entries, inputs = reuse("sitemap", (), partial(sitemap_entries, urls, listed), values=listed)
    jobs = [Job("sitemap.xml", inputs, partial(sitemap, entries))]
    return jobs + [Job(name, None, partial(bytes, data)) for name, data in small_files(site, urls).items()]


def small_files(site: Site, urls: Urls) -> dict[str, bytes]:
    out = {
        "robots.txt": f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute('sitemap.xml')}\n".encode(),
        "opml.xml": opml(site, urls),
        # GitHub Pages runs Jekyll on branch deploys unless told not to; Jekyll drops "_" and "." files.
        ".nojekyll": b"",
    }
    if site.cfg.cname:
        out["CNAME"] = site.cfg.cname.strip().encode() + b"\n"
    return out


def sitemap_entries(urls: Urls, listed: tuple[tuple[str, str | None], ...]
                    ) -> tuple[tuple[tuple[str, str | None], ...], str]:
    """(URL, last change) of each (site path, last change), and their fingerprint."""
    entries = tuple((urls.absolute(path), changed) for path, changed in listed)
    return entries, fingerprint("sitemap", entries)


def sitemap(entries: tuple[tuple[str, str | None], ...]) -> bytes:
    root = etree.Element("urlset", nsmap={None: SITEMAP_NS})
    for location, lastmod in entries:
        entry = etree.SubElement(root, "url")
        etree.SubElement(entry, "loc").text = location
        if lastmod:
            etree.SubElement(entry, "lastmod").text = lastmod
    return _xml(root)


def opml(site: Site, urls: Urls) -> bytes:
    """OPML 2.0 subscription list: the site feed, every topic's and every outlet's (RSS; Atom is linked
    beside)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.cfg.title}: feeds"
    body = etree.SubElement(root, "body")
    rss = FEED_KINDS[0]
    for source in (found for found in feed_sources(site) if found.listed):
        etree.SubElement(body, "outline", type="rss", text=source.title, title=source.title,
                         xmlUrl=urls.absolute(source.folder + rss.filename),
                         htmlUrl=urls.absolute(source.page))
    return _xml(root)


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
