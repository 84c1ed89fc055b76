"""Line roles learned from labelled pages: which line of a text capture is the article's body, its
headline, byline or dateline, and which is furniture.

The model is two small neural networks (one hidden layer) trained with scikit-learn's MLPClassifier by
``generator/clean/train.py``; only their weights ship, as JSON (``roles.json``), so running it needs
numpy alone and the file reads the same under any library version. Stage one reads each line with its
neighbours (two on either side): shape (size, sentence end, capitals, digits, bullets), words (stop-word
share in the page's own language, the appeal and furniture vocabularies of ``furniture``), position,
repetition, and what the hand-written layout (``text.layout``) made of it. Stage two reads stage one's
answers for the seven lines around each line, so a role is judged in its context (a sequence model of
the cheap kind: stacked windows).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from generator.clean import furniture
from generator.clean.caption import is_caption_line
from generator.clean.lines import DIGIT, Line, is_terminal
from generator.clean.meta import EMAIL, find_url
from generator.clean.text import BULLET, HEADING_MD, URL_LABEL, Layout

ROLES = ("other", "body", "headline", "byline", "dateline")
KINDS = ("good", "near", "short", "bad", "end")
SPAN = 30         # lines read above the header and below the body
WINDOW = 2        # stage one: neighbours read on either side
CONTEXT = 3       # stage two: neighbours' answers read on either side
URLISH = re.compile(r"https?://|www\.|\.(?:com|org|net)\b", re.I)
SEPARATORS = re.compile(r"\s[|»›>/·•]\s")
MODEL_FILE = "roles.json"
# Thresholds chosen on the cross-validated training pages AND the dev pages: dropping lines the model
# doubts helps on the training corpus (body F1 0.825 -> 0.837 at 0.2) but costs on dev (0.945 -> 0.939),
# whose pages define body as the benchmark does; adding lines it is sure of helps on both. So it only adds.
DROP = 0.0        # a line of the layout's body the model gives less than this is dropped
ADD = 0.6         # a line outside it the model gives at least this is added

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Net:
    """One hidden layer (ReLU), softmax out; inputs standardised with the training mean and scale."""

    mean: Matrix
    scale: Matrix
    hidden_w: Matrix
    hidden_b: Matrix
    out_w: Matrix
    out_b: Matrix

    def predict(self, x: Matrix) -> Matrix:
        h = np.maximum(0.0, ((x - self.mean) / self.scale) @ self.hidden_w + self.hidden_b)
        z = h @ self.out_w + self.out_b
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name).tolist() for name in
                ("mean", "scale", "hidden_w", "hidden_b", "out_w", "out_b")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Net:
        return cls(**{name: np.asarray(value, dtype=np.float64) for name, value in data.items()})


@dataclass(frozen=True)
class Model:
    first: Net
    second: Net
    version: str
    trained_on: tuple[str, ...]

    def roles(self, lines: Sequence[Line], lay: Layout) -> Matrix:
        """Per line, the probability of each role in ``ROLES`` order. Only the lines within ``SPAN`` of the
        layout's header and body are read (the rest is taken as furniture): that is where a correction
        can happen, and it keeps the cost per capture small."""
        lo, hi = 0, len(lines)
        if lay.body:
            top = min(lay.body[0], *lay.header) if lay.header else lay.body[0]
            lo, hi = max(0, top - SPAN), min(len(lines), lay.body[-1] + SPAN + 1)
        x = line_features(lines, lay, lo, hi)
        out = np.zeros((len(lines), len(ROLES)), dtype=np.float64)
        out[:, ROLES.index("other")] = 1.0
        out[lo:hi] = self.second.predict(context_features(self.first.predict(window(x)), x))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "trained_on": list(self.trained_on), "roles": list(ROLES),
                "first": self.first.as_dict(), "second": self.second.as_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        if tuple(data.get("roles", ())) != ROLES:
            raise ValueError("the line-role model was trained for other roles")
        return cls(Net.from_dict(data["first"]), Net.from_dict(data["second"]), data["version"],
                   tuple(data["trained_on"]))


@cache
def shipped() -> Model | None:
    """The model that ships in the package (None when it is missing: the hand-written layout then runs alone)."""
    source = resources.files("generator.clean").joinpath(MODEL_FILE)
    if not source.is_file():
        return None
    return Model.from_dict(json.loads(source.read_text(encoding="utf-8")))


def line_features(lines: Sequence[Line], lay: Layout, lo: int = 0, hi: int | None = None) -> Matrix:
    """One row per line (of ``lines[lo:hi]``): what the line itself shows, and where the hand-written
    layout put it."""
    count = len(lines)
    hi = count if hi is None else hi
    body = set(lay.body)
    header = set(lay.header)
    caption = set(lay.caption.used) if lay.caption else set()
    first_body = lay.body[0] if lay.body else count
    last_body = lay.body[-1] if lay.body else 0
    repeats = Counter(line.text.casefold() for line in lines)
    rows = np.zeros((hi - lo, N_LINE), dtype=np.float64)
    for n in range(lo, hi):
        line = lines[n]
        rows[n - lo] = [
            *own_features(line, repeats[line.text.casefold()]),
            n / max(1, count - 1),
            n in body, n in header, n == lay.title, n in caption,
            squash(n - first_body), squash(n - last_body),
            first_body <= n <= last_body,
        ]
    return rows


def own_features(line: Line, repeats: int) -> list[float]:
    text = line.text
    letters = sum(map(str.isalpha, text))
    capitals = sum(map(str.isupper, text)) / letters if letters else 0.0
    words = text.split()
    capital_words = sum(1 for w in words if w[:1].isupper()) / len(words) if words else 0.0
    return [
        math.log1p(line.words), math.log1p(len(text)), line.stop, float(line.gap),
        *(float(line.kind == kind) for kind in KINDS),
        float(line.dated), float(line.byline), float(line.asks), float(is_terminal(text)),
        float(bool(BULLET.match(text) or HEADING_MD.match(text))), float(text.endswith(":")),
        float(text[:1].islower()), len(DIGIT.findall(text)) / len(text), capitals, capital_words,
        float(repeats > 1), math.log1p(repeats), float(line.words <= 60 and is_caption_line(text)),
        float(bool(URLISH.search(text) or EMAIL.search(text))), float(len(SEPARATORS.findall(text))),
        float(furniture.is_inline(text)), float(furniture.is_teaser(text)), float("©" in text),
        float(text.endswith(("...", "…"))),
    ]


N_OWN = 28
N_LINE = N_OWN + 8


def squash(distance: int) -> float:
    """A signed distance in lines, squashed to -1..1 (near lines differ, far ones alike)."""
    return math.copysign(math.log1p(abs(distance)) / 6.0, distance)


def window(x: Matrix) -> Matrix:
    """Each line's row beside its neighbours' (zeros past the ends, and a flag for them)."""
    return np.hstack([shifted(x, k) for k in range(-WINDOW, WINDOW + 1)])


def shifted(x: Matrix, k: int) -> Matrix:
    """Row n of the result is row n+k of ``x`` with one more column saying whether it exists."""
    count = x.shape[0]
    out = np.zeros((count, x.shape[1] + 1), dtype=np.float64)
    lo, hi = max(0, -k), min(count, count - k)
    if hi > lo:
        out[lo:hi, :-1] = x[lo + k:hi + k]
        out[lo:hi, -1] = 1.0
    return out


def context_features(first: Matrix, x: Matrix) -> Matrix:
    """Stage two's input: stage one's answers around each line, the share of body before and after it,
    and the line's own row."""
    body = first[:, ROLES.index("body")]
    before = np.concatenate([[0.0], np.cumsum(body)[:-1]])
    after = body.sum() - before - body
    total = max(1.0, float(body.sum()))
    return np.hstack([*(shifted(first, k) for k in range(-CONTEXT, CONTEXT + 1)),
                      (before / total)[:, None], (after / total)[:, None], x])


