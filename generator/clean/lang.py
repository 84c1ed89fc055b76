"""Language detection and stop words, for any language jusText ships a stop list for.

Why stop lists: the share of stop words is the best cheap sign that a line is running prose rather than
a menu or a label, and it works the same in every language that separates words with spaces. The same
lists tell the language: the one whose stop words cover most of the document wins. Scripts without word
spacing (Chinese, Japanese, Thai) are told by their characters instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import justext  # type: ignore[import-untyped]  # ships no type information

WORD = re.compile(r"\w+")
# jusText's list names -> ISO 639-1 codes (the ones that have a code; others keep their name).
ISO = {
    "Afrikaans": "af", "Albanian": "sq", "Arabic": "ar", "Armenian": "hy", "Azerbaijani": "az",
    "Basque": "eu", "Belarusian": "be", "Bengali": "bn", "Bosnian": "bs", "Breton": "br",
    "Bulgarian": "bg", "Catalan": "ca", "Croatian": "hr", "Czech": "cs", "Danish": "da", "Dutch": "nl",
    "English": "en", "Simple_English": "en", "Esperanto": "eo", "Estonian": "et", "Finnish": "fi",
    "French": "fr", "Galician": "gl", "Georgian": "ka", "German": "de", "Greek": "el", "Gujarati": "gu",
    "Hebrew": "he", "Hindi": "hi", "Hungarian": "hu", "Icelandic": "is", "Indonesian": "id", "Irish": "ga",
    "Italian": "it", "Javanese": "jv", "Kannada": "kn", "Kazakh": "kk", "Korean": "ko", "Kurdish": "ku",
    "Latin": "la", "Latvian": "lv", "Lithuanian": "lt", "Macedonian": "mk", "Malay": "ms",
    "Malayalam": "ml", "Maltese": "mt", "Marathi": "mr", "Nepali": "ne", "Norwegian_Bokmal": "nb",
    "Norwegian_Nynorsk": "nn", "Persian": "fa", "Polish": "pl", "Portuguese": "pt", "Romanian": "ro",
    "Russian": "ru", "Serbian": "sr", "Slovak": "sk", "Slovenian": "sl", "Spanish": "es",
    "Swahili": "sw", "Swedish": "sv", "Tagalog": "tl", "Tamil": "ta", "Telugu": "te", "Turkish": "tr",
    "Ukrainian": "uk", "Urdu": "ur", "Uzbek": "uz", "Vietnamese": "vi", "Welsh": "cy", "Yoruba": "yo",
}
# Scripts written without spaces between words: told apart by their characters (Korean has spaces).
KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")
THAI = re.compile(r"[\u0e00-\u0e7f]")
ANY_UNSPACED = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u0e00-\u0e7f]")
LETTER = re.compile(r"[^\W\d_]")
SAMPLE_WORDS = 800
# Lists this short (Cebuano, Igbo, Volapük...) were built from little text and hold common English words:
# they would claim English pages, so they are left out of detection.
MIN_LIST = 150


@dataclass(frozen=True)
class Language:
    code: str | None
    stopwords: frozenset[str]
    spaced: bool  # False for scripts without word spacing: word counts mean little there


@lru_cache(maxsize=1)
def stop_index() -> dict[str, tuple[str, ...]]:
    """Word -> the lists it is a stop word in (built once per process: it reads 100 small files)."""
    index: dict[str, list[str]] = {}
    for name in justext.get_stoplists():
        if name == "Simple_English" or len(justext.get_stoplist(name)) < MIN_LIST:
            continue
        for word in justext.get_stoplist(name):
            index.setdefault(word, []).append(name)
    return {word: tuple(names) for word, names in index.items()}


@lru_cache(maxsize=128)
def stoplist(name: str) -> frozenset[str]:
    return frozenset(justext.get_stoplist(name))


def detect(text: str) -> Language:
    """The document's language, by script first, then by stop-word coverage."""
    return detect_words(text, prose_words(text))


def detect_words(text: str, words: Sequence[str]) -> Language:
    """The language, from the script of ``text`` or else from ``words`` (lower-cased, from prose lines)."""
    unspaced = unspaced_language(text[:5000])
    if unspaced:
        return Language(unspaced, frozenset(), spaced=False)
    if not words:
        return Language(None, frozenset(), spaced=True)
    index = stop_index()
    hits: dict[str, int] = {}
    for word, count in Counter(words).items():
        if count < 2:
            continue  # stop words recur; a word seen once is almost always a content word
        for name in index.get(word, ()):
            hits[name] = hits.get(name, 0) + count
    if not hits:
        return Language(None, frozenset(), spaced=True)
    # Big lists catch words of every language (some hold thousands): weigh hits by the list's size.
    name = max(hits, key=lambda n: hits[n] / len(stoplist(n)) ** 0.3)
    if hits[name] < max(3, len(words) // 10):
        return Language(None, stoplist(name), spaced=True)
    return Language(ISO.get(name, name.lower()), stoplist(name), spaced=True)


def prose_words(text: str) -> list[str]:
    """Up to SAMPLE_WORDS lower-cased words from lines of eight words or more: running text, where stop
    words are dense, rather than menus."""
    words: list[str] = []
    for line in text.split("\n"):
        found = WORD.findall(line)
        if len(found) >= 8:
            words.extend(found)
            if len(words) >= SAMPLE_WORDS:
                break
    return [w.lower() for w in words[:SAMPLE_WORDS]]


def unspaced_language(sample: str) -> str | None:
    if not ANY_UNSPACED.search(sample):
        return None  # the common case, found by one scan
    kana, han, thai = (len(p.findall(sample)) for p in (KANA, HAN, THAI))
    letters = max(1, len(LETTER.findall(sample)))
    if (kana + han) / letters > 0.2:
        return "ja" if kana > han / 10 else "zh"
    if thai / letters > 0.2:
        return "th"
    return None
