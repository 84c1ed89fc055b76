"""The one URL module. Every page and file of the site has a *site path*: relative to the site root,
no leading slash, directories ending in ``/`` (``""`` is home, ``"articles/x/"``, ``"feed.xml"``).

- HTML links are page-relative (``relative``), so one build works at a domain root and under any sub-path.
- Feeds and the sitemap need absolute URLs (``absolute``).
- 404.html is served at arbitrary URLs, so its links are root-absolute paths (``rooted``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


def output_file(site_path: str) -> str:
    """File that serves a site path: ``"articles/x/"`` -> ``"articles/x/index.html"``."""
    return site_path + "index.html" if site_path == "" or site_path.endswith("/") else site_path


@dataclass(frozen=True)
class Urls:
    base_url: str  # absolute, ends with "/"

    @property
    def base_path(self) -> str:
        """The path part of base_url: ``"/"`` or ``"/repo/"``."""
        return urlsplit(self.base_url).path or "/"

    def absolute(self, site_path: str) -> str:
        # Site paths are relative and normal, so joining is concatenation (urljoin was a build hot spot).
        return self.base_url + quote(site_path)

    def rooted(self, site_path: str) -> str:
        return self.base_path + quote(site_path)

    def relative(self, from_site_path: str, to_site_path: str) -> str:
        """Link from the page at ``from_site_path`` to ``to_site_path``, relative to the page's folder."""
        return self.linker(from_site_path)(to_site_path)

    def linker(self, from_site_path: str) -> Callable[[str], str]:
        """``relative`` for one page: its folder is split once, not on each of the page's links."""
        from_parts = [p for p in posixpath.dirname(output_file(from_site_path)).split("/") if p]

        def link(to_site_path: str) -> str:
            target = _relpath([p for p in to_site_path.split("/") if p], from_parts)
            if to_site_path.endswith("/") or to_site_path == "":
                target = "./" if target == "." else target + "/"
            return target if _PLAIN_PATH.fullmatch(target) else quote(target)

        return link


def _relpath(to_parts: list[str], from_parts: list[str]) -> str:
    """``posixpath.relpath`` for site paths (already normal: no ``.``/``..``), without its ``abspath``
    calls on the working directory, which made link building the slowest part of a build."""
    common = 0
    while common < min(len(to_parts), len(from_parts)) and to_parts[common] == from_parts[common]:
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:]) or "."


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")  # what quote() leaves as it is


def download_path(folder: str, extension: str) -> str:
    """A list's articles as one file to download (``"topics/russia/"``, ``"bib"`` ->
    ``"topics/russia/articles.bib"``; ``""``: the whole digest)."""
    return f"{folder}articles.{extension}"


def group_path(kind: str, slug: str) -> str:
    """An outlet's or author's page: ``"outlets"``/``"authors"`` and a slug -> ``"outlets/<slug>/"``."""
    return f"{kind}/{slug}/"


def story_path(story_id: str) -> str:
    """A story's page: ``"stories/<id>/"``."""
    return f"stories/{story_id}/"
