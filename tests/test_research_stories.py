"""Stories: the seed digest's three events, a synthetic corpus with known events, pins, and the CLI."""

from __future__ import annotations

import dataclasses
import json
import statistics
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.cli import main
from generator.content import Article
from generator.research.entities import extract
from generator.research.stories import find_stories
from generator.research.text import mentioned_dates
from tests.fixtures.research.seeds import gold_articles, gold_stories, write_digest
from tests.fixtures.research.synthetic import COUNTRIES, corpus, pairwise_scores


def _groups(stories: object, articles: list[Article]) -> list[list[int]]:
    index = {a.id: i for i, a in enumerate(articles)}
    return [[index[a.id] for a in s.articles] for s in stories]  # type: ignore[attr-defined]


def test_cli_json_gives_exactly_the_three_seed_stories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_digest(tmp_path, gold_articles())
    assert main(["-C", str(tmp_path), "stories", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    found = {frozenset(Path(p).stem for p in story["articles"]) for story in printed}
    assert found == gold_stories()
    assert all(p.startswith("content/articles/") and p.endswith(".md") for s in printed for p in s["articles"])
    assert all(isinstance(s["title"], str) and s["title"] for s in printed)


def test_undated_article_joins_only_the_story_it_clearly_fits() -> None:
    # The same minister's visits a year apart: an undated report that fits both equally stays alone
    # rather than guess; one whose text names the day joins the right visit.
    articles = [_report("a", "2023-11-15"), _report("b", "2023-11-16"), _report("c", "2024-11-15"),
                _report("d", "2024-11-16"), _report("e", None),
                _report("f", None, body=REPORT + " The visit began on November 14, 2024.")]
    # (The reports share their text on purpose; duplicates=() keeps them from counting as syndicated copies.)
    found = sorted(sorted(a.id for a in s.articles) for s in find_stories(articles, duplicates=()))
    assert found == [["a", "b"], ["c", "d", "f"], ["e"]]


def test_synthetic_corpus_pairwise_precision_and_recall() -> None:
    scores = []
    for seed in range(1, 9):
        articles, truth = corpus(seed)
        scores.append(pairwise_scores(_groups(find_stories(articles), articles), truth))
    precision = statistics.mean(p for p, _ in scores)
    recall = statistics.mean(r for _, r in scores)
    assert precision >= 0.9, scores
    assert recall >= 0.9, scores


def test_synthetic_corpus_is_hard_and_the_scorer_can_fail() -> None:
    articles, truth = corpus(3)
    everything = [list(range(len(articles)))]
    assert pairwise_scores(everything, truth)[0] < 0.2  # one big story is badly imprecise
    singles = [[i] for i in range(len(articles))]
    assert pairwise_scores(singles, truth)[1] == 0.0
    # Every event has a sibling with the same people in another month: names alone cannot separate them.
    events = {t for t in truth if t}
    assert {t[:-1] for t in events} and all(f"{t[:-1]}a" in events and f"{t[:-1]}b" in events for t in events)


REPORT = ("Russia's Natural Resources Minister Alexander Kozlov arrived in Pyongyang for talks with "
          "Yun Jong Ho on trade, fisheries and railway cooperation, state media said. The two sides "
          "signed four agreements at the Kumsusan Guesthouse, including one on fisheries.")


def _report(ident: str, date: str | None, body: str = REPORT, **fields: str) -> Article:
    return Article(id=ident, title=f"Report {ident}", body=body, date=date, **fields)  # type: ignore[arg-type]


def test_same_report_a_year_apart_is_two_stories_and_days_apart_one() -> None:
    stories = find_stories([_report("a", "2023-11-15"), _report("b", "2023-11-17"), _report("c", "2024-11-16")],
                           duplicates=())
    assert sorted(sorted(a.id for a in s.articles) for s in stories) == [["a", "b"], ["c"]]
    assert stories[0].start == "2023-11-15" and stories[0].end == "2023-11-17"
    assert stories[0].id == "a"  # the earliest member's id


def test_unrelated_articles_in_the_same_week_stay_apart() -> None:
    other = ("Heavy rain flooded the harbour district of Valparaiso, and the city council closed three "
             "schools while engineers inspected the sea wall and the old funicular railway.")
    stories = find_stories([_report("a", "2023-11-15"), _report("b", "2023-11-15", body=other)])
    assert len(stories) == 2


def test_pins_none_join_and_named() -> None:
    articles = [_report("a", "2023-11-15"), _report("b", "2023-11-16", story="none"),
                _report("c", "2024-05-01", story="a"),
                _report("d", "2022-01-01", story="Kozlov visits"), _report("e", "2025-01-01", story="Kozlov visits")]
    stories = {frozenset(a.id for a in s.articles): s for s in find_stories(articles, duplicates=())}
    assert set(stories) == {frozenset({"a", "c"}), frozenset({"b"}), frozenset({"d", "e"})}
    assert stories[frozenset({"d", "e"})].id == "kozlov-visits"
    assert stories[frozenset({"a", "c"})].pinned and stories[frozenset({"b"})].pinned  # "none" is a choice too


def test_entities_drop_titles_sentence_starts_and_adjectives() -> None:
    text = ("Russia's Minister of Natural Resources and Environment Alexander Kozlov met Kim Jong Un. "
            "Analysts said the Russian delegation visited Pyongyang and Moscow. Kozlov left on Monday. "
            "Impoverished Pyongyang would trade. Ambassador Alexander Matsegora came. Matsegora said so.")
    names = {e.name: e for e in extract(text)}
    assert {"Alexander Kozlov", "Kim Jong Un", "Pyongyang", "Moscow", "Russia"} <= set(names)
    assert not {"Analysts", "Russian", "Monday", "Natural Resources", "Impoverished Pyongyang"} & set(names)
    assert names["Alexander Matsegora"].short_forms == ("Matsegora",)
    assert names["Alexander Kozlov"].count == 2  # "Kozlov" folded into the full name
    assert names["Alexander Kozlov"].kind == "person"


def test_dates_named_in_text() -> None:
    found = mentioned_dates("It opened on November 14, 2023 and 14 November 2023; the talks of October 2023 "
                            "and a visit on March 3 were recalled. 2023-11-15 too.")
    assert {d.isoformat() for d in found.days} == {"2023-11-14", "2023-11-15"}
    assert found.likely_month() == (2023, 11)
    assert found.yearless == (3,)


def test_a_syndicated_copy_joins_its_original_story_without_splitting_it() -> None:
    gold = gold_articles()
    original = gold["003_0ab30a3697094bbd"]
    copy = dataclasses.replace(original, id="copy", title="Copy", source="Syndicator", date="2023-11-16",
                               body=original.body.replace("Wednesday", "on Wednesday"))
    stories = find_stories([*gold.values(), copy])
    found = {frozenset(a.id for a in s.articles): s for s in stories}
    kozlov_2023 = frozenset({gold["000_7002a95821888dd5"].id, original.id, "copy"})
    assert kozlov_2023 in found
    assert found[kozlov_2023].title != "Copy"


def test_cli_listing_and_bad_front_matter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_digest(tmp_path, gold_articles())
    assert main(["-C", str(tmp_path), "stories"]) == 0
    out = capsys.readouterr().out
    assert "content/articles/000_7002a95821888dd5.md" in out and "The Kyiv Independent" in out
    assert "3 stories from 5 articles (1 of a single article not shown" in out
    broken = tmp_path / "content" / "articles" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    assert main(["-C", str(tmp_path), "stories", "--json"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "broken.md" in err


def test_date_window_blocking_finds_the_components_and_stories_of_all_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dated articles are compared only within the days that can link them, a block of rows at a time;
    that finds exactly the groups comparing every pair finds (here in blocks of 16 rows against one block
    of everything)."""
    from scipy.sparse.csgraph import connected_components

    from generator.research import stories
    from generator.research.corpus import features

    articles, _truth = corpus(11, 25, tuple(COUNTRIES))
    feats, options = features(articles, ZoneInfo("UTC")), stories.StoryOptions()
    everyone = list(range(len(articles)))
    linked = stories.similarity(feats, options, everyone, everyone) >= options.threshold
    _count, labels = connected_components(linked, directed=False)
    all_pairs = sorted(sorted(k for k in everyone if labels[k] == label) for label in set(labels))
    monkeypatch.setattr(stories, "CHUNK", 16)
    assert sorted(sorted(c) for c in stories._components(everyone, feats, options)) == all_pairs
    windowed = [[a.id for a in s.articles] for s in stories.find_stories(articles)]
    monkeypatch.setattr(stories, "CHUNK", 10**6)
    assert windowed == [[a.id for a in s.articles] for s in stories.find_stories(articles)]
