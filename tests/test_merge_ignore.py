"""Ignoring a capture for good, and merging two articles with ``duplicate_of``: neither comes back."""

import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import load_config
from generator.content import read_article
from generator.errors import DigestError
from generator.ingest import IngestResult, ingest
from tests.conftest import FIXTURE
from tests.test_ingest import CAPTURE

MINISTERS = "content/articles/2023/2023-11-15-ministers.md"


def digest_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(root), *args], cwd=root,
                          capture_output=True, text=True, check=False)


def articles_of(results: list[IngestResult]) -> list[Path]:
    paths = [r.article for r in results]
    assert all(paths)
    return [p for p in paths if p is not None]


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text("title: Test\n", encoding="utf-8")
    (tmp_path / "captures").mkdir()
    (tmp_path / "captures" / "a.txt").write_text(CAPTURE, encoding="utf-8")
    (tmp_path / "captures" / "b.txt").write_text(CAPTURE.replace("Kozlov visits", "Another story: Kozlov in")
                                                  + "\nA second, different paragraph.\n", encoding="utf-8")
    return tmp_path


def test_an_ignored_capture_never_comes_back(digest):
    cfg = load_config(digest)
    first = ingest(cfg, [digest / "captures"], progress=False)
    assert [r.status for r in first] == ["new", "new"]
    done = digest_cli(digest, "ignore", "captures/a.txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["ignored   captures/a.txt",
                                            f"removed   {articles_of(first)[0].relative_to(digest).as_posix()}  "
                                            "(ingest made it from this capture)"]
    assert (digest / "captures" / "a.txt").is_file()  # the capture stays
    assert "captures/a.txt" in (digest / ".digestignore").read_text(encoding="utf-8")
    assert [r.capture.name for r in ingest(cfg, [digest / "captures"], progress=False, force=True)] == ["b.txt"]
    assert len(list((digest / "content").rglob("*.md"))) == 1
    again = digest_cli(digest, "ignore", "captures/a.txt")
    assert "already listed" in again.stdout
    assert digest_cli(digest, "ignore", "site.yaml").returncode == 1


def test_an_edited_article_of_an_ignored_capture_is_kept(digest):
    cfg = load_config(digest)
    [made, _] = articles_of(ingest(cfg, [digest / "captures"], progress=False))
    made.write_text(made.read_text(encoding="utf-8") + "\nMy own line.\n", encoding="utf-8")
    done = digest_cli(digest, "ignore", "captures/a.txt")
    assert "kept" in done.stdout and made.is_file()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("_site", ".digest-cache"))
    return root


def test_a_merged_article_points_to_the_kept_one_and_is_in_no_list(site):
    path = site / MINISTERS
    path.write_text(path.read_text(encoding="utf-8").replace("slug: ministers-meet\n",
                                                             "slug: ministers-meet\nduplicate_of: a1000000000000001\n"),
                    encoding="utf-8")
    build_site(load_config(site), out=site / "_site")
    pointer = (site / "_site" / "articles" / "ministers-meet" / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=../russian-delegation-completes-visit-to-pyongyang/"' in pointer
    assert "data-pagefind-body" not in pointer  # not searchable
    for listing in ("index.html", "feed.xml", "atom.xml", "archive/2023/11/index.html"):
        assert "Ministers meet" not in (site / "_site" / listing).read_text(encoding="utf-8"), listing
    assert "ministers-meet" not in (site / "_site" / "sitemap.xml").read_text(encoding="utf-8")


def test_a_merge_into_an_unknown_article_fails_the_build_naming_the_file(site):
    path = site / MINISTERS
    path.write_text(path.read_text(encoding="utf-8").replace("slug: ministers-meet\n",
                                                             "slug: ministers-meet\nduplicate_of: nosuchid\n"),
                    encoding="utf-8")
    with pytest.raises(DigestError, match="duplicate_of: no article has the id 'nosuchid'") as failed:
        build_site(load_config(site), out=site / "_site")
    assert failed.value.path is not None and failed.value.path.name == "2023-11-15-ministers.md"


def test_reingest_keeps_a_merge(digest):
    cfg = load_config(digest)
    [a, b] = articles_of(ingest(cfg, [digest / "captures"], progress=False))
    kept_id = read_article(a, cfg.tz).id
    b.write_text(b.read_text(encoding="utf-8").replace("provenance:", f"duplicate_of: {kept_id}\nprovenance:"),
                 encoding="utf-8")
    (digest / "captures" / "b.txt").write_text((digest / "captures" / "b.txt").read_text() + "\nMore.\n")
    results = ingest(cfg, [digest / "captures"], progress=False, force=True)
    assert [r.status for r in results] == ["unchanged", "updated"]
    assert read_article(b, cfg.tz).duplicate_of == kept_id
    assert len(list((digest / "content").rglob("*.md"))) == 2


def test_ignore_takes_the_capture_path_digest_review_prints_from_any_folder(digest, tmp_path_factory):
    """``digest -C DIR ignore captures/a.txt`` from another folder: the path as review and provenance
    name it (relative to the digest) is found; a path that is no capture is one line naming it, with a hint."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    run = partial(subprocess.run, capture_output=True, text=True, check=False, cwd=elsewhere)
    done = run([sys.executable, "-m", "generator.cli", "-C", str(digest), "ignore", "captures/a.txt"])
    assert done.returncode == 0, done.stderr
    assert "captures/a.txt" in (digest / ".digestignore").read_text(encoding="utf-8")
    wrong = run([sys.executable, "-m", "generator.cli", "-C", str(digest), "ignore", "captures/nothing.txt"])
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1
    assert wrong.stderr.startswith("digest: error: captures/nothing.txt: ") and "digest review" in wrong.stderr


def test_a_capture_taken_back_from_digestignore_is_ingested_by_the_next_build(digest):
    """The build skips ingest while captures and articles are as the last ingest left them: deleting a line
    of .digestignore changed neither, so the capture taken back never came back."""
    build_site(load_config(digest), out=digest / "_site")
    assert len(list((digest / "content").rglob("*.md"))) == 2
    assert digest_cli(digest, "ignore", "captures/a.txt").returncode == 0
    build_site(load_config(digest), out=digest / "_site")
    assert len(list((digest / "content").rglob("*.md"))) == 1
    listed = digest / ".digestignore"
    listed.write_text(listed.read_text(encoding="utf-8").replace("captures/a.txt\n", ""), encoding="utf-8")
    build_site(load_config(digest), out=digest / "_site")
    assert len(list((digest / "content").rglob("*.md"))) == 2
