"""Full-text search of the built site, with no search server: Pagefind.

Pagefind (PyPI ``pagefind[bin]``, which ships its binary; nothing is downloaded at run time) indexes the
rendered HTML into a static bundle of small index fragments and a WebAssembly search engine that the
browser fetches on demand, so search works offline, under any sub-path, and scales past what one JSON
index would (only the fragments a query needs are fetched). A hand-written JSON index plus JS would have
to re-implement its stemming, ranking and excerpts, and load the whole index on every search.

``search_bundle(files)`` indexes rendered pages (site path -> bytes) and returns the bundle's files
(``pagefind/...``); the build calls ``bundle_for_build`` before it commits its output, which keeps the
bundle when no indexed page changed; ``index_site(out_dir)`` indexes a site already written, in
place. Pages opt in with ``data-pagefind-body`` on the element holding the article (when no page has it,
Pagefind indexes every page whole). A search box is ``<div data-digest-search></div>`` plus
``<script src="{relative link to pagefind/digest-search.js}" defer></script>``; the script finds the site
root from its own URL, so the same build works at a domain root and under /repo/.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from generator.errors import DigestError

BUNDLE = "pagefind/"  # site path of the search bundle
STALE_MARK = ".digest-search-stale"  # left by a preview whose bundle is behind its pages (see build.py)
ASSETS = ("digest-search.js", "digest-search.css")
TIMEOUT_SECONDS = 600


def executable() -> Path:
    """The Pagefind binary from the ``pagefind-bin`` wheel (or $PAGEFIND_BINARY_PATH / PATH)."""
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise DigestError("search: the Pagefind binary is missing; install the package 'pagefind[bin]'")
    return Path(found)


def assets() -> dict[str, bytes]:
    """Our small search-box script and style, by site path."""
    folder = resources.files("generator.research") / "assets"
    return {BUNDLE + name: (folder / name).read_bytes() for name in ASSETS}


BACKGROUND_NICENESS = 10  # a preview's background work yields the CPU to the rebuild someone waits for


Started = Callable[["subprocess.Popen[str]"], None]  # told the Pagefind process, to be able to stop it


def run_pagefind(site_dir: Path, bundle_dir: Path, language: str | None = None, glob: str | None = None,
                 background: bool = False, started: Started | None = None) -> None:
    command = [str(executable()), "--site", str(site_dir), "--output-path", str(bundle_dir), "--silent"]
    if glob:
        command += ["--glob", glob]
    if language:
        command += ["--force-language", language.split("-")[0].lower()]
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
            if background:
                # After the start, not in preexec_fn: that is unsafe in a process running threads.
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, process.pid, BACKGROUND_NICENESS)
            if started is not None:
                started(process)
            try:
                stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DigestError(f"search: could not run Pagefind: {exc}") from None
    if process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()
        raise DigestError("search: Pagefind failed: " + (detail[-1] if detail else f"exit {process.returncode}"))


def _read_tree(folder: Path, prefix: str) -> dict[str, bytes]:
    return {prefix + path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


PAGEFIND_DATA = b"pagefind_dcd"  # what Pagefind's data files start with (then CBOR), inside their gzip


def stable_bundle(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filter files in a fixed order. Pagefind writes each filter's values (and a
    language's list of filters) in hash-map order, which changes from run to run: the same pages would give
    other bytes and file names, so a rebuild would rewrite the bundle and no build could equal another.
    Each filter file's values are sorted and it is named by its new content's hash; the language's meta
    file then names those files, sorted, and is renamed the same way in ``pagefind-entry.json``."""
    import cbor2

    def pack(value: object) -> bytes:
        return gzip.compress(PAGEFIND_DATA + cbor2.dumps(value), mtime=0)

    def unpack(data: bytes) -> Any:
        raw = gzip.decompress(data)
        if not raw.startswith(PAGEFIND_DATA):
            raise DigestError("search: Pagefind wrote a data file digest cannot read; upgrade digest")
        return cbor2.loads(raw[len(PAGEFIND_DATA):])

    def name(language: str, data: bytes, length: int) -> str:
        return f"{language}_{hashlib.sha1(data, usedforsecurity=False).hexdigest()[:length]}"

    out = dict(bundle)
    renamed: dict[str, str] = {}
    for path in sorted(p for p in bundle if p.startswith(BUNDLE + "filter/") and p.endswith(".pf_filter")):
        filter_name, values = unpack(out.pop(path))
        data = pack([filter_name, sorted(values, key=lambda value: value[0])])
        old = path.rsplit("/", 1)[1].removesuffix(".pf_filter")
        renamed[old] = name(old.split("_", 1)[0], data, 7)
        out[f"{BUNDLE}filter/{renamed[old]}.pf_filter"] = data
    entry = out.get(BUNDLE + "pagefind-entry.json")
    for path in sorted(p for p in bundle if p.startswith(BUNDLE + "pagefind.") and p.endswith(".pf_meta")):
        meta = unpack(out.pop(path))
        meta[3] = sorted([filter_name, renamed.get(hash_, hash_)] for filter_name, hash_ in meta[3])
        data = pack(meta)
        old = path.removeprefix(BUNDLE + "pagefind.").removesuffix(".pf_meta")
        new = name(old.split("_", 1)[0], data, 10)
        out[f"{BUNDLE}pagefind.{new}.pf_meta"] = data
        if entry is not None:
            entry = entry.replace(f'"{old}"'.encode(), f'"{new}"'.encode())
    if entry is not None:
        out[BUNDLE + "pagefind-entry.json"] = entry
    return out


