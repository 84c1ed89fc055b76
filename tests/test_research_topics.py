"""Topic suggestions and listings, through the real CLI on a real digest folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.config import load_config
from generator.content import Article
from tests.fixtures.research.seeds import write_digest

SITE = """title: Topics test
topics:
  - name: North Korea
    terms: [Pyongyang]
  - name: Russia
    terms: [Kozlov]
"""
BODIES = [
    "Alexander Matsegora, the Russian ambassador, met Alexander Kozlov in Pyongyang. Matsegora said the "
    "Korean Central News Agency would publish the agreements signed in Seoul and Pyongyang on Tuesday.",
    "Ambassador Alexander Matsegora greeted the delegation at the airport in Pyongyang, according to the "
    "Korean Central News Agency, while officials in Seoul watched the visit closely.",
    "Officials in Seoul said Alexander Matsegora had hosted a reception in Pyongyang, as reported by "
    "Harbor Post correspondents.",
]


def make(tmp_path: Path) -> None:
    articles = {f"a{i}": Article(id=f"{i:016x}", title=f"Article {i}", body=body, source="Harbor Post",
                                 topics=("North Korea", "Kim studies") if i == 0 else ("North Korea",))
                for i, body in enumerate(BODIES)}
    write_digest(tmp_path, articles, SITE)


def test_suggest_prints_yaml_that_site_yaml_accepts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make(tmp_path)
    assert main(["-C", str(tmp_path), "topics", "--suggest"]) == 0
    printed = capsys.readouterr().out
    suggested = yaml.safe_load(printed)["topics"]
    names = [t["name"] for t in suggested]
    assert names[:1] == ["Alexander Matsegora"]  # most articles first
    assert {"Seoul", "Korean Central News Agency"} <= set(names)
    assert {"Pyongyang", "Alexander Kozlov", "Harbor Post"}.isdisjoint(names)  # covered, covered, outlet
    assert suggested[0]["terms"] == ["Matsegora"]
    assert "# person, in 3 articles" in printed
    # Pasted under the existing topics, the config loads and covers the names.
    pasted = SITE + "\n".join(printed.split("\n")[1:])
    (tmp_path / "site.yaml").write_text(pasted, encoding="utf-8")
    assert [t.name for t in load_config(tmp_path).topics][2:] == names
    assert main(["-C", str(tmp_path), "topics", "--suggest", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_listing_counts_declared_and_undeclared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make(tmp_path)
    assert main(["-C", str(tmp_path), "topics", "--json"]) == 0
    counts = {c["name"]: (c["articles"], c["declared"]) for c in json.loads(capsys.readouterr().out)}
    assert counts == {"North Korea": (3, True), "Russia": (0, True), "Kim studies": (1, False)}
    assert main(["-C", str(tmp_path), "topics"]) == 0
    out = capsys.readouterr().out
    assert "Kim studies" in out and "(not declared in site.yaml)" in out
    assert "2 declared, 1 undeclared, 3 articles" in out


def test_bad_site_yaml_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make(tmp_path)
    (tmp_path / "site.yaml").write_text("title: x\ntopicz: []\n", encoding="utf-8")
    assert main(["-C", str(tmp_path), "topics", "--suggest"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "site.yaml" in err and "topicz" in err
