"""``build_site``: content/ -> the site, as load everything, render everything in memory, then write.

Nothing touches the output folder until every page and feed has rendered, so a bad article or template
leaves the previous site as it was. Files are written atomically and only when their bytes change, and
files of the output folder that this build did not produce are removed, so a second build with no
change writes nothing and a renamed or deleted article leaves nothing stale behind.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig
from generator.content import read_article
from generator.errors import DigestError
from generator.feeds import render_feeds
from generator.model import Loaded, Site, build_model
from generator.output import write_if_changed
from generator.render import render_pages, static_files
from generator.sitefiles import render_site_files

KEEP_NAMES = frozenset({".git"})  # never pruned: a deploy checkout may live in the output folder


@dataclass
class BuildReport:
    """Site paths of output files whose bytes changed (``written``) or that were deleted (``removed``)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    articles: int = 0
    ingested: list[str] = field(default_factory=list)  # content files written from new captures


def build_site(cfg: SiteConfig, *, drafts: bool = False, ingest_new: bool = True,
               out: Path | None = None) -> BuildReport:
    """Build the site into ``out`` (default: the configured output folder). Raises DigestError on bad
    input, in which case nothing in ``out`` has changed."""
    out = (out or cfg.path("output")).resolve()
    check_output_folder(cfg, out)
    ingested = ingest_captures(cfg) if ingest_new else []
    site = build_model(cfg, load_articles(cfg), drafts=drafts)
    files = render_site(site)
    written, removed = write_output(out, files)
    return BuildReport(written=written, removed=removed, articles=len(site.articles), ingested=ingested)


def ingest_captures(cfg: SiteConfig) -> list[str]:
    """Ingest captures that have no article yet; a capture that cannot be cleaned is a warning, not a
    failed build (the site is still built from what content/ holds)."""
    if not cfg.path("captures").is_dir():
        return []
    # Imported here: the cleaner pulls in trafilatura and friends, which builds without ingest
    # (--no-ingest, deploy) do not need to load.
    from generator.ingest import ingest

    results = ingest(cfg, [cfg.path("captures")], only_new=True, progress=False, warn=_warn)
    for result in results:
        if result.status == "failed":
            _warn(f"not ingested: {result.message}")
    return [str(r.article) for r in results if r.status == "new" and r.article is not None]


def load_articles(cfg: SiteConfig) -> list[Loaded]:
    """Every article under content/; all bad files are reported together, one line each."""
    loaded: list[Loaded] = []
    errors: list[DigestError] = []
    content = cfg.path("content")
    for path in sorted(content.rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(content).parts):
            continue  # editor lock and swap files, hidden folders
        try:
            loaded.append(Loaded(path, read_article(path, cfg.tz)))
        except DigestError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DigestError("\n".join(str(e) for e in errors))
    return loaded


def render_site(site: Site) -> dict[str, bytes]:
    """Every output file by site path, rendered in memory."""
    files = {**render_pages(site), **render_feeds(site), **render_site_files(site)}
    for name, source in static_files(site.cfg).items():
        if name in files:
            raise DigestError(f"static file would overwrite the generated {name}", source)
        files[name] = source.read_bytes()
    return files


def check_output_folder(cfg: SiteConfig, out: Path) -> None:
    """The output folder is pruned, so it must never hold the site's own sources."""
    sources = [cfg.root, *(cfg.path(name) for name in ("content", "captures", "templates", "static", "themes"))]
    for source in sources:
        if source.is_relative_to(out) or (source != cfg.root and out.is_relative_to(source)):
            raise DigestError(f"output folder {out} overlaps {source}; choose a separate folder",
                              cfg.root / "site.yaml")


def write_output(out: Path, files: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """Write what changed, then prune what this build did not produce (only inside ``out``)."""
    written = [name for name, data in sorted(files.items()) if write_if_changed(out / name, data)]
    removed = prune(out, set(files))
    return written, removed


def prune(out: Path, keep: set[str]) -> list[str]:
    removed: list[str] = []
    if not out.is_dir():
        return removed
    for folder, _dirs, filenames in os.walk(out, topdown=False):
        here = Path(folder)
        if any(part in KEEP_NAMES for part in here.relative_to(out).parts):
            continue
        for name in sorted(filenames):
            site_path = (here / name).relative_to(out).as_posix()
            if site_path not in keep and name not in KEEP_NAMES:
                (here / name).unlink()
                removed.append(site_path)
        if here != out and not any(here.iterdir()):
            here.rmdir()
    return sorted(removed)


def _warn(message: str) -> None:
    print(f"digest: warning: {message}", file=sys.stderr)
