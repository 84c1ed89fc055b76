"""Cheap named-entity extraction: capitalised word spans, cleaned of titles, sentence starts and adjectives.

Hand-written on purpose: no NER model is installable offline from PyPI as a maintained package (spaCy's
English models are published outside PyPI, the PyPI copies are third-party re-uploads, and they are
English-only and ~15-500 MB). For grouping stories and suggesting topics we only need *which proper names
an article mentions*, and capitalisation gives that in every Latin-script language well enough; the span
rules below remove the usual false positives (sentence starts, headline-case lines, job titles, demonyms).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated block (keeps long word lists readable)."""
    return frozenset(text.split())


# Words that may sit inside a name ("Ministry of Foreign Affairs", "Bank for International Settlements").
CONNECTORS = frozenset({"of", "and", "for", "the", "de", "del", "da", "du", "la", "le", "von", "van", "al",
                        "bin"})
# Capitalised only inside job titles and ministries ("Minister of Natural Resources and Environment").
OFFICE_WORDS = wordset("""
natural resources environment ecology affairs defense defence finance justice interior health education
trade industry economy economic external foreign state energy agriculture culture sports transport
labour labor security science technology development home internal national general
""")
# Job titles glued in front of a name ("Foreign Minister Sergey Lavrov"): the name is what follows them.
ROLES = frozenset({
    "minister", "president", "secretary", "ambassador", "leader", "chairman", "chairwoman", "premier",
    "chancellor", "mr", "mrs", "ms", "dr", "prof", "senator", "governor", "king", "queen", "prince",
    "director", "spokesman", "spokeswoman", "spokesperson", "commander", "pope", "sheikh", "envoy", "deputy",
    "vice", "chief", "gen", "col", "lt", "sgt", "adm", "representative", "lawmaker", "mayor", "counterpart",
})
# Capitalised words that are not names on their own (sentence starts, weekdays, months, pronouns...).
STOP = wordset("""
a an the this that these those there their they them he she his her hers it its we our us you your i me
my in on at to from by for with without of and or but nor so yet if then than as when while where which
who whom whose what why how after before since until during about above below over under between among
into also however although though because meanwhile moreover still even just only both either neither
each every all any some many much more most other such no not yes one two three four five six seven
eight nine ten first second third last next new old former latest recent earlier later today yesterday
tomorrow tonight monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov
dec western eastern northern southern mr mrs ms dr according read more share comments comment subscribe
advertisement related photo image video watch listen click here home news sign log menu search skip
content edit post featured is are was were be been has have had do does did will would can could should
must might may shall
""")
DEMONYM = re.compile(r"(?:ian|ean|ese|ish|ians|eans)$")
TOKEN = re.compile(r"[^\W\d_][\w’'.]*\w|[^\W\d_]")
POSSESSIVE = re.compile(r"[’']s?$")
# Boundaries that end a name span: sentence and clause punctuation, quotes, brackets, hyphens, line breaks.
BREAK = re.compile(r"[.!?;:,\"“”()\[\]{}|/\\\n—–-]")
ORG_WORDS = wordset("""
ministry agency committee council commission times news party government university institute bank union
office organization organisation association forces army navy corporation company group post press
service department assembly parliament court center centre foundation fund federation nations guard
police tribune journal herald agency reuters company inc ltd corp
""")
PLACE_WORDS = wordset("""
north south east west republic kingdom island islands city province sea gulf mountain mountains river
airport square street peninsula region state states strait bay coast valley cosmodrome
""")
PLACE_PREPOSITIONS = frozenset({"in", "to", "from", "at", "across", "near", "toward", "towards", "into"})
PERSON_VERBS = frozenset({"said", "says", "told", "added", "stated", "wrote", "warned", "met", "noted"})


@dataclass(frozen=True)
class Mention:
    """One occurrence of a name: its surface form and the words right before and after it."""

    text: str
    before: str
    after: str
    after_role: bool
    at_start: bool = False


