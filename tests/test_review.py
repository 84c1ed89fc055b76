"""``digest review``: which articles need a person, why, in what order; reviewed and edited ones leave."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import load_config
from generator.content import Article, Provenance, read_article, with_fingerprint, write_text
from generator.ingest import ingest
from generator.review import authors_shape, field_reasons, review, source_shape, title_shape
from tests.test_ingest import CAPTURE

BODY = ("The harbour authority said on Tuesday that ice-class vessels had made more crossings this season "
        "than in any year since records began.\n\nInsurers have raised premiums for the route, and the "
        "ministry plans new rules for the next season.")


def write(root: Path, name: str, **fields: object) -> Path:
    values: dict[str, object] = {"id": name, "title": "Ice route opens early this year", "body": BODY,
                                 "date": "2024-03-05", "authors": ("Jane Roe",), "source": "Polar Times",
                                 "provenance": Provenance(capture=f"captures/{name}.txt")}
    values.update(fields)
    article = with_fingerprint(Article(**values))  # type: ignore[arg-type]
    path = root / "content" / "articles" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(write_text(article), encoding="utf-8")
    return path


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text("title: Test\n", encoding="utf-8")
    return tmp_path


def test_shapes_that_need_a_person():
    assert title_shape("Updated: March 5, 2024 at 10:32 am") is not None
    assert title_shape("Ice route opens early on March 5, 2024 as shipping grows") is None
    assert title_shape("Ice route opens early") is None
    assert authors_shape(("Read more about our reporters",)) is not None
    assert authors_shape(("Ursula von der Leyen", "Jane Roe")) is None
    assert authors_shape(()) == "no author"
    assert source_shape("News you can trust, every day.") is not None
    assert source_shape("The Times of India") is None
    assert source_shape("polartimes.com") is not None
    assert source_shape(None) == "no source"


def test_the_cleaners_confidence_decides_where_it_is_given():
    sure = Article(id="a", title="Updated: March 5, 2024", body=BODY, date="2024-03-05", authors=("Jane Roe",),
                   source="Polar Times", confidence={"title": 0.9, "date": 0.2, "authors": 0.8, "source": 0.7})
    reasons = {r.field: r for r in field_reasons(sure)}
    assert set(reasons) == {"date"}  # the title's odd shape is overruled by a confident cleaner
    assert reasons["date"].doubt == 0.8 and "confidence 0.20" in reasons["date"].text


def test_review_lists_doubtful_articles_most_doubtful_first(digest):
    write(digest, "fine")
    write(digest, "undated", date=None)
    write(digest, "tagline", source="Your daily dose of Arctic news")
    write(digest, "worst", date=None, authors=(), title="March 5, 2024 10:32")
    write(digest, "furniture", body=BODY + "\n\nShare this article")
    found = review(load_config(digest), duplicates=False)  # (they share one body)
    assert [d.path.stem for d in found] == ["worst", "undated", "tagline", "furniture"]
    assert [r.field for r in found[0].reasons] == ["title", "date", "authors"]
    assert "end of the body: 'Share this article'" in found[3].reasons[0].text


def test_reviewed_edited_and_merged_articles_leave_the_list(digest):
    write(digest, "reviewed", date=None, reviewed=True)
    write(digest, "merged", date=None, duplicate_of="other")
    edited = write(digest, "edited", date=None)
    edited.write_text(edited.read_text(encoding="utf-8").replace("Ice route", "The ice route"), encoding="utf-8")
    assert review(load_config(digest)) == []


def test_a_copy_of_another_article_is_listed_as_a_probable_duplicate(digest):
    long_body = " ".join(f"Sentence {n} of the wire story says something about shipping in the Arctic." for n in
                         range(40))
    write(digest, "first", body=long_body, date="2024-03-01")
    write(digest, "copy", body=long_body, date="2024-03-02", source="Other Paper")
    found = review(load_config(digest))
    assert [d.path.stem for d in found] == ["copy"]
    assert "probably the same text as content/articles/first.md" in found[0].reasons[0].text


def test_review_command_prints_text_and_json(digest):
    write(digest, "undated", date=None)
    done = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(digest), "review", "--json"],
                          capture_output=True, text=True, check=True)
    [item] = json.loads(done.stdout)
    assert item["file"] == "content/articles/undated.md"
    assert item["capture"] == "captures/undated.txt"
    assert item["reasons"] == [{"field": "date", "reason": "no publication date", "doubt": 1.0}]
    text = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(digest), "review"],
                          capture_output=True, text=True, check=True).stdout
    assert text.splitlines()[:2] == ["content/articles/undated.md", "  - no publication date"]


def test_ingest_records_confidence_without_it_counting_as_an_edit(digest):
    (digest / "captures").mkdir()
    (digest / "captures" / "a.txt").write_text(CAPTURE, encoding="utf-8")
    cfg = load_config(digest)
    [result] = ingest(cfg, [digest / "captures"], progress=False)
    text = result.article.read_text(encoding="utf-8")  # type: ignore[union-attr]
    text = re.sub(r"confidence:\n(  .*\n)*", "", text)  # (the cleaner's own, when it gave one)
    text = text.replace("provenance:", "confidence:\n  title: 0.9\n  date: 0.3\nprovenance:")
    result.article.write_text(text, encoding="utf-8")  # type: ignore[union-attr]
    article = read_article(result.article, cfg.tz)  # type: ignore[arg-type]
    assert article.confidence == {"title": 0.9, "date": 0.3}
    [again] = ingest(cfg, [digest / "captures"], progress=False, force=False)
    assert again.status == "unchanged"
    (digest / "captures" / "a.txt").write_text(CAPTURE + "\nOne more paragraph.\n", encoding="utf-8")
    [updated] = ingest(cfg, [digest / "captures"], progress=False)
    assert updated.status == "updated"  # not "kept": the confidence is not a person's edit


def test_a_reviewed_article_is_never_overwritten_and_keeps_its_mark_under_force(digest):
    (digest / "captures").mkdir()
    (digest / "captures" / "a.txt").write_text(CAPTURE, encoding="utf-8")
    cfg = load_config(digest)
    [result] = ingest(cfg, [digest / "captures"], progress=False)
    path = result.article
    assert path is not None
    path.write_text(path.read_text(encoding="utf-8").replace("---\n\n", "reviewed: true\n---\n\n", 1),
                    encoding="utf-8")
    (digest / "captures" / "a.txt").write_text(CAPTURE + "\nOne more paragraph.\n", encoding="utf-8")
    [kept] = ingest(cfg, [digest / "captures"], progress=False)
    assert kept.status == "kept"
    [forced] = ingest(cfg, [digest / "captures"], progress=False, force=True)
    assert forced.status == "updated"
    assert read_article(path, cfg.tz).reviewed
    (digest / "captures" / "a.txt").write_text(CAPTURE + "\nAnd another.\n", encoding="utf-8")
    [still] = ingest(cfg, [digest / "captures"], progress=False)
    assert still.status == "kept"  # reviewed stays reviewed after --force


def test_ingest_writes_the_cleaners_confidence_into_front_matter(digest):
    from generator.clean import Cleaned
    from generator.clean.confidence import Confidence
    from generator.ingest import make_article

    capture = digest / "a.txt"
    capture.write_text(CAPTURE, encoding="utf-8")
    cleaned = Cleaned(title="Kozlov visits Pyongyang", body=BODY, confidence=Confidence(0.9, 0.25, 0.5, 0.0))
    article = make_article(cleaned, capture, capture.read_bytes(), load_config(digest))
    assert "confidence:\n  title: 0.9\n  date: 0.25\n  authors: 0.5\n  source: 0.0\n" in write_text(article)
    assert [r.field for r in field_reasons(article)] == ["date", "source"]
    unsure = Cleaned(title="Kozlov visits Pyongyang", body=BODY)  # a cleaner that gives no confidence
    assert "confidence" not in write_text(make_article(unsure, capture, capture.read_bytes(), load_config(digest)))
