import dataclasses
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.content import (
    Article,
    Provenance,
    is_edited,
    parse_article,
    read_article,
    with_fingerprint,
    write_text,
)
from generator.errors import FrontMatterError

TZ = ZoneInfo("Europe/Kyiv")


def sample() -> Article:
    return with_fingerprint(Article(
        id="0123456789abcdef", title="Title: with colon", body="First.\n\n## Head\n\nSecond.",
        date="2023-11-17T01:27:00+02:00", authors=("Lance Luo",), topics=("Russia",),
        provenance=Provenance(capture="captures/a.txt", sha256="ab", cleaner="1")))


def test_round_trip(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(write_text(sample()), encoding="utf-8")
    assert read_article(path, TZ) == sample()
    assert not is_edited(read_article(path, TZ))


def test_editing_any_field_or_the_body_is_detected(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(write_text(sample()).replace("Title: with colon", "Better title"), encoding="utf-8")
    assert is_edited(read_article(path, TZ))
    edited_body = dataclasses.replace(sample(), body="Changed.")
    assert is_edited(edited_body)


def test_naive_date_takes_the_site_zone_and_a_day_stays_a_day():
    text = "---\nid: x\ntitle: T\ndate: 2023-11-17 01:27\nupdated: 2023-11-18\n---\nBody"
    article = parse_article(text, Path("a.md"), TZ)
    assert article.date == "2023-11-17T01:27:00+02:00"
    assert article.updated == "2023-11-18"


@pytest.mark.parametrize("text, line, problem", [
    ("id: x\ntitle: T\n", 1, "front matter missing"),
    ("---\nid: x\ntitle: T\n", 1, "not closed"),
    ("---\nid: x\ntitle: [oops\n---\n", 3, "invalid YAML"),
    ("---\nid: x\ntitle: T\ntitel: U\n---\n", 4, "titel: unknown front-matter key"),
    ("---\nid: x\ntitle: T\ndate: last tuesday\n---\n", 4, "date:"),
    ("---\nid: x\ntitle: T\nauthors: {a: 1}\n---\n", 4, "authors: expected a list"),
    ("---\nid: x\n---\n", 1, "title: required"),
    ("---\ntitle: T\ndraft: maybe\n---\n", 3, "draft: expected true or false"),
])
def test_bad_front_matter_names_file_and_line(text, line, problem):
    with pytest.raises(FrontMatterError) as err:
        parse_article(text, Path("content/a.md"), TZ)
    assert str(err.value).startswith(f"content/a.md:{line}: ")
    assert problem in str(err.value)


def test_extra_keys_live_under_extra():
    article = parse_article("---\nid: x\ntitle: T\nextra: {rating: 3}\n---\nB", Path("a.md"), TZ)
    assert article.extra == {"rating": 3}


def test_an_article_without_id_gets_a_stable_one_from_its_url_or_file_name():
    by_url = parse_article("---\ntitle: T\nurl: https://www.x.org/a/?utm_source=f\n---\nB", Path("one.md"), TZ)
    same_url = parse_article("---\ntitle: U\nurl: http://x.org/a\n---\nC", Path("two.md"), TZ)
    assert by_url.id == same_url.id
    by_name = parse_article("---\ntitle: T\n---\nB", Path("2023-01-01-x.md"), TZ)
    assert by_name.id == parse_article("---\ntitle: Fixed\n---\nD", Path("2023-01-01-x.md"), TZ).id
    assert len(by_name.id) == 16 and by_name.id != by_url.id
