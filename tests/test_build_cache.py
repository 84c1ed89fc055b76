"""The build cache only saves work: every incremental build equals a cold build of the same content."""

import re
import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import load_config
from tests.trees import tree


def build(root: Path, **kwargs):
    return build_site(load_config(root), ingest_new=False, **kwargs)


def assert_same_as_cold(root: Path, tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    build(root, out=cold, use_cache=False)
    assert tree(root / "_site") == tree(cold)
    shutil.rmtree(cold)


def first_article(root: Path) -> Path:
    return sorted((root / "content").rglob("*.md"))[0]


def edit_title(root: Path) -> None:
    path = first_article(root)
    text = path.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title_line, "title: A title changed by an editor", 1), encoding="utf-8")


def edit_body(root: Path) -> None:
    path = first_article(root)
    path.write_text(path.read_text(encoding="utf-8") + "\nA [relative link](../other/) added later.\n",
                    encoding="utf-8")


def add_article(root: Path) -> None:
    (root / "content" / "added.md").write_text(
        "---\ntitle: Added later\ndate: 2031-01-02\ntopics: [Brand new topic]\n---\nNew text.\n", encoding="utf-8")


def delete_article(root: Path) -> None:
    first_article(root).unlink()


def retopic(root: Path) -> None:
    path = first_article(root)
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("topics:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("- "):
        end += 1
    lines[start:end] = ["topics: [Retopiced]"]
    path.write_text("\n".join(lines), encoding="utf-8")


def change_source(root: Path) -> None:
    """Moves the article from one outlet's page (and feeds) to another's, and removes the emptied outlet."""
    path = first_article(root)
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if not line.startswith("source:")]
    lines.insert(1, "source: Reuters")  # (right after the opening '---')
    path.write_text("\n".join(lines), encoding="utf-8")


def change_authors(root: Path) -> None:
    """A new author page, and the article joins an existing author's page."""
    path = first_article(root)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle:", "\nauthors: [Jane Roe, A New Author]\ntitle:", 1), encoding="utf-8")


def edit_template(root: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "article.html").write_text(
        '{% extends "theme/article.html" %}{% block after_content %}<p>Overridden</p>{% endblock %}',
        encoding="utf-8")


def edit_config(root: Path) -> None:
    config = root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^feed_limit: .*$", "feed_limit: 1", text), encoding="utf-8")


@pytest.mark.parametrize("change", [edit_title, edit_body, add_article, delete_article, retopic, change_source,
                                    change_authors, edit_template, edit_config])
def test_incremental_build_equals_cold_build(site, tmp_path, change):
    build(site)
    change(site)
    report = build(site)
    assert report.written or report.removed
    assert_same_as_cold(site, tmp_path)


def test_no_change_rebuild_writes_nothing(site):
    build(site)
    report = build(site)
    assert report.written == [] and report.removed == []


def test_a_deleted_output_file_is_written_again(site, tmp_path):
    build(site)
    page = next((site / "_site" / "articles").rglob("index.html"))
    page.unlink()
    report = build(site)
    assert page.relative_to(site / "_site").as_posix() in report.written
    assert_same_as_cold(site, tmp_path)


def test_a_corrupt_or_foreign_cache_is_ignored(site, tmp_path):
    build(site)
    cache = site / ".digest-cache" / "build"
    (cache / "state.pickle").write_bytes(b"not a pickle")
    (cache / "derived.sqlite").write_bytes(b"not a database either, but long enough to look like one" * 20)
    edit_title(site)
    build(site)
    assert_same_as_cold(site, tmp_path)


