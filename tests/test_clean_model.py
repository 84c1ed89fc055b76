"""The learned line-role model: the shipped model loads and cleans the repository's sample captures into
the articles in ``content/``; the training code trains on a small labelled corpus built here; the model
corrects the hand-written layout but never loses an article; every cleaned article carries a confidence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from generator.clean import clean_capture, roles
from generator.clean import train as training
from generator.clean.confidence import FIELDS
from generator.clean.text import layout
from generator.content import read_article

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("UTC")
MENU = ["Home", "News", "Sport", "Opinion", "Culture", "Subscribe", "Sign in"]
FOOTER = ["Most read", "Markets slide as oil prices climb", "Local team wins the cup", "About us", "Contact",
          "Privacy policy", "© 2024 Example Media. All rights reserved."]
STORIES = [
    ("Bridge reopens after two years of repairs", "By Maria Lopez", "March 3, 2024",
     ["The old river bridge reopened to traffic on Monday after two years of repairs that cost the city more "
      "than forty million euros.", "Engineers replaced the steel cables and the deck, and widened the footpaths "
      "so that cyclists and walkers no longer share a narrow lane.", "Shop owners on both banks said the closure "
      "had cut their trade by a third and that they hoped customers would now come back."]),
    ("Library extends its opening hours", "By Tom Becker", "April 9, 2024",
     ["The central library will stay open until ten in the evening from next month, the council said on "
      "Tuesday.", "Students had asked for longer hours for years, and a survey last autumn found that most "
      "visitors would use the reading rooms after work.", "The extra hours are paid for by a grant from the "
      "regional government and will be reviewed at the end of the year."]),
    ("Farmers warn of a poor harvest after the dry spring", "By Ana Costa", "May 21, 2024",
     ["Farmers in the south of the region expect the wheat harvest to be a fifth smaller than last year after "
      "the driest spring on record.", "Many have already started to irrigate fields that normally need no water "
      "until July, and some fear the reservoirs will not last the summer.", "The farmers' union has asked the "
      "government for emergency help and for a plan to share water between towns and farms."]),
    ("New tram line carries its first passengers", "By Lena Fischer", "June 2, 2024",
     ["The first trams on the new eastern line carried passengers on Saturday, three months later than "
      "planned.", "The line links the main station with the university and the hospital, and the city "
      "expects twenty thousand trips a day once the summer holidays are over.", "Residents along the route "
      "complained about noise during the works but most said the trams were worth the wait."]),
]


def write_corpus(folder: Path) -> None:
    """A labelled corpus in extraction-train's layout: captures, ground truth, metadata."""
    truth, meta = {}, {}
    for n, (title, byline, date, paragraphs) in enumerate(STORIES * 2):
        page_id = f"page-{n}"
        text = "\n".join(MENU) + f"\n\n{title}\n{byline}\n{date}\n\n" + "\n\n".join(paragraphs) + "\n\n" + "\n".join(
            FOOTER) + "\n"
        (folder / f"{page_id}.txt").write_text(text, encoding="utf-8")
        dataset = "dragnet" if n % 2 else "readability"
        truth[page_id] = {"articleBody": "\n".join(paragraphs), "url": f"https://site{n}.example/a", "dataset": dataset}
        meta[page_id] = {"title": title, "authors": [byline.removeprefix("By ")]}
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")


def test_shipped_model_loads_small_and_from_shippable_data_only() -> None:
    model_file = ROOT / "generator" / "clean" / roles.MODEL_FILE
    assert model_file.stat().st_size < 5_000_000
    model = roles.shipped()
    assert model is not None
    assert set(model.trained_on) <= set(training.SHIPPABLE)
    assert "l3s-gn1" not in model.trained_on


@pytest.mark.parametrize("capture", sorted((ROOT / "captures").glob("*.txt")), ids=lambda p: p.name[:3])
def test_shipped_model_cleans_the_sample_captures_into_their_articles(capture: Path) -> None:
    articles = {read_article(p, TZ).provenance.capture: read_article(p, TZ)
                for p in (ROOT / "content" / "articles").rglob("*.md")}
    want = articles[f"captures/{capture.name}"]
    got = clean_capture(capture.read_bytes(), capture, TZ)
    assert (got.title, got.date, got.authors, got.source) == (want.title, want.date, want.authors, want.source)
    assert got.body.strip() == want.body.strip()


def test_training_learns_roles_from_a_small_corpus(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    pages = training.load_pages(tmp_path)
    prepared = training.prepare(pages)
    labels = [roles.ROLES[k] for k in prepared[0].y]
    assert labels.count("body") == 3 and labels.count("headline") == 1
    assert labels[labels.index("headline") + 1] == "byline" and labels[labels.index("headline") + 2] == "dateline"
    out = tmp_path / "model.json"
    assert training.main([str(tmp_path), "--out", str(out), "--folds", "2"]) == 0
    model = roles.Model.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert model.trained_on == ("dragnet", "readability")
    lay = prepared[1].lay
    probs = model.roles(lay.lines, lay)
    assert probs.shape == (len(lay.lines), len(roles.ROLES))
    assert np.allclose(probs.sum(axis=1), 1.0)
    # What it learned: the paragraphs are body, the menu is not.
    body = probs[:, roles.ROLES.index("body")]
    assert all(body[n] > 0.5 for n in lay.body) and body[0] < 0.5


def test_training_says_when_the_corpus_is_absent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert training.main([str(tmp_path / "missing")]) == 2
    assert "absent" in capsys.readouterr().err


def test_the_model_never_loses_the_article() -> None:
    text = "\n".join(MENU) + "\n\n" + "\n\n".join(STORIES[0][3]) + "\n"
    lay = layout(text)
    nothing = np.zeros((len(lay.lines), len(roles.ROLES)))
    assert roles.corrected(lay, nothing).body == lay.body
    sure = np.zeros_like(nothing)
    sure[:, roles.ROLES.index("body")] = 1.0
    # Sure of every line, it still adds no byline, dateline or caption, and nothing above the header.
    assert set(roles.corrected(lay, sure).body) >= set(lay.body)


def test_clean_json_prints_a_confidence_per_field(tmp_path: Path) -> None:
    dated, undated = tmp_path / "a.txt", tmp_path / "b.txt"
    title, byline, date, paragraphs = STORIES[1]
    dated.write_text(f"{title}\n{byline}\n{date}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    undated.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(tmp_path), "clean", str(dated),
                           str(undated), "--json"], capture_output=True, text=True, check=True)
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert set(first["confidence"]) == set(FIELDS)
    assert all(0.0 <= v <= 1.0 for v in first["confidence"].values())
    assert first["confidence"]["date"] >= 0.8 and first["confidence"]["authors"] >= 0.8
    assert second["date"] is None and second["confidence"]["date"] == 0.0
    assert second["authors"] == [] and second["confidence"]["authors"] == 0.0
