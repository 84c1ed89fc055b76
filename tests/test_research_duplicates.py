"""Syndicated duplicates: wire copy with light edits and double captures are found; same-event reports
written independently are not."""

from __future__ import annotations

import pytest

from generator.content import Article
from generator.research.duplicates import find_duplicates, hidden_ids, overlap, shingles
from tests.fixtures.research.seeds import gold_articles

WIRE = "\n\n".join([
    'A Russian delegation led by Natural Resources Minister Alexander Kozlov is visiting Pyongyang, North'
    " Korea's state media said Wednesday, with the two countries' growing cooperation triggering concern "
    'in Washington and Seoul.',
    'The visit comes less than a week after U.S. Secretary of State Antony Blinken warned that ties '
    'between Pyongyang and Moscow were "growing and dangerous," urging the North\'s ally China to restrain'
    ' the nuclear-armed country.',
    'The delegation arrived in Pyongyang on Tuesday, the state official Korean Central News Agency '
    'reported, to discuss "cooperation in trade, economy, science and technology."',
    'Historic allies Russia and North Korea are both under international sanctions, the former for its '
    'invasion of Ukraine and the latter for its nuclear weapons and missile programs.',
    'South Korea accuses Pyongyang of having provided over 1 million artillery rounds to Moscow for use '
    'in its war with Ukraine. Seoul says the North appears to have received advice on military satellite '
    'technology in return.',
])


def lightly_edited(text: str) -> str:
    """What a second outlet does to wire copy: a changed word or two, a cut last paragraph, a new lead."""
    edited = text.replace("said Wednesday", "reported on Wednesday").replace("Historic allies", "Longtime allies")
    paragraphs = edited.split("\n\n")[:-1]
    return "\n\n".join(["(AFP) — Published by arrangement with the agency, edited for length and style.",
                        *paragraphs])


def test_light_edits_are_detected_and_the_earliest_is_canonical() -> None:
    articles = [Article(id="late", title="Copy", body=lightly_edited(WIRE), date="2023-11-16", source="Outlet B"),
                Article(id="early", title="Wire", body=WIRE, date="2023-11-15", source="Outlet A"),
                Article(id="undated", title="Captured twice", body=WIRE)]
    groups = find_duplicates(articles)
    assert len(groups) == 1
    assert groups[0].canonical.id == "early"
    assert [a.id for a in groups[0].others] == ["late", "undated"]
    assert groups[0].outlets == ("Outlet B", "Captured twice")
    assert all(0.7 <= value <= 1.0 for value in groups[0].overlap)
    assert hidden_ids(groups) == frozenset({"late", "undated"})


def test_independent_reports_of_one_event_are_not_duplicates() -> None:
    # 000 and 003 report the same visit, 001 and 002 the next one: same facts, own words.
    gold = list(gold_articles().values())
    assert find_duplicates(gold) == ()
    jaccard, contained = overlap(shingles(gold[0].body), shingles(gold[3].body))
    assert jaccard < 0.1 and contained < 0.2


def test_a_copy_among_the_seeds_is_found() -> None:
    gold = gold_articles()
    seed = gold["003_0ab30a3697094bbd"]
    copy = Article(id="copy", title="Syndicated", body=lightly_edited(seed.body), source="Another outlet")
    groups = find_duplicates([*gold.values(), copy])
    assert [(g.canonical.id, [a.id for a in g.others]) for g in groups] == [(seed.id, ["copy"])]


def test_short_texts_are_never_called_duplicates() -> None:
    articles = [Article(id="a", title="a", body="Kozlov arrived in Pyongyang."),
                Article(id="b", title="b", body="Kozlov arrived in Pyongyang.")]
    assert find_duplicates(articles) == ()


def test_per_article_research_values_made_on_every_core_equal_those_made_in_one_process(monkeypatch) -> None:
    """Names, words, dates and MinHash signatures of many articles are made in forked workers; the
    values are the ones one process makes, in the articles' order."""
    from zoneinfo import ZoneInfo

    from generator import parallel
    from generator.research.corpus import MIN_PARALLEL_ARTICLES, features
    from generator.research.duplicates import fingerprints
    from tests.fixtures.research.synthetic import corpus

    articles = corpus(3, 40)[0]
    if parallel.worker_count(len(articles), MIN_PARALLEL_ARTICLES) == 1:
        pytest.skip("one core: nothing is forked")
    forked = features(articles, ZoneInfo("UTC")).texts, fingerprints(articles)
    monkeypatch.setenv("DIGEST_JOBS", "1")
    alone = features(articles, ZoneInfo("UTC")).texts, fingerprints(articles)
    assert forked[0] == alone[0]
    assert [(f.shingles, f.hashvalues.tolist()) for f in forked[1]] == [(f.shingles, f.hashvalues.tolist())
                                                                        for f in alone[1]]
