"""Markdown bodies: their HTML and the facts pages show of them (summary, words read, relative links).

markdown-it-py is the reference renderer and the fallback. markdown-it-pyrs (the Rust port of markdown-it
by the same maintainer, wheels for CPython 3.11 and 3.12) is the fast path wherever it imports: about
fifteen times faster, which is most of a cold build. Both run CommonMark with raw HTML off, plus tables
and strikethrough, and the site must not depend on which one is installed. Comparing them on the
CommonMark spec examples and on random bodies (tests/test_markdown.py) found the constructs where their
HTML differs or where the Rust port panics; a body with any of them goes to markdown-it-py
(``needs_reference``), and the one difference that is only layout (an empty block quote) is mended.

The facts come from either parser's tree, read the same way: the summary is the text of the first
paragraph (a tight list item's text counts as one, as in markdown-it-py's token stream), the words are
those of all text a reader reads (not link addresses, bullets, table rules or heading marks; image alt
text is not read either), and a relative link is any link or image whose address has no scheme.

Written by hand because no library compares two Markdown parsers or walks both of their trees.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

if TYPE_CHECKING:
    from markdown_it_pyrs import Node

RULES: list[Any] = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
         "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline",
         "table", "strikethrough"]  # CommonMark without html_block and html_inline, plus GFM's two (Any: the
# port types each name as a literal)


def _reference() -> MarkdownIt:
    # Raw HTML off: a capture carrying <script> must show as text, never run.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _fast() -> Callable[[str], tuple[str, Node]] | None:
    """The Rust port's render-and-tree, or None where it is not installed (or cannot load)."""
    try:
        import markdown_it_pyrs
    except ImportError:
        return None
    parser = markdown_it_pyrs.MarkdownIt("zero").enable_many(RULES)
    return lambda body: (parser.render(body), parser.tree(body))


_MD = _reference()
_FAST = _fast()


@dataclass(frozen=True)
class Facts:
    html: str
    summary_text: str  # the first paragraph's text, whitespace collapsed; not cut
    words: int
    relative_links: bool


def facts(body: str) -> Facts:
    """HTML and facts of ``body``, from the fast renderer when it is installed and safe for this body."""
    if _FAST is not None and not needs_reference(body):
        try:
            return fast_facts(body, _FAST)
        except BaseException as error:  # pyo3's PanicException: a construct ``needs_reference`` missed
            if type(error).__name__ != "PanicException":
                raise
    return reference_facts(body)


# --- Where the two renderers differ -----------------------------------------------------------------

# Each pattern is searched in "\n" + body, so that "\n" marks a line start: many times faster than ^ with
# re.MULTILINE, and this runs on every body of a cold build.
# The characters for which str.isspace() holds, other than " \t\n":
_ODD_SPACE = re.compile("[\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_LIST_MARK = r"(?:[-+*]|\d{1,9}[.)])"
_EMPTY_ITEM = re.compile(rf"\n[ \t]*{_LIST_MARK}[ \t]*(?:\n|$)")
_BLOCK_NEAR = re.compile(rf"\n(?:[ \t]|>|{_LIST_MARK}(?:[ \t\n]|$))")  # a quote, list item or indent
_RULE_ROW = re.compile(r"\n[ \t>]*([-:| \t]*-[-:| \t]*)(?=\n|$)")  # a table's delimiter row, or a rule
_ODD_ALT = re.compile(r"!\[[^\]]*[\n&\\<]")  # alt text with a line break, an entity, an escape or an autolink
_ENTITY_IN_ADDRESS = re.compile(r"\]\([^)]*&")


def needs_reference(body: str) -> bool:
    """Does ``body`` use a construct where markdown-it-pyrs 0.4 differs from markdown-it-py?

    - non-ASCII spaces: markdown-it-py strips them around paragraphs and cells, the port does not;
    - backticks and ``~~~``: unclosed fences end differently, spaces-only code spans keep different
      spaces, and ``[`` before a backtick makes the port panic;
    - a link reference definition (``[a]: /url``): where it may stand and where its address ends differ;
    - an empty list item: whether it interrupts a paragraph differs;
    - an image whose alt text has a line break, an entity, an escape or an autolink, or a link address with
      an entity: the attributes differ;
    - a table with a block quote, list item or indented line in the same block (no blank line between):
      which one a line continues differs;
    - a delimiter row or rule (``:---``, ``---|``, ``---``) under a line, where only one of the two has a
      pipe or the row has a colon without pipes: which one sees a table differs;
    - ``*``, ``_`` or ``~`` beside a currency or other symbol: CommonMark 0.31 counts symbols as
      punctuation for emphasis, the port does not.
    """
    lines = "\n" + body
    if "`" in body or "~~~" in body or "]:" in body or _ODD_SPACE.search(body) or _EMPTY_ITEM.search(lines):
        return True
    if "](" in body and ((_ODD_ALT.search(body) if "![" in body else False) or _ENTITY_IN_ADDRESS.search(body)):
        return True
    for row in _RULE_ROW.finditer(lines):
        rule = row.group(1)
        above = lines[lines.rfind("\n", 0, row.start()) + 1:row.start()]
        if ("|" in rule or ":" in rule or "|" in above) and not ("|" in rule and "|" in above):
            return True
        if "|" in rule and _BLOCK_NEAR.search(lines, _block_start(lines, row.start()), _block_end(lines, row.end())):
            return True
    return not body.isascii() and _delimiter_by_symbol(body)