@dataclass(frozen=True)
class Entity:
    """A name as found in one text: ``key`` is the comparison form, ``name`` the most common spelling."""

    key: str
    name: str
    count: int
    kind: str  # person, place, organisation or other
    short_forms: tuple[str, ...] = ()  # one-word forms the text also uses for it ("Kozlov")


def entity_key(name: str) -> str:
    """Comparison form of a name: case- and apostrophe-insensitive, single-spaced."""
    return " ".join(name.replace("’", "'").casefold().split())


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


def _headline_case(words: list[str]) -> bool:
    # Menu lines and headlines Capitalise Every Word; their spans are not names.
    content = [w for w in words if w.lower() not in CONNECTORS]
    return len(content) >= 4 and sum(_is_cap(w) for w in content) / len(content) >= 0.75


def _segments(text: str) -> list[tuple[list[str], list[int]]]:
    """Split text at punctuation into runs of words; also return which words start a sentence."""
    out: list[tuple[list[str], list[int]]] = []
    for line in text.splitlines():
        line_words = TOKEN.findall(line)
        if _headline_case(line_words):
            continue
        sentence_start = True
        position = 0
        for piece in re.split(r"(" + BREAK.pattern + r")", line):
            if not piece:
                continue
            if BREAK.fullmatch(piece):
                sentence_start = sentence_start or piece in ".!?:\"“”\n"
                continue
            words = TOKEN.findall(piece)
            if words:
                out.append((words, [position] if sentence_start else []))
                sentence_start = False
            position += len(words)
    return out


def _spans(words: list[str], starts_sentence: bool) -> list[Mention]:
    """Maximal capitalised spans of ``words`` (connectors allowed inside), with titles and stops removed."""
    mentions: list[Mention] = []
    i = 0
    while i < len(words):
        if not _is_cap(words[i]):
            i += 1
            continue
        j = i + 1
        while j < len(words):
            if _is_cap(words[j]) and not POSSESSIVE.search(words[j - 1]):
                j += 1
            elif (words[j] in CONNECTORS and j + 1 < len(words) and _is_cap(words[j + 1])
                  and not POSSESSIVE.search(words[j - 1])):
                j += 2
            else:
                break
        # A possessive ("Russia's") marks a name even at the start of a sentence.
        starts_sentence = starts_sentence and not (i == 0 and j == 1 and POSSESSIVE.search(words[0]))
        span = [POSSESSIVE.sub("", w).rstrip(".") for w in words[i:j]]
        for offset, part in _split_lists(span):
            start, end = i + offset, i + offset + len(part)
            before = words[start - 1].lower() if start else ""
            after = words[end].lower() if end < len(words) else ""
            mention = _clean_span(part, before, after, starts_sentence and start == 0)
            if mention is not None:
                mentions.append(mention)
        i = j
    return mentions


def _split_lists(span: list[str]) -> list[tuple[int, list[str]]]:
    """``Pyongyang and Moscow`` is two names; ``Ministry of Trade and Industry`` is one (an "of" precedes)."""
    parts: list[tuple[int, list[str]]] = []
    start = 0
    for k, word in enumerate(span):
        if word == "and" and "of" not in span[start:k]:
            parts.append((start, span[start:k]))
            start = k + 1
    parts.append((start, span[start:]))
    return [(offset, part) for offset, part in parts if part]


