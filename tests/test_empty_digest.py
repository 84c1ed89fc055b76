"""A digest with nothing in it yet builds a valid site; a folder that is no digest builds nothing at all.

Real processes: ``digest init`` then ``digest build`` through the command line, as a new user (and the
Pages workflow's first push) runs them."""

import subprocess
import sys
from pathlib import Path

import pytest

from generator.research.search import BUNDLE


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def every_path(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_a_fresh_digest_builds_an_empty_site_that_says_so(tmp_path: Path) -> None:
    assert digest("init", "fresh", cwd=tmp_path).returncode == 0
    done = digest("-C", "fresh", "build", "--base-url", "https://me.github.io/fresh/", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "built 0 articles" in done.stdout
    site = tmp_path / "fresh" / "_site"
    assert "No articles yet." in (site / "index.html").read_text(encoding="utf-8")
    search_page = (site / "search" / "index.html").read_text(encoding="utf-8")
    assert "pagefind/digest-search.js" in search_page
    # The box script is there and, with no index to load, says there is nothing to search.
    script = (site / BUNDLE / "digest-search.js").read_text(encoding="utf-8")
    assert "Nothing to search yet" in script and "onerror" in script
    assert not (site / BUNDLE / "pagefind-ui.js").exists()
    for feed in ("feed.xml", "atom.xml", "sitemap.xml"):
        assert (site / feed).stat().st_size > 0
    # A second build of nothing changes nothing; the first article makes a real index.
    again = digest("-C", "fresh", "build", "--base-url", "https://me.github.io/fresh/", cwd=tmp_path)
    assert again.returncode == 0 and "0 files written" in again.stdout, again.stdout
    article = tmp_path / "fresh" / "content" / "articles" / "2024" / "first.md"
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text("---\nid: 00000000000000a1\ntitle: First words\ndate: '2024-01-02'\n---\nHello there, "
                       "searchable world.\n", encoding="utf-8")
    third = digest("-C", "fresh", "build", "--base-url", "https://me.github.io/fresh/", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    assert (site / BUNDLE / "pagefind-ui.js").is_file()


@pytest.mark.parametrize("where", ["missing-folder", "no-site-yaml"])
@pytest.mark.parametrize("command", ["build", "serve", "watch", "deploy"])
def test_a_folder_that_is_no_digest_gets_one_line_and_nothing_is_created(tmp_path: Path, where: str,
                                                                         command: str) -> None:
    (tmp_path / "no-site-yaml").mkdir()
    (tmp_path / "no-site-yaml" / "notes.txt").write_text("not a digest\n", encoding="utf-8")
    before = every_path(tmp_path)
    done = digest("-C", where, command, cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"digest: error: {where}: "), done.stderr
    assert f"digest init {where}" in lines[0]
    assert every_path(tmp_path) == before  # no _site/, no .digest-cache/, no missing folder