@pytest.mark.parametrize("read", ["one by one", "in bulk"])
def test_damaged_entries_of_the_derived_values_are_derived_again(site, tmp_path, monkeypatch, read):
    import sqlite3

    from generator import build as build_module

    if read == "in bulk":  # as a rebuild of many pages reads them (see derive_ahead)
        monkeypatch.setattr(build_module, "RENDER_PARALLEL_MIN", 1)
    build(site)
    db = sqlite3.connect(site / ".digest-cache" / "build" / "derived.sqlite")
    with db:  # a valid database whose values no longer unpickle (a class that moved, a cut-short blob)
        db.execute("UPDATE derived SET value = CASE rowid % 3 WHEN 0 THEN ? WHEN 1 THEN ? ELSE ? END",
                   (b"cno_such_module\nThing\n.", b"\x80\x05\x95", b"\x8e" + b"\xff" * 8))
    db.close()
    edit_title(site)
    build(site, out=tmp_path / "elsewhere")  # renders every page, so it reads every entry
    build(site, out=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "elsewhere") == tree(tmp_path / "cold")


def test_a_rebuild_of_many_pages_reads_every_body_s_values_in_one_pass(site, tmp_path, monkeypatch):
    """No page (in no worker) asks the store for one body's values: all were read before rendering."""
    from generator import build as build_module
    from generator.cache import DerivedStore

    build(site)
    monkeypatch.setattr(build_module, "RENDER_PARALLEL_MIN", 1)
    one_by_one = DerivedStore.get

    def refuse_bodies(self, key):
        assert not key.startswith("md1:"), f"asked the store for {key} alone"
        return one_by_one(self, key)

    monkeypatch.setattr(DerivedStore, "get", refuse_bodies)
    build(site, out=tmp_path / "elsewhere")  # every page is rendered
    build(site, out=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "elsewhere") == tree(tmp_path / "cold")


def test_the_derived_store_reads_many_keys_at_once(tmp_path, monkeypatch):
    import sqlite3

    from generator import cache

    monkeypatch.setattr(cache, "_BATCH", 3)  # several queries
    store = cache.DerivedStore(tmp_path)
    for number in range(10):
        store.put(f"k{number}", number)
    store.flush()
    store.put("pending", "not yet stored")
    store.close()
    db = sqlite3.connect(cache._folder(tmp_path) / "derived.sqlite")
    with db:
        db.execute("UPDATE derived SET value = ? WHERE key = 'k4'", (b"\x80\x05\x95",))
    db.close()
    store = cache.DerivedStore(tmp_path)
    store.put("pending", "not yet stored")
    found = store.get_many([f"k{number}" for number in range(10)] + ["pending", "absent"])
    assert found == {**{f"k{n}": n for n in range(10) if n != 4}, "pending": "not yet stored"}
    store.close()


def test_parsed_files_are_stored_as_a_delta_until_it_grows(site, tmp_path, monkeypatch):
    from generator import cache as build_cache

    build(site)
    base = site / ".digest-cache" / "build" / "files.pickle"
    written = base.read_bytes()
    edit_title(site)
    build(site)
    first_article(site).unlink()
    build(site)
    assert base.read_bytes() == written  # two small changes: only the delta was rewritten
    assert_same_as_cold(site, tmp_path)
    monkeypatch.setattr(build_cache, "DELTA_MIN", 0)
    monkeypatch.setattr(build_cache, "DELTA_SHARE", 1000)
    edit_body(site)
    build(site)
    assert base.read_bytes() != written
    assert_same_as_cold(site, tmp_path)


def test_a_corrupt_base_of_parsed_files_is_ignored(site, tmp_path):
    build(site)
    edit_title(site)
    build(site)
    (site / ".digest-cache" / "build" / "files.pickle").write_bytes(b"\x80\x05 truncated")
    edit_body(site)
    build(site)
    assert_same_as_cold(site, tmp_path)


def test_the_base_is_written_in_chunks_and_a_cut_short_one_reads_as_empty(tmp_path, monkeypatch):
    from generator import cache as build_cache
    from generator.content import Article

    monkeypatch.setattr(build_cache, "BASE_CHUNK", 3)
    files = {f"content/{n}.md": build_cache.FileEntry(n, n, f"sha{n}", Article(id=str(n), title=f"T{n}", body="é"))
             for n in range(10)}
    saved = build_cache.save_state(tmp_path, build_cache.BuildState(settings="s", files=files),
                                   build_cache.BuildState())
    loaded = build_cache.load_state(tmp_path)
    assert loaded.files == files and loaded.settings == "s" and loaded.base == saved.base
    base = tmp_path / build_cache.BUILD_FOLDER / "files.pickle"
    base.write_bytes(base.read_bytes()[:-20])  # the last chunk and the end mark lost
    assert build_cache.load_state(tmp_path).files == {}


