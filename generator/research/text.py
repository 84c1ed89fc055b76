"""Article text as numbers: word TF-IDF and entity vectors (cosine-ready), and dates mentioned in the text.

Hand-written over numpy/scipy.sparse rather than scikit-learn: scikit-learn is not installed (numpy and
scipy are, via datasketch), and what we need — sublinear TF, smoothed IDF, L2-normalised sparse rows — is
a dozen lines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from generator.research.entities import STOP, wordset

WORD = re.compile(r"[^\W\d_]{3,}|\d+")
EXTRA_STOP = wordset("""
said says told would could also which there their been have this that with from into will were more than
about after before over under other such some most many much very just only even still while where when
""")
MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
# "November 14, 2023", "14 November 2023", "November 2023", "2023-11-14"; "November 18" (no year).
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s*,?\s+((?:19|20)\d\d)\b", re.IGNORECASE)
MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+((?:19|20)\d\d)\b", re.IGNORECASE)
MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)", re.IGNORECASE)
MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?:of\s+)?((?:19|20)\d\d)\b", re.IGNORECASE)
ISO_DAY = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")

Matrix = NDArray[np.float64]
Sparse: TypeAlias = sparse.csr_matrix  # scipy has no type stubs: Any to mypy


def words(text: str) -> list[str]:
    """Content words, lower-cased, with a light plural fold ("sanctions" = "sanction")."""
    out = []
    for word in WORD.findall(text.casefold().replace("’", "'")):
        if word in STOP or word in EXTRA_STOP:
            continue
        out.append(word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word)
    return out


def with_bigrams(tokens: Sequence[str]) -> list[str]:
    """Words plus adjacent-word pairs: "artillery rounds" says more about an event than either word."""
    return [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]


def tfidf(documents: Sequence[Sequence[str]]) -> Sparse:
    """Rows: documents; sublinear TF x smoothed IDF, L2-normalised, so ``M @ M.T`` is cosine similarity.

    Sparse (scipy): with word pairs the vocabulary runs to hundreds of thousands of terms, which a dense
    matrix could not hold for a few thousand articles."""
    vocabulary: dict[str, int] = {}
    lengths = np.array([len(doc) for doc in documents], dtype=np.int64)
    terms = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for doc in documents for t in doc),
                        dtype=np.int64, count=int(lengths.sum()))
    n, width = len(documents), max(len(vocabulary), 1)
    cells, tf = np.unique(np.repeat(np.arange(n, dtype=np.int64), lengths) * width + terms, return_counts=True)
    rows, cols = np.divmod(cells, width)
    df = np.bincount(cols, minlength=width)
    values = (1 + np.log(tf)) * (np.log((1 + n) / (1 + df[cols])) + 1)
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(n, width), dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    normalised: Sparse = sparse.csr_matrix(sparse.diags(1 / norms) @ matrix)
    return normalised


COMMON_SHARE = 0.1  # a term in this share of the documents is multiplied dense
MOST_COMMON = 1000  # at most this many dense terms: bounds memory (documents x terms x 8 bytes)
MIN_COMMON_DOCUMENTS = 200  # below this many documents sparse alone is fast


class Cosines:
    """Cosine blocks of the rows of an L2-normalised matrix (``tfidf``), many times over.

    A sparse product costs the sum, over terms, of the square of the number of documents having the term:
    the few words most articles share ("minister", "said") made comparing every article with every other
    grow with their count times the square of the digest, in scipy's one-cell-at-a-time loop. Here those
    common terms are multiplied as a dense matrix (BLAS, tens of times faster a cell) and the rest sparse,
    against a transpose made once. The same dot products, summed in another order."""

    def __init__(self, matrix: Sparse, common_share: float = COMMON_SHARE, most_common: int = MOST_COMMON) -> None:
        n = matrix.shape[0]
        by_term = sparse.csc_matrix(matrix)
        df = np.diff(by_term.indptr)
        common = np.flatnonzero(df >= max(common_share * n, MIN_COMMON_DOCUMENTS))
        common = common[np.argsort(-df[common], kind="stable")[:most_common]]
        rest = np.setdiff1d(np.arange(by_term.shape[1]), common)
        self.n = n
        self.dense: Matrix = by_term[:, common].toarray()
        self.sparse: Sparse = sparse.csr_matrix(by_term[:, rest])
        self.sparse_t: Sparse = sparse.csr_matrix(self.sparse.T)

    def block(self, rows: Sequence[int] | NDArray[np.int64], cols: Sequence[int] | NDArray[np.int64]) -> Matrix:
        """Cosine similarity of the ``rows`` documents to the ``cols`` documents, dense, in [0, 1]."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        everyone = len(cols) == self.n and bool(np.all(cols == np.arange(self.n)))
        other = self.sparse_t if everyone else self.sparse[cols].T
        block = (self.sparse[rows] @ other).toarray()
        if self.dense.shape[1]:
            block += self.dense[rows] @ self.dense[cols].T
        result: Matrix = np.clip(block, 0.0, 1.0)
        return result


@dataclass(frozen=True)
class MentionedDates:
    """Dates printed in a text: full days, and months named with a year."""

    days: tuple[dt.date, ...]
    months: tuple[tuple[int, int], ...]  # (year, month)
    yearless: tuple[int, ...] = ()  # months named as "November 18", with no year

    def likely_yearless_month(self) -> int | None:
        """The month most named as "November 18" (no year), or None."""
        counts = Counter(self.yearless)
        return max(counts.items(), key=lambda item: (item[1], -item[0]))[0] if counts else None

    def likely_month(self) -> tuple[int, int] | None:
        """The (year, month) the text talks about most, or None when it names none."""
        months = Counter([(d.year, d.month) for d in self.days] + list(self.months))
        if not months:
            return None
        return max(months.items(), key=lambda item: (item[1], item[0]))[0]


def mentioned_dates(text: str) -> MentionedDates:
    days: list[dt.date] = []
    months: list[tuple[int, int]] = []
    for match in DAY_MONTH_YEAR.finditer(text):
        _append_day(days, int(match[3]), MONTHS[match[2].lower()], int(match[1]))
    for match in MONTH_DAY_YEAR.finditer(text):
        _append_day(days, int(match[3]), MONTHS[match[1].lower()], int(match[2]))
    for match in ISO_DAY.finditer(text):
        _append_day(days, int(match[1]), int(match[2]), int(match[3]))
    for match in MONTH_YEAR.finditer(text):
        months.append((int(match[2]), MONTHS[match[1].lower()]))
    yearless = [MONTHS[m[1].lower()] for m in MONTH_DAY.finditer(text) if 1 <= int(m[2]) <= 31]
    return MentionedDates(tuple(days), tuple(months), tuple(yearless))


def _append_day(days: list[dt.date], year: int, month: int, day: int) -> None:
    with contextlib.suppress(ValueError):  # "February 30, 2024" is a typo, not a date
        days.append(dt.date(year, month, day))
