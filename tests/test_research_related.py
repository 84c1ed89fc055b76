"""Related articles and the analyse() entry point the build calls."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from generator.content import Article
from generator.research import text
from generator.research.analysis import analyse
from generator.research.related import related_articles
from tests.fixtures.research.seeds import gold_articles
from tests.fixtures.research.synthetic import corpus


def test_same_story_comes_first_then_shared_names() -> None:
    gold = gold_articles()
    articles = list(gold.values())
    research = analyse(articles)
    first = research.related[gold["000_7002a95821888dd5"].id]
    assert first[0].article.id == gold["003_0ab30a3697094bbd"].id and first[0].same_story
    assert not any(r.same_story for r in first[1:])
    assert research.story(gold["004_d33f20d1c3ff0d86"].id) is None  # a story of one is no story to show
    assert research.story(gold["001_9e847efd11a92494"].id) is not None


def test_order_is_deterministic_and_limited() -> None:
    articles, _ = corpus(5)
    once = related_articles(articles, limit=3)
    again = related_articles(list(reversed(articles)), limit=3)
    assert all(len(found) <= 3 for found in once.values())
    assert {k: [r.article.id for r in v] for k, v in once.items()} == {
        k: [r.article.id for r in v] for k, v in again.items()}


def test_syndicated_copies_are_hidden_and_never_suggested() -> None:
    body = ("The railway bridge across the Tumen river reopened to freight trains on Monday after two years "
            "of repairs, officials said, and the first train carried fertiliser and grain to the port.")
    articles = [Article(id="wire", title="Bridge reopens", body=body, date="2024-05-01", topics=("Trade",)),
                Article(id="copy", title="Bridge reopens (copy)", body=body, date="2024-05-02", topics=("Trade",)),
                Article(id="other", title="Port expands", body="The port of Rajin added two new cranes this "
                        "spring to handle coal and grain shipped by railway from the north.", topics=("Trade",))]
    research = analyse(articles)
    assert research.hidden == frozenset({"copy"})
    assert research.duplicate("copy") is research.duplicate("wire") is not None
    assert [r.article.id for r in research.related["other"]] == ["wire"]
    assert [r.article.id for r in research.related["wire"]] == ["other"]
    assert research.related["other"][0].shared_topics == ("Trade",)


def test_a_rebuild_reuses_per_article_work_from_the_build_cache(tmp_path, monkeypatch) -> None:
    from generator.cache import DerivedStore
    from generator.research import entities

    articles, _ = corpus(2)
    first_store = DerivedStore(tmp_path)
    first = analyse(articles, store=first_store)
    first_store.flush()
    first_store.close()
    # A fresh process: per-article work comes from the sqlite cache, so extraction must not run again...
    monkeypatch.setattr(entities, "extract", lambda text: (_ for _ in ()).throw(AssertionError("re-extracted")))
    store = DerivedStore(tmp_path)
    again = analyse(articles, store=store)
    assert [[a.id for a in s.articles] for s in again.stories] == [[a.id for a in s.articles] for s in first.stories]
    assert again.related == first.related
    # ...except for an article whose text changed.
    edited = [dataclasses.replace(articles[0], body=articles[0].body + " A new closing sentence."), *articles[1:]]
    with pytest.raises(AssertionError, match="re-extracted"):
        analyse(edited, store=store)
    store.close()


def test_cosines_split_into_common_and_rare_terms_equal_the_plain_sparse_product() -> None:
    """Common terms multiplied dense plus the rest sparse give every pair's cosine, on any block of rows
    and columns (all of them, a window, an unordered pick)."""
    rng = np.random.default_rng(18)
    vocabulary = [f"w{k}" for k in range(300)]
    weights = 1 / np.arange(1, 301)  # Zipf: a few terms in most documents, most terms in few
    documents = [list(rng.choice(vocabulary, size=int(rng.integers(0, 80)), p=weights / weights.sum()))
                 for _ in range(400)]
    matrix = text.tfidf(documents)
    split = text.Cosines(matrix, common_share=0.3, most_common=20)
    assert split.dense.shape[1] > 5 and split.sparse.shape[1] > 100  # both halves take part
    plain = np.clip((matrix @ matrix.T).toarray(), 0.0, 1.0)
    everyone = np.arange(400)
    for rows, cols in ((everyone[:50], everyone), (everyone[100:150], everyone[90:200]),
                       (rng.permutation(400)[:30], rng.permutation(400)[:70])):
        assert np.allclose(split.block(rows, cols), plain[np.ix_(rows, cols)], rtol=0, atol=1e-12)