def test_deleting_the_cache_changes_nothing(site):
    build(site)
    before = tree(site / "_site")
    shutil.rmtree(site / ".digest-cache")
    report = build(site)
    assert report.written == []
    assert tree(site / "_site") == before


def test_a_hand_edited_output_file_is_rebuilt(site, tmp_path):
    build(site)
    page = site / "_site" / "index.html"
    page.write_text("vandalised", encoding="utf-8")
    report = build(site)
    assert "index.html" in report.written
    assert_same_as_cold(site, tmp_path)


def test_a_title_fix_keeps_the_url(site):
    build(site)
    pages_before = sorted((site / "_site" / "articles").glob("*/index.html"))
    edit_title(site)
    build(site)
    assert sorted((site / "_site" / "articles").glob("*/index.html")) == pages_before
    assert any("A title changed by an editor" in p.read_text(encoding="utf-8") for p in pages_before)


def test_a_session_keeps_the_state_in_memory_between_builds(site, tmp_path):
    from generator.cache import Session

    session = Session()
    build(site, session=session)
    assert session.state is not None and len(session.state.files) == 6  # a draft too
    for name in ("files.pickle", "state.pickle"):  # not read again while the session holds the state
        (site / ".digest-cache" / "build" / name).unlink()
    edit_title(site)
    build(site, session=session)
    assert not (site / ".digest-cache" / "build" / "files.pickle").exists()  # a delta over the kept base
    assert_same_as_cold(site, tmp_path)


