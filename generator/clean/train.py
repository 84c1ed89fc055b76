"""Train the line-role model (``roles.py``) from labelled pages and measure it, cross-validated by site.

``python -m generator.clean.train CORPUS`` (``make train-cleaner``) reads a folder laid out like
``../shared/corpus/extraction-train``: ``<id>.txt`` captures, ``ground-truth.json`` (``{id: {articleBody,
url, dataset}}``) and ``metadata.json`` (``{id: {title, authors, ...}}``, optional). It labels each line
of each capture with its role, fits the model with scikit-learn (a test-time dependency only: the
shipped model is plain weights) and writes ``generator/clean/roles.json``.

Labels come from the pages alone: a line is body when most of its 4-word shingles are in the
annotators' article text; the headline is the line that reads as the page's known title; a dateline or
byline is a short line between headline and body that prints a date, or a known author's name. The
shingle metric is the public article-extraction benchmark's (tokens ``\\w+``, runs of four).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from generator.clean import CLEANER_VERSION, markdown, roles
from generator.clean.caption import is_caption_line
from generator.clean.text import Layout, layout
from generator.clean.textpath import body_blocks

TOKEN = re.compile(r"\w+")
# Datasets whose terms allow a model that ships: L3S-GN1 says "research use only", so it is measured on
# (as pages the model never saw) but never learned from.
SHIPPABLE = ("dragnet", "cleaneval", "cleanportaleval", "readability")
WEIGHTS = {"cleaneval": 0.3}  # mixed web pages, all running text labelled: a weaker guide to articles
HIDDEN = 32
NEAR = 15         # lines around the layout's body always trained on
FAR_SHARE = 0.2   # share of the other lines trained on
Probs = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class Page:
    id: str
    dataset: str
    site: str
    text: str
    body: str
    title: str | None
    authors: tuple[str, ...]


@dataclass(frozen=True)
class Prepared:
    page: Page
    lay: Layout
    x: np.ndarray[Any, np.dtype[np.float64]]
    y: np.ndarray[Any, np.dtype[np.int64]]


def load_pages(corpus: Path, datasets: Iterable[str] | None = None, limit: int | None = None) -> list[Page]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    meta_file = corpus / "metadata.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
    wanted = set(datasets) if datasets is not None else None
    pages = []
    for page_id, gold in sorted(truth.items()):
        dataset = gold.get("dataset") or "unknown"
        if wanted is not None and dataset not in wanted:
            continue
        capture = corpus / f"{page_id}.txt"
        if not capture.is_file():
            continue
        info = meta.get(page_id) or {}
        url = gold.get("url") or info.get("url")
        site = urlsplit(url).netloc.removeprefix("www.").lower() if url else f"{dataset}:{page_id}"
        pages.append(Page(page_id, dataset, site, capture.read_text(encoding="utf-8"), gold["articleBody"],
                          info.get("title"), tuple(info.get("authors") or ())))
    if limit is not None and len(pages) > limit:
        step = len(pages) / limit
        pages = [pages[int(n * step)] for n in range(limit)]
    return pages


def fold_text(text: str) -> str:
    return " ".join(TOKEN.findall(unicodedata.normalize("NFKC", text).casefold()))


def shingles(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    if len(tokens) < 4:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3)]


def label_lines(page: Page, lay: Layout) -> list[int]:
    """The role (index into ``roles.ROLES``) of each line of the capture, from the page's labels."""
    lines = lay.lines
    gold_tokens = TOKEN.findall(page.body)
    gold = set(shingles(gold_tokens))
    grams = {tuple(gold_tokens[i:i + k]) for k in (1, 2, 3) for i in range(len(gold_tokens) - k + 1)}
    found = []
    for line in lines:
        tokens = TOKEN.findall(line.text)
        own = shingles(tokens)
        if len(tokens) >= 4:
            found.append(sum(1 for s in own if s in gold) / len(own) >= 0.5)
        else:
            found.append(bool(own) and own[0] in grams)
    body = [False] * len(lines)
    for n, hit in enumerate(found):
        if len(TOKEN.findall(lines[n].text)) >= 4:
            body[n] = hit
    for n, hit in enumerate(found):  # a short line counts only beside body (one word is in any text)
        if hit and not body[n] and any(0 <= m < len(lines) and body[m] for m in (n - 1, n + 1)):
            body[n] = True
    # Photo captions are the front matter's, not the body's (some labels keep them, the benchmark not).
    captions = set(lay.caption.used) if lay.caption else set()
    role = [roles.ROLES.index("body") if b and n not in captions and not (
        lines[n].words <= 60 and is_caption_line(lines[n].text)) else 0 for n, b in enumerate(body)]
    first_body = next((n for n, b in enumerate(body) if b and lines[n].words >= 8), len(lines))
    headline = find_headline(page, lay, first_body)
    if headline is not None:
        role[headline] = roles.ROLES.index("headline")
    top = headline if headline is not None else max(0, first_body - 8)
    names = [fold_text(a) for a in page.authors if fold_text(a)]
    for n in range(max(0, top - 3), min(len(lines), first_body + 1)):
        line = lines[n]
        if n == headline or line.words > 30:
            continue
        folded = fold_text(line.text)
        if line.byline or any(name in folded for name in names):
            role[n] = roles.ROLES.index("byline")
        elif line.dated and line.words <= 14:
            role[n] = roles.ROLES.index("dateline")
    return role


