"""An article gets a topic when the topic is what it is about: in the headline or lede, or repeated in the
body; not for one mention in passing. `digest topics --suggest` proposes names, never pieces of topics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.config import TopicConfig
from generator.content import Article
from generator.topics import assign_topics, match_topics, split_lede
from tests.fixtures.research.seeds import write_digest

TOPICS = (TopicConfig("Sanctions", ("embargo",)), TopicConfig("Military", ("missile", "troops")),
          TopicConfig("Trade", ("exports",)))
FILLER = " ".join(["The delegation discussed fisheries, railways and a new bridge over the river."] * 3)


def names(title: str, body: str) -> tuple[str, ...]:
    return assign_topics(title, body, TOPICS)


def test_a_topic_in_the_headline_or_the_lede_is_assigned() -> None:
    assert names("Sanctions bite", FILLER) == ("Sanctions",)
    assert names("Talks end", f"A new missile test overshadowed the talks.\n\n{FILLER}") == ("Military",)


def test_one_mention_in_the_body_is_not_enough_but_repeated_mentions_are() -> None:
    once = f"Talks ended on Friday.\n\n{FILLER} Exports were mentioned once.\n\n{FILLER}"
    assert names("Talks end", once) == ()
    assert match_topics(f"Talks end\n{once}", TOPICS) == ("Trade",)  # the old rule: any mention
    thrice = f"Talks ended.\n\n{FILLER} Exports rose.\n\nExports of grain too.\n\nMore exports next year."
    assert names("Talks end", thrice) == ("Trade",)


def test_a_long_body_needs_more_mentions_than_a_short_one() -> None:
    long_body = "Talks ended.\n\n" + "\n\n".join([FILLER] * 12) + "\n\nExports. Exports. Exports."  # 435 words
    assert names("Talks end", long_body) == ()  # 3 mentions in 435 words: in passing
    assert names("Talks end", long_body + " Exports. Exports.") == ("Trade",)  # once every 100 words


def test_the_lede_is_the_first_paragraph_of_text_and_only_its_start() -> None:
    assert split_lede("## Heading\n\nFirst paragraph.\n\nSecond.") == ("First paragraph.", "## Heading\n\nSecond.")
    far = "Talks ended. " + "word " * 70 + "An embargo was mentioned at the very end."
    assert names("Talks end", far) == ()


def test_ingest_assigns_topics_by_the_new_rule(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(
        "title: T\ntopics:\n  - name: Trade\n    terms: [exports]\n  - name: Sanctions\n", encoding="utf-8")
    capture = tmp_path / "captures" / "one.txt"
    capture.parent.mkdir()
    capture.write_text("Exports rise again\n\nPublished 2024-03-01\n\nExports of grain rose sharply this spring, "
                       "officials said on Friday in the capital.\n\n" + FILLER + "\n\nSanctions were "
                       "mentioned once, in passing, near the end of a long report.\n", encoding="utf-8")
    assert main(["-C", str(tmp_path), "ingest"]) == 0
    written = next((tmp_path / "content").rglob("*.md")).read_text(encoding="utf-8")
    assert "- Trade" in written and "Sanctions\n" not in written.split("---")[1]


def test_suggest_never_proposes_a_piece_of_a_topic_or_the_same_place_twice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = "title: T\ntopics:\n  - name: Supply Chains\n  - name: Public Health\n"
    bodies = ["Supply Chains outlook: Health ministers from the Arctic met. The Arctic council said Arctic ice "
              "was thinning, and Chains of Supply Chains were tested.",
              "Public Health outlook: experts in the Arctic warned. Arctic shipping grew; Health officials agreed."]
    write_digest(tmp_path, {f"a{i}": Article(id=f"{i:016x}", title=f"Report {i}", body=body, source="Wire")
                            for i, body in enumerate(bodies)}, site)
    assert main(["-C", str(tmp_path), "topics", "--suggest", "--json"]) == 0
    suggested = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in suggested] == ["Arctic"]
    assert suggested[0]["articles"] == 2 and suggested[0]["terms"] == []