def search_bundle(files: Mapping[str, bytes], language: str | None = None,
                  sections: tuple[str, ...] = ("articles/",)) -> dict[str, bytes]:
    """The search bundle for a site rendered in memory (site path -> bytes), as site path -> bytes.

    Only the HTML pages under ``sections`` are indexed (by default the article pages: the home, topic and
    archive pages repeat the articles' summaries, and would show every hit several times); ``()`` indexes
    every page. They are handed to Pagefind in a scratch folder, so nothing is written to the output folder
    before the build decides to write.
    """
    indexed = {site_path: data for site_path, data in files.items() if _indexed(site_path, sections)}
    if not indexed:
        return assets()  # Pagefind makes no index of nothing; the search box says there is nothing yet
    with tempfile.TemporaryDirectory(prefix="digest-search-") as scratch:
        site_dir, bundle_dir = Path(scratch) / "site", Path(scratch) / "bundle"
        for site_path, data in indexed.items():
            target = site_dir / site_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        site_dir.mkdir(exist_ok=True)
        run_pagefind(site_dir, bundle_dir, language)
        return {**stable_bundle(_read_tree(bundle_dir, BUNDLE)), **assets()}


def bundle_for_build(read: Callable[[str], bytes], produced: Collection[str], changed: Collection[str],
                     present: Collection[str], language: str | None = None,
                     sections: tuple[str, ...] = ("articles/",), reindex: bool = False) -> dict[str, bytes | None]:
    """The search bundle for an incremental build, as entries to merge into its outputs.

    ``produced``: the site paths this build makes; ``changed``: those whose bytes changed; ``present``:
    the site paths in the output folder before it; ``read``: a page's new bytes. When no indexed page
    changed, appeared or went away, the bundle already there is kept (every entry None, "keep as is");
    otherwise (or when ``reindex`` says the bundle there is stale) it is rebuilt from every indexed page.
    """
    existing = [path for path in present if path.startswith(BUNDLE)]
    if existing and not reindex and not indexed_pages_changed(produced, changed, present, sections):
        return dict.fromkeys(existing)
    pages = sorted(path for path in produced if _indexed(path, sections))
    return dict(search_bundle({path: read(path) for path in pages}, language, sections))


def indexed_pages_changed(produced: Collection[str], changed: Collection[str], present: Collection[str],
                          sections: tuple[str, ...] = ("articles/",)) -> bool:
    """Did an indexed page change, appear or go away in this build?"""
    if any(_indexed(path, sections) for path in changed):
        return True
    return {p for p in produced if _indexed(p, sections)} != {p for p in present if _indexed(p, sections)}


def _indexed(path: str, sections: tuple[str, ...]) -> bool:
    return path.endswith(".html") and (not sections or path.startswith(sections))


def _has_pages(folder: Path, sections: tuple[str, ...]) -> bool:
    """Is there an HTML page under ``sections`` of ``folder`` (the first one found ends the walk)?"""
    roots = [folder / section for section in sections] or [folder]
    return any(next(root.rglob("*.html"), None) is not None for root in roots if root.is_dir())


def index_written_site(out_dir: Path, language: str | None = None, sections: tuple[str, ...] = ("articles/",),
                       started: Started | None = None) -> dict[str, bytes]:
    """The bundle ``search_bundle`` would make, from pages already written to ``out_dir`` (read in place,
    nothing written there): what a preview's background indexing runs."""
    if not _has_pages(out_dir, sections):
        return assets()  # nothing to index (see search_bundle)
    with tempfile.TemporaryDirectory(prefix="digest-search-") as scratch:
        bundle_dir = Path(scratch) / "bundle"
        globs = [f"{section}**/*.html" for section in sections] or ["**/*.html"]
        run_pagefind(out_dir, bundle_dir, language, glob=globs[0] if len(globs) == 1 else "{" + ",".join(globs) + "}",
                     background=True, started=started)
        return {**stable_bundle(_read_tree(bundle_dir, BUNDLE)), **assets()}


def index_site(out_dir: Path, language: str | None = None) -> list[str]:
    """Index a site already written to ``out_dir``; returns the site paths of the bundle's files."""
    bundle_dir = out_dir / BUNDLE
    if _has_pages(out_dir, ()):
        run_pagefind(out_dir, bundle_dir, language)
    bundle_dir.mkdir(parents=True, exist_ok=True)
    for site_path, data in assets().items():
        (out_dir / site_path).write_bytes(data)
    return sorted(_read_tree(bundle_dir, BUNDLE))