def _block_start(lines: str, at: int) -> int:
    return max(lines.rfind("\n\n", 0, at) + 1, 0)


def _block_end(lines: str, at: int) -> int:
    end = lines.find("\n\n", at)
    return len(lines) if end == -1 else end + 1


def _delimiter_by_symbol(body: str) -> bool:
    """Is a run of ``*``, ``_`` or ``~`` between a non-ASCII symbol and a character that is not a space?
    (Only there does counting the symbol as punctuation change whether the run opens or closes.)"""
    for mark in "*_~":
        at = body.find(mark)
        while at != -1:
            end = at
            while end < len(body) and body[end] == mark:
                end += 1
            before, after = body[at - 1:at], body[end:end + 1]
            for near, other in ((before, after), (after, before)):
                if near and not near.isascii() and unicodedata.category(near)[0] == "S" and other.strip():
                    return True
            at = body.find(mark, end)
    return False


# --- markdown-it-py: the token stream ---------------------------------------------------------------

def reference_facts(body: str) -> Facts:
    tokens = _MD.parse(body)
    html = str(_MD.renderer.render(tokens, _MD.options, {}))
    summary, words, relative = "", 0, False
    for index, token in enumerate(tokens):
        if token.type in ("fence", "code_block"):
            words += len(token.content.split())
        if token.type != "inline":
            continue
        text = _inline_text(token.children or ())
        words += len(text.split())
        relative = relative or any(_is_relative(child.attrGet("href" if child.type == "link_open" else "src"))
                                   for child in token.children or () if child.type in ("link_open", "image"))
        if not summary and text and index and tokens[index - 1].type == "paragraph_open":
            summary = text
    return Facts(html, summary, words, relative)


def _inline_text(children: Sequence[Token]) -> str:
    """The text of an inline run (links' and emphasis' text included, image alt text not), a line
    break as a space."""
    parts = [child.content if child.type in ("text", "code_inline") else " "
             for child in children if child.type in ("text", "code_inline", "softbreak", "hardbreak")]
    return " ".join("".join(parts).split())


def _is_relative(address: object) -> bool:
    return isinstance(address, str) and not urlsplit(address).scheme


# --- markdown-it-pyrs: the node tree -----------------------------------------------------------------

_INLINE = frozenset({"text", "text_special", "code_inline", "em", "strong", "strikethrough", "link", "autolink",
                     "image", "softbreak", "hardbreak"})
_EMPTY_QUOTE = ("<blockquote>\n</blockquote>", "<blockquote></blockquote>")  # raw HTML is off: only an empty quote


def fast_facts(body: str, fast: Callable[[str], tuple[str, Node]]) -> Facts:
    html, tree = fast(body)
    summary, words, relative = "", 0, False
    for is_paragraph, run in _runs(tree):
        text = " ".join("".join(_texts(run)).split())
        words += len(text.split())
        relative = relative or any(_is_relative(node.meta.get("url")) for node in _links(run))
        if not summary and is_paragraph and text:
            summary = text
    return Facts(html.replace(*_EMPTY_QUOTE), summary, words, relative)


def _runs(node: Node) -> Iterator[tuple[bool, Sequence[Node]]]:
    """Each run of inline nodes in document order, and whether it is a paragraph's (a tight list item's
    inline children are the paragraph markdown-it-py hides); code blocks as one text node each."""
    if node.name in ("code_block", "fence"):
        yield False, (node,)
        return
    run: list[Node] = []
    for child in node.children:
        if child.name in _INLINE:
            run.append(child)
            continue
        if run:
            yield node.name in ("paragraph", "list_item"), run
            run = []
        yield from _runs(child)
    if run:
        yield node.name in ("paragraph", "list_item"), run


def _texts(nodes: Iterable[Node]) -> Iterator[str]:
    for node in nodes:
        if node.name in ("text", "text_special", "code_block", "fence"):
            yield str(node.meta.get("content", ""))
        elif node.name in ("softbreak", "hardbreak"):
            yield " "
        elif node.name != "image":
            yield from _texts(node.children)


def _links(nodes: Iterable[Node]) -> Iterator[Node]:
    for node in nodes:
        if node.name in ("link", "image"):
            yield node
        if node.name != "image":
            yield from _links(node.children)


# --- Feeds: links made absolute -----------------------------------------------------------------------

@lru_cache(maxsize=8192)
def render_markdown(text: str, base_url: str | None = None) -> str:
    """Markdown -> HTML by the reference renderer. With ``base_url``, every link and image is made
    absolute (for feeds): rewritten on the token stream, not by regex over the HTML.

    Memoised: the live-reload server rebuilds in-process on every change, and bodies rarely change.
    """
    tokens = _MD.parse(text)
    if base_url is not None:
        for token in _walk(tokens):
            for attr in ("href", "src"):
                value = token.attrGet(attr)
                if isinstance(value, str):
                    token.attrSet(attr, urljoin(base_url, value))
    return str(_MD.renderer.render(tokens, _MD.options, {}))


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)