def find_headline(page: Page, lay: Layout, first_body: int) -> int | None:
    """The line printing the known title, the nearest one above the body (or the first anywhere)."""
    if not page.title:
        return None
    title = fold_text(page.title)
    if not title:
        return None
    hits = [n for n, line in enumerate(lay.lines)
            if (folded := fold_text(line.text)) == title or (title in folded and len(title) >= 0.8 * len(folded))]
    if not hits:
        return None
    above = [n for n in hits if n <= first_body]
    return above[-1] if above else hits[0]


def prepare(pages: Sequence[Page]) -> list[Prepared]:
    out = []
    for page in pages:
        lay = layout(page.text)
        if not lay.lines:
            continue
        x = roles.line_features(lay.lines, lay)
        out.append(Prepared(page, lay, x, np.asarray(label_lines(page, lay), dtype=np.int64)))
    return out


def fit_net(x: np.ndarray[Any, np.dtype[np.float64]], y: np.ndarray[Any, np.dtype[np.int64]],
            weight: np.ndarray[Any, np.dtype[np.float64]], seed: int) -> roles.Net:
    from sklearn.neural_network import MLPClassifier

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    # Passes over the data: a dozen for the whole corpus, more for a small sample (each pass is shorter).
    passes = int(min(200, max(12, 3_000_000 / len(y))))
    net = MLPClassifier(hidden_layer_sizes=(HIDDEN,), alpha=1e-3, batch_size=min(512, len(y)), max_iter=passes,
                        early_stopping=False, random_state=seed, tol=1e-4)
    # Every role must be a class, even when a small sample has none of one: one dummy row each.
    missing = [k for k in range(len(roles.ROLES)) if k not in set(y.tolist())]
    if missing:
        x = np.vstack([x, np.tile(mean, (len(missing), 1))])
        y = np.concatenate([y, np.asarray(missing, dtype=np.int64)])
        weight = np.concatenate([weight, np.full(len(missing), 1e-6)])
    net.fit((x - mean) / scale, y, sample_weight=weight)
    return roles.Net(mean, scale, net.coefs_[0], net.intercepts_[0], net.coefs_[1], net.intercepts_[1])


def fit(prepared: Sequence[Prepared], seed: int = 0) -> roles.Model:
    """Stage one on windows of line features; stage two on stage one's answers in context. Furniture far
    from the article (menus, footers: most lines of a page, and easy) is thinned out to train faster."""
    random = np.random.default_rng(seed)
    keep = [near_article(p) | (random.random(len(p.y)) < FAR_SHARE) for p in prepared]
    weight = np.concatenate([np.full(int(k.sum()), WEIGHTS.get(p.page.dataset, 1.0))
                             for p, k in zip(prepared, keep, strict=True)])
    y = np.concatenate([p.y[k] for p, k in zip(prepared, keep, strict=True)])
    first = fit_net(np.vstack([roles.window(p.x)[k] for p, k in zip(prepared, keep, strict=True)]), y, weight, seed)
    second_x = np.vstack([roles.context_features(first.predict(roles.window(p.x)), p.x)[k]
                          for p, k in zip(prepared, keep, strict=True)])
    second = fit_net(second_x, y, weight, seed + 1)
    return roles.Model(first, second, CLEANER_VERSION, tuple(sorted({p.page.dataset for p in prepared})))


def near_article(prep: Prepared) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Lines with a role, or within ``NEAR`` lines of the layout's body."""
    n = np.arange(len(prep.y))
    body = prep.lay.body or (0,)
    near: np.ndarray[Any, np.dtype[np.bool_]] = (prep.y != 0) | ((n >= body[0] - NEAR) & (n <= body[-1] + NEAR))
    return near


def predicted_body(prep: Prepared, probs: Probs | None, drop: float, add: float) -> str:
    lay = prep.lay if probs is None else roles.corrected(prep.lay, probs, drop, add)
    return markdown.render(body_blocks(lay))


def page_scores(predicted: str, gold: str) -> tuple[float | None, float | None]:
    """(precision, recall) of one page by the benchmark's shingle metric (None where undefined)."""
    got, want = Counter(shingles(TOKEN.findall(predicted))), Counter(shingles(TOKEN.findall(gold)))
    tp = sum((got & want).values())
    fp, fn = sum(got.values()) - tp, sum(want.values()) - tp
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else None), (tp / (tp + fn) if tp + fn else None)