def corrected(lay: Layout, probs: Matrix, drop: float = DROP, add: float = ADD) -> Layout:
    """The hand-written layout's body, less the lines the model is sure are not body (furniture it let
    through) and with the lines the model is sure are body inside or next to it (paragraphs it missed).
    The header it found (headline, byline, dateline, lead caption) stays metadata. An article is never
    lost to the model: where it would drop every line, the layout stands."""
    if not lay.body:
        return lay
    body_p = probs[:, ROLES.index("body")]
    header = set(lay.header) | ({lay.title} if lay.title is not None else set()) | (
        set(lay.caption.used) if lay.caption else set())
    start, end = lay.body[0], lay.body[-1]
    while start - 1 >= 0 and start - 1 not in header and body_p[start - 1] >= add and addable(lay.lines[start - 1]):
        start -= 1
    while end + 1 < len(lay.lines) and body_p[end + 1] >= add and addable(lay.lines[end + 1]):
        end += 1
    old = set(lay.body)
    body = tuple(n for n in range(start, end + 1) if n not in header and (
        body_p[n] >= drop if n in old else body_p[n] >= add and addable(lay.lines[n])))
    return replace(lay, body=body) if body else lay


def addable(line: Line) -> bool:
    """Not a dateline, byline, photo caption, or a line the layout read as furniture (an after-article
    label, a teaser, a repeated line): those the model may not add."""
    if line.kind in ("bad", "end") or URL_LABEL.match(line.text) or find_url(line.text):
        return False
    return not ((line.words <= 30 and (line.dated or line.byline)) or (line.words <= 60 and is_caption_line(line.text)))