def _clean_span(span: list[str], before: str, after: str, at_start: bool) -> Mention | None:
    after_role = False
    roles = [k for k, w in enumerate(span) if w.lower() in ROLES]
    if roles:
        before, after_role = span[roles[-1]].lower(), True
        span = span[roles[-1] + 1:]
        # "Minister of Natural Resources and Environment Alexander Kozlov": skip the office's words.
        while span and (span[0].lower() in CONNECTORS or span[0].lower() in OFFICE_WORDS):
            span = span[1:]
        if not span:
            return None  # a bare title ("Foreign Minister") names nobody
    while span and (span[0].lower() in STOP or span[0].lower() in CONNECTORS):
        span, at_start = span[1:], False  # "The Kremlin" -> "Kremlin"; "In Pyongyang" -> "Pyongyang"
    while span and (span[-1].lower() in CONNECTORS or span[-1].lower() in STOP):
        span = span[:-1]
    if not span or (len(span) == 1 and (len(span[0]) < 2 or span[0].lower() in STOP
                                        or span[0].lower() in PLACE_WORDS)):
        return None  # a lone "North" ("the North") or "Republic" names nothing by itself
    if DEMONYM.search(span[-1].lower()) and (after[:1].islower() or len(span) == 1):
        return None  # "Russian delegation", "North Korean leader", "Russian and ...": adjectives, not names
    return Mention(" ".join(span), before, after, after_role, at_start)


def mentions(text: str) -> list[Mention]:
    """Every name mention in ``text``, in order."""
    found: list[Mention] = []
    for words, starts in _segments(text):
        found.extend(_spans(words, bool(starts)))
    lowercase_words = {w for w in TOKEN.findall(text) if w.islower()}
    # Words seen in a name other than as a sentence's first word are names wherever they stand.
    inside = {w for m in found for k, w in enumerate(m.text.split()) if not (m.at_start and k == 0)}
    return [_sentence_start(m, lowercase_words, inside) for m in found if _keep(m, lowercase_words, inside)]


def _keep(mention: Mention, lowercase_words: set[str], inside: set[str]) -> bool:
    # A lone word seen only at sentence starts ("Analysts", "Historic") or also in lower case is no name.
    if " " in mention.text:
        return True
    if mention.text.lower() in lowercase_words:
        return False
    return not mention.at_start or mention.text in inside


def _sentence_start(mention: Mention, lowercase_words: set[str], inside: set[str]) -> Mention:
    """Drop an adjective or adverb that only starts the sentence ("Impoverished Pyongyang")."""
    first, _, rest = mention.text.partition(" ")
    if mention.at_start and rest and first not in inside and (
            first.lower() in lowercase_words or first.lower().endswith(("ly", "ed", "ing"))):
        return Mention(rest, "", mention.after, mention.after_role)
    return mention


def _kind(name: str, mentions_of: list[Mention]) -> str:
    words = [w.lower() for w in name.split()]
    if any(w in ORG_WORDS for w in words) or (len(name) >= 2 and name.isupper()):
        return "organisation"
    if any(w in PLACE_WORDS for w in words):
        return "place"
    if any(m.after_role or m.after in PERSON_VERBS for m in mentions_of) and len(words) >= 2:
        return "person"
    if sum(m.before in PLACE_PREPOSITIONS for m in mentions_of) * 2 >= len(mentions_of):
        return "place"
    if 2 <= len(words) <= 3 and not any(w in CONNECTORS for w in words):
        return "person"
    return "other"


def extract(text: str) -> tuple[Entity, ...]:
    """The names in ``text`` with counts, short forms folded into the full name ("Kozlov" -> "Alexander
    Kozlov") when exactly one longer name in the same text contains that word. Sorted by count, then key."""
    found = mentions(text)
    by_key: dict[str, list[Mention]] = {}
    for mention in found:
        by_key.setdefault(entity_key(mention.text), []).append(mention)
    long_keys = [k for k in by_key if " " in k]
    for key in [k for k in by_key if " " not in k]:
        owners = [k for k in long_keys if key in k.split()]
        if len(owners) == 1:
            by_key[owners[0]].extend(by_key.pop(key))
    entities = []
    for key, group in by_key.items():
        spelling = Counter(m.text for m in group if entity_key(m.text) == key) or Counter(
            m.text for m in group)
        name = spelling.most_common(1)[0][0]
        short = tuple(sorted({m.text for m in group if " " not in m.text and entity_key(m.text) != key}))
        entities.append(Entity(key, name, len(group), _kind(name, group), short))
    return tuple(sorted(entities, key=lambda e: (-e.count, e.key)))
