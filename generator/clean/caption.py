"""Image captions and photo credits: recognised by their shape, moved out of the body.

Shapes seen across outlets: a credit in parentheses or bold at the end ("... 2023.(NAME/AGENCY)",
"... airport. **AP/TASS**"), after a slash ("... on Sunday. / Agency"), on its own line after a
"Credit"/"Photo" label, glued to the caption ("... easy.Jane Doe/Agency"), a caption printed twice in a
row (image alt text then figcaption), or a line wrapped whole in emphasis tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CREDIT_WORDS = r"(?:getty|afp|ap\b|reuters|photo|image|credit|foto|bild|courtesy|shutterstock|epa|©|pool|file)"
PAREN_CREDIT = re.compile(r"^(?P<caption>.{20,}?[.!?]?)\s*\(\s*(?P<credit>[^()]{2,80})\)\s*$")
BOLD_CREDIT = re.compile(r"^(?P<caption>.{20,}?)\s*(?:\*\*|__)(?P<credit>[^*_]{2,60})(?:\*\*|__)\s*$")
SLASH_CREDIT = re.compile(r"^(?P<caption>.{20,}?[.!?])\s+/\s+(?P<credit>[^/]{2,60})$")
GLUED_CREDIT = re.compile(r"^(?P<caption>.{20,}?[a-z][.!?])(?P<credit>[A-Z][^.!?]{2,60}/[^.!?]{2,40})$")
LABEL = re.compile(r"^(?:credit|credits|photo|photograph|image|picture|foto|bild|crédito|source)\s*(?:\.\.\.|…|:)?\s*$",
                   re.I)
INLINE_LABEL = re.compile(r"^(?P<caption>.{20,}?)\s*[\s(]\s*(?:photo|image|credit|foto|bild)s?\s*(?:by)?\s*[:/]\s*"
                          r"(?P<credit>[^()]{2,60})\)?$", re.I)
# "... last week.Credit...Jane Doe/Agency", "... earnings. Photograph by Jane Doe": a label, then the credit.
LABELLED_CREDIT = re.compile(r"^(?P<caption>.{20,}?[.!?\w])\s*(?:credit|photo(?:graph)?|image|picture)s?\s*"
                             r"(?:\.\.\.|…|:|by)\s*(?P<credit>[^.!?]{2,60})$", re.I)
GALLERY_COUNTER = re.compile(r"^\d{1,3}\s*of\s*\d{1,3}\s*(?=[A-Z])")
CREDIT_MARKS = frozenset("()/*_:")
CREDIT_LABELS = ("credit", "photo", "image", "picture")
CAPTION_GLUE = re.compile(r"[a-z][.!?][A-Z]")
WRAPPED = re.compile(r"^\s*<(?P<tag>strong|b|em|i|figcaption|small)>(?P<caption>.+?)</?(?P=tag)>\s*$", re.I)


@dataclass(frozen=True)
class Caption:
    index: int           # the caption line
    used: tuple[int, ...]  # every line it takes (repeats, label and credit lines)
    text: str
    credit: str | None


def find_caption(lines: Sequence[str], start: int, stop: int) -> Caption | None:
    """The first caption among ``lines[start:stop]``."""
    for i in range(start, min(stop, len(lines))):
        found = caption_at(lines, i)
        if found:
            return found
    return None


def caption_at(lines: Sequence[str], i: int) -> Caption | None:
    line = lines[i]
    following = lines[i + 1] if i + 1 < len(lines) else ""
    if len(line) >= 20 and following == line:
        text, credit = split_credit(line)
        return Caption(i, (i, i + 1), text, credit)
    if LABEL.match(following) and i + 2 < len(lines) and len(lines[i + 2]) <= 80 and len(line) >= 15:
        return Caption(i, (i, i + 1, i + 2), line, lines[i + 2].strip())
    wrapped = WRAPPED.match(line)
    if wrapped:
        return Caption(i, (i,), wrapped["caption"].strip(), None)
    text, credit = split_credit(line)
    if credit:
        return Caption(i, (i,), text, credit)
    return None


def split_credit(line: str) -> tuple[str, str | None]:
    """(caption, credit) when the line ends with a photo credit in one of the usual shapes."""
    low = line.lower()
    labelled = any(label in low for label in CREDIT_LABELS)
    if not labelled and not CREDIT_MARKS.intersection(line) and not CAPTION_GLUE.search(line):
        return line, None  # every shape needs a label, one of these marks, or a sentence glued to a name
    line = GALLERY_COUNTER.sub("", line)  # "2of4A shopper looks ...": a slideshow counter
    patterns = (LABELLED_CREDIT,) if labelled else ()
    for pattern in (*patterns, BOLD_CREDIT, SLASH_CREDIT, GLUED_CREDIT, INLINE_LABEL):
        match = pattern.match(line)
        if match:
            return match["caption"].strip(), match["credit"].strip(" )")
    match = PAREN_CREDIT.match(line)
    if match and is_credit(match["credit"]):
        return match["caption"].strip(), match["credit"].strip()
    return line, None


def is_credit(text: str) -> bool:
    """Agency/photographer credits: a slash, a credit word, or capitals only."""
    return "/" in text or bool(re.search(CREDIT_WORDS, text, re.I)) or text.upper() == text


def is_caption_line(text: str) -> bool:
    """A photo caption standing among paragraphs: it ends with a labelled or agency credit. (Capitals in
    parentheses alone are not enough here: a sentence may end with "(NATO)".)"""
    if not CREDIT_MARKS.intersection(text):
        return False
    for pattern in (BOLD_CREDIT, SLASH_CREDIT, INLINE_LABEL):
        if pattern.match(text):
            return True
    match = PAREN_CREDIT.match(text)
    if match is None:
        return False
    return "/" in match["credit"] or bool(re.search(CREDIT_WORDS, match["credit"], re.I))
