"""Markdown normalisation shared by the text and HTML paths: blocks in, one clean Markdown body out.

- paragraphs whole: a sentence split across two blocks ("the former" / "for its invasion") is rejoined;
- subheadings as ``## ``, list items as ``- `` (numbered ones keep their number), quotes as ``> ``;
- stray HTML tags and empty emphasis go; whitespace is folded.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Real HTML tag names only: "<The Palace>" is how some languages mark a title, not a tag.
TAG = re.compile(r"</?(?:a|abbr|article|aside|audio|b|blockquote|br|button|center|cite|code|del|div|em|figcaption"
                 r"|figure|font|footer|form|h[1-6]|header|hr|i|iframe|img|input|ins|label|li|link|mark|meta|nav"
                 r"|noscript|ol|p|picture|pre|q|s|script|section|small|source|span|strike|strong|style|sub|sup"
                 r"|table|tbody|td|th|thead|time|tr|u|ul|video)(?:\s[^<>]*)?/?>", re.I)
HEADING = re.compile(r"^#{1,6}\s+")
BULLET = re.compile(r"^(?:[-*•·▪◦–])\s+")
NUMBERED = re.compile(r"^(\d{1,2})[.)]\s+")
QUOTE = re.compile(r"^>\s?")
EMPHASIS_ONLY = re.compile(r"^(\*\*|__|\*|_)(.+)\1$")
ENDS_SENTENCE = re.compile(r"[.!?。！？:;\"”’»)\]…*_]\s*$")


@dataclass(frozen=True)
class Block:
    kind: str  # "p", "h", "li", "ol", "quote"
    text: str


def clean_inline(text: str) -> str:
    """Tags out, entities decoded, whitespace folded."""
    text = html.unescape(TAG.sub("", text))
    return " ".join(text.split())


def from_markdown(markdown: str) -> list[Block]:
    """Blocks from Markdown (trafilatura's output, or a Markdown-ish capture)."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", markdown):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(BULLET.match(x) or NUMBERED.match(x) for x in lines):
            blocks.extend(block_of_line(x) for x in lines)
        elif HEADING.match(lines[0]) and len(lines) == 1:
            blocks.append(Block("h", HEADING.sub("", lines[0])))
        elif all(QUOTE.match(x) for x in lines):
            blocks.append(Block("quote", " ".join(QUOTE.sub("", x) for x in lines)))
        elif any(HEADING.match(x) for x in lines):
            blocks.extend(block_of_line(x) for x in lines)
        else:
            blocks.append(Block("p", " ".join(lines)))
    return blocks


def block_of_line(line: str) -> Block:
    if HEADING.match(line):
        return Block("h", HEADING.sub("", line))
    if BULLET.match(line):
        return Block("li", BULLET.sub("", line))
    numbered = NUMBERED.match(line)
    if numbered:
        return Block("ol", line)
    if QUOTE.match(line):
        return Block("quote", QUOTE.sub("", line))
    return Block("p", line)


def rejoin(blocks: Sequence[Block]) -> list[Block]:
    """Join a paragraph that stops mid-sentence with the next one starting in lower case."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (prev and prev.kind == "p" and block.kind == "p" and not ENDS_SENTENCE.search(prev.text)
                and block.text[:1].islower()):
            out[-1] = Block("p", f"{prev.text} {block.text}")
        else:
            out.append(block)
    return out


def render(blocks: Iterable[Block]) -> str:
    parts: list[str] = []
    for block in rejoin([b for b in (tidy(b) for b in blocks) if b.text]):
        if block.kind == "h":
            parts.append(f"## {block.text}")
        elif block.kind == "li":
            parts.append(f"- {block.text}")
        elif block.kind == "quote":
            parts.append(f"> {block.text}")
        else:
            parts.append(block.text)
    return join_lists(parts)


def tidy(block: Block) -> Block:
    text = clean_inline(block.text)
    if block.kind == "h":
        emphasis = EMPHASIS_ONLY.match(text)
        text = (emphasis.group(2) if emphasis else text).strip(" #*_")
    return Block(block.kind, text)


def join_lists(parts: Sequence[str]) -> str:
    """Paragraphs apart by a blank line; consecutive list items kept together as one list."""
    out = ""
    for n, part in enumerate(parts):
        if n:
            is_item = is_list_item(part) and is_list_item(parts[n - 1])
            out += "\n" if is_item else "\n\n"
        out += part
    return out


def is_list_item(text: str) -> bool:
    return text.startswith("- ") or bool(NUMBERED.match(text))