def f1(scores: Sequence[tuple[float | None, float | None]]) -> float:
    ps = [p for p, _ in scores if p is not None]
    rs = [r for _, r in scores if r is not None]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def body_f1(preps: Sequence[Prepared], probs: dict[str, Probs] | None, drop: float, add: float) -> float:
    """Body F1 of the hand-written layout (``probs`` None) or of the model's correction of it."""
    return f1([page_scores(predicted_body(p, probs[p.page.id] if probs else None, drop, add), p.page.body)
               for p in preps])


def report(name: str, preps: Sequence[Prepared], probs: dict[str, Probs], drop: float = roles.DROP,
           add: float = roles.ADD) -> dict[str, Any]:
    """Body F1 per dataset, of the hand-written layout and of the model's correction of it (``probs``: the
    line roles per page id, from a model that never saw the page's site)."""
    out: dict[str, Any] = {}
    print(f"{name} (drop < {drop}, add >= {add}):")
    for dataset in [*sorted({p.page.dataset for p in preps}), "ALL"]:
        group = [p for p in preps if dataset in ("ALL", p.page.dataset)]
        row = {"pages": len(group), "rules": round(body_f1(group, None, drop, add), 3),
               "model": round(body_f1(group, probs, drop, add), 3)}
        print(f"  {dataset:16} n={row['pages']:5}  body F1 rules {row['rules']:.3f} -> model {row['model']:.3f}")
        out[dataset] = row
    return out


def tune(preps: Sequence[Prepared], probs: dict[str, Probs]) -> tuple[float, float]:
    """The thresholds with the best cross-validated body F1."""
    grid = [(d, a) for d in (0.0, 0.05, 0.2) for a in (0.6, 0.8, 1.01)]
    scored = {(d, a): body_f1(preps, probs, d, a) for d, a in grid}
    best = max(grid, key=lambda k: scored[k])
    print("thresholds (drop, add) -> CV body F1: " + ", ".join(f"{k}: {v:.3f}" for k, v in scored.items()))
    return best


def cross_validate(preps: Sequence[Prepared], folds: int) -> dict[str, Probs]:
    """Each page's line roles from the model of the fold that never saw its site."""
    sites = sorted({p.page.site for p in preps}, key=hash_site)
    fold_of = {site: n % folds for n, site in enumerate(sites)}
    probs: dict[str, Probs] = {}
    for fold in range(folds):
        started = time.monotonic()
        model = fit([p for p in preps if fold_of[p.page.site] != fold], seed=fold)
        for p in preps:
            if fold_of[p.page.site] == fold:
                probs[p.page.id] = model.roles(p.lay.lines, p.lay)
        print(f"  fold {fold + 1}/{folds} trained in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return probs


def hash_site(site: str) -> str:
    """A fixed shuffle of the sites, the same on every run."""
    return hashlib.sha256(site.encode()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.clean.train", description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="folder like ../shared/corpus/extraction-train")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name(roles.MODEL_FILE))
    parser.add_argument("--sample", type=int, default=None, help="use this many pages (quick runs)")
    parser.add_argument("--folds", type=int, default=3, help="cross-validation folds by site (0: none)")
    parser.add_argument("--no-write", action="store_true", help="measure only; leave the shipped model")
    parser.add_argument("--save-probs", type=Path, default=None, help="keep the cross-validated line roles (.npz)")
    parser.add_argument("--json-out", type=Path, default=None, help="write the scores here")
    args = parser.parse_args(argv)
    if not (args.corpus / "ground-truth.json").is_file():
        print(f"train: {args.corpus} holds no ground-truth.json: the labelled corpus is absent "
              "(it lives in ../shared/corpus/extraction-train beside the repository)", file=sys.stderr)
        return 2
    started = time.monotonic()
    pages = load_pages(args.corpus, limit=args.sample)
    preps = prepare(pages)
    print(f"{len(preps)} pages prepared in {time.monotonic() - started:.0f} s", file=sys.stderr)
    shippable = [p for p in preps if p.page.dataset in SHIPPABLE]
    held_out = [p for p in preps if p.page.dataset not in SHIPPABLE]
    scores: dict[str, Any] = {}
    if args.folds > 1:
        probs = cross_validate(shippable, args.folds)
        if args.save_probs:
            np.savez_compressed(args.save_probs, **probs)  # type: ignore[arg-type]
        scores["cv"] = report(f"cross-validated by site ({args.folds} folds), shippable datasets", shippable, probs)
        scores["cv_best_thresholds"] = tune(shippable, probs)
    model = fit(shippable)
    if held_out:
        scores["held_out"] = report("datasets never learned from (licence)", held_out,
                                    {p.page.id: model.roles(p.lay.lines, p.lay) for p in held_out})
    if not args.no_write:
        args.out.write_text(json.dumps(model.as_dict(), separators=(",", ":")), encoding="utf-8")
        print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB) from {len(shippable)} pages of "
              f"{', '.join(model.trained_on)} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    if args.json_out:
        args.json_out.write_text(json.dumps(scores, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