def test_a_preview_session_knows_its_output_folder_and_reuses_unchanged_inputs(site, tmp_path):
    from generator.cache import Session

    session = Session()
    out = site / ".digest-cache" / "serve"  # a preview's folder: in the cache, where only digest writes
    build(site, session=session, out=out)
    assert session.outputs == frozenset(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    kept = {path: loaded for path, (_entry, loaded) in session.loaded.items()}
    edit_title(site)
    gone = sorted((site / "content").rglob("*.md"))[-1]
    gone.unlink()
    report = build(site, session=session, out=out)
    assert report.removed  # its page and listings went, known from the session rather than a walk
    again = {path: loaded for path, (_entry, loaded) in session.loaded.items()}
    edited = str(first_article(site))
    assert again[edited] is not kept[edited] and str(gone) not in again
    assert all(again[path] is kept[path] for path in again if path != edited)  # the rest made once
    cold = tmp_path / "cold"
    build(site, out=cold, use_cache=False)
    assert tree(out) == tree(cold)


def restore_title(root: Path) -> None:
    changed = "title: A title changed by an editor"
    path = next(p for p in (root / "content").rglob("*.md") if changed in p.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace(changed, "title: Back to an earlier title", 1),
                    encoding="utf-8")


def test_a_preview_session_reusing_its_last_model_equals_a_cold_build_after_every_change(site, tmp_path):
    """A preview keeps the last build's model, pages and fingerprints (generator.reuse): after each change
    of a long series, its output is still the cold build's, byte for byte."""
    from generator.cache import Session

    session = Session()
    out = site / ".digest-cache" / "serve"
    build(site, session=session, out=out)
    for change in (edit_title, edit_body, add_article, retopic, change_source, change_authors, restore_title,
                   delete_article, edit_template, edit_config, edit_title):
        change(site)
        report = build(site, session=session, out=out)
        assert report.written or report.removed, change.__name__
        cold = tmp_path / "cold"
        build(site, out=cold, use_cache=False)
        assert tree(out) == tree(cold), change.__name__
        shutil.rmtree(cold)


def test_pages_kept_from_the_last_build_show_the_new_title_of_every_article_their_research_names(tmp_path):
    """A preview builds with the research analysis it has while a new one is made (research.deferred), so
    the analysis stays the same object while articles change. Story pages, "other reports", "also
    published" and related articles name other articles: a page kept from the last build must not keep an
    old title of one of them."""
    import dataclasses

    from generator.build import load_articles
    from generator.model import Loaded, build_model
    from generator.render import page_jobs, pages
    from generator.research.analysis import analyse
    from generator.reuse import NOTHING, Reuse
    from tests.fixtures.research.seeds import gold_articles, write_digest

    articles = gold_articles()
    stem, original = sorted(articles.items())[0]
    # A syndicated copy (the same text from another outlet): its own page, "also published", no listing.
    articles[f"{stem}-copy"] = dataclasses.replace(original, id=f"{original.id}-copy", source="Another Outlet",
                                                   date=None)
    write_digest(tmp_path, articles)
    cfg = load_config(tmp_path)
    loaded = load_articles(cfg)
    analysis = analyse([item.article for item in loaded], cfg.tz)
    assert analysis.related and any(len(story.articles) > 1 for story in analysis.stories) and analysis.hidden

    def fingerprints(items: list[Loaded], reuse: Reuse = NOTHING) -> dict[str, str | None]:
        site = build_model(cfg, items, research_source=lambda *_: analysis, reuse=reuse)
        return {job.path: job.fingerprint for job in page_jobs(site, pages(site, reuse), {}, reuse)}

    reuse = Reuse()
    for number in range(len(loaded)):
        item = loaded[number]
        loaded[number] = dataclasses.replace(item, article=dataclasses.replace(item.article, title=f"Title {number}"),
                                             sha=f"retitled {number}")
        reuse.start(cfg)
        assert fingerprints(loaded, reuse) == fingerprints(loaded), item.source.name
        reuse.finish()


def test_a_view_kept_from_the_last_build_reads_and_writes_this_builds_store(site):
    from generator.build import load_articles
    from generator.cache import DerivedStore
    from generator.model import build_model
    from generator.reuse import Reuse

    cfg, loaded, reuse = load_config(site), load_articles(load_config(site)), Reuse()
    stores = [DerivedStore(None), DerivedStore(None)]
    sites = []
    for store in stores:
        reuse.start(cfg)
        sites.append(build_model(cfg, loaded, store=store, reuse=reuse))
        reuse.finish()
    assert sites[1].articles[0] is sites[0].articles[0]  # kept...
    assert all(view.derived.store is stores[1] for view in sites[1].articles)  # ...with this build's store


def test_a_preview_whose_output_folder_was_deleted_builds_it_again(site, tmp_path):
    """The session trusts what it left in its own folder, but not a folder that is gone (the cache was
    deleted while the preview ran)."""
    from generator.cache import Session

    session = Session()
    out = site / ".digest-cache" / "serve"
    build(site, session=session, out=out)
    shutil.rmtree(site / ".digest-cache")
    build(site, session=session, out=out)
    cold = tmp_path / "cold"
    build(site, out=cold, use_cache=False)
    assert tree(out) == tree(cold)


def test_a_failed_build_leaves_nothing_in_the_session(site, tmp_path):
    from generator.cache import Session
    from generator.errors import DigestError

    session = Session()
    build(site, session=session)
    path = first_article(site)
    good = path.read_text(encoding="utf-8")
    path.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    with pytest.raises(DigestError):
        build(site, session=session)
    assert session.state is None
    path.write_text(good.replace("title:", "title: Fixed", 1), encoding="utf-8")
    build(site, session=session)
    assert_same_as_cold(site, tmp_path)


def test_a_derived_store_locked_by_another_process_is_left_alone(site, tmp_path, monkeypatch):
    """A preview's research helper may be committing when a build opens the store: that build goes
    without it (derives what it needs), and the store is kept, not replaced as if it were damaged."""
    import sqlite3

    from generator import cache as build_cache

    build(site)
    path = site / ".digest-cache" / "build" / "derived.sqlite"
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM derived").fetchone()[0]
    assert rows > 0
    monkeypatch.setattr(build_cache, "LOCK_WAIT_SECONDS", 0.1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        edit_body(site)
        build(site)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM derived").fetchone()[0] == rows
    assert_same_as_cold(site, tmp_path)
