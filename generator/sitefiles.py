"""The files around the pages: sitemap.xml, robots.txt, opml.xml, .nojekyll and CNAME.

XML is built with lxml (not string templates) so every URL and title is escaped correctly.
"""

from __future__ import annotations

from functools import partial

from lxml import etree

from generator.feeds import FEED_KINDS, feed_sources
from generator.model import Site
from generator.output import Job
from generator.render import pages
from generator.urls import Urls

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def site_file_jobs(site: Site) -> list[Job]:
    """Cheap files, rendered every build (their inputs are the whole page list anyway)."""
    return [Job(name, None, partial(bytes, data)) for name, data in render_site_files(site).items()]


def render_site_files(site: Site) -> dict[str, bytes]:
    urls = Urls(site.cfg.base_url)
    out = {
        "sitemap.xml": sitemap(site, urls),
        "robots.txt": f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute('sitemap.xml')}\n".encode(),
        "opml.xml": opml(site, urls),
        # GitHub Pages runs Jekyll on branch deploys unless told not to; Jekyll drops "_" and "." files.
        ".nojekyll": b"",
    }
    if site.cfg.cname:
        out["CNAME"] = site.cfg.cname.strip().encode() + b"\n"
    return out


def sitemap(site: Site, urls: Urls) -> bytes:
    """Every page a search engine should know (not the 404 page); articles carry their last change."""
    changed = {view.path: (view.article.updated or view.article.date) for view in site.articles}
    root = etree.Element("urlset", nsmap={None: SITEMAP_NS})
    for page in pages(site):
        if page.rooted:
            continue
        entry = etree.SubElement(root, "url")
        etree.SubElement(entry, "loc").text = urls.absolute(page.path)
        if changed.get(page.path):
            etree.SubElement(entry, "lastmod").text = changed[page.path]
    return _xml(root)


def opml(site: Site, urls: Urls) -> bytes:
    """OPML 2.0 subscription list: the site feed and every topic feed (RSS; Atom is linked beside)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.cfg.title}: feeds"
    body = etree.SubElement(root, "body")
    rss = FEED_KINDS[0]
    for source in feed_sources(site):
        etree.SubElement(body, "outline", type="rss", text=source.title, title=source.title,
                         xmlUrl=urls.absolute(source.folder + rss.filename),
                         htmlUrl=urls.absolute(source.page))
    return _xml(root)


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
