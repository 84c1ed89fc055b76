"""Bytes to text: gzip, byte-order marks, legacy encodings, mojibake; and what kind of capture it is.

The kind is read from the content, not the file name: people save pages as ``.txt`` and copy-pastes as
``.html``.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from generator.errors import CaptureError

MAX_TEXT_BYTES = 20 * 1024 * 1024  # the same limit as for the file itself, applied after gunzip
GZIP_MAGIC = b"\x1f\x8b"
# Formats people drop into captures/ by mistake; NUL bytes catch the rest.
BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x7fELF", b"BZh",
                 b"\xfd7zXZ", b"Rar!", b"7z\xbc\xaf", b"ID3", b"OggS", b"RIFF", b"\x00\x00\x01\x00")
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
HTML_TAG = re.compile(r"</?(?:p|div|span|a|br|li|ul|table|td|img|script|h[1-6])\b[^>]*>", re.I)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", re.I)
# The tell-tale pairs UTF-8 leaves when read as cp1252/latin-1 ("â€™", "Ã©", "Â "): a cheap pre-check,
# because ftfy's own badness scan costs milliseconds per page.
MOJIBAKE_HINT = re.compile("(?:â€|Ã[\u0080-\u00bf\u0152-\u2122]|Â[\u00a0-\u00bf]|ï»¿)")
MARKDOWN_MARK = re.compile(r"^(?:#{1,6} \S|\*\*\S.*\*\*$|\[[^\]]+\]\([^)]+\))", re.M)


@dataclass(frozen=True)
class Decoded:
    text: str
    kind: str  # "html", "markdown" or "text"


def decode_capture(data: bytes, path: Path) -> Decoded:
    """The capture's text and kind; ``CaptureError`` for binary or undecodable input."""
    if data.startswith(GZIP_MAGIC):
        data = gunzip(data, path)
    if data.startswith(BINARY_MAGICS):
        raise CaptureError("binary file, not a capture", path)
    text = to_text(data, path)
    if not text.strip():
        raise CaptureError("empty capture", path)
    return Decoded(text, detect_kind(text, data))


def gunzip(data: bytes, path: Path) -> bytes:
    """Decompress with a ceiling, so a small gzip bomb cannot fill the memory."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, MAX_TEXT_BYTES + 1)
    except zlib.error:
        raise CaptureError("corrupt gzip file", path) from None
    if len(out) > MAX_TEXT_BYTES:
        raise CaptureError("too large once decompressed: not an article capture", path)
    return out


def to_text(data: bytes, path: Path) -> str:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return fix_text(data.decode(encoding, errors="replace"))
    head = data[:8192]
    if b"\x00" in head or control_ratio(head) > 0.05:
        raise CaptureError("binary file, not a capture", path)
    try:
        return fix_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    declared = META_CHARSET.search(head)
    if declared:
        try:
            return fix_text(data.decode(declared.group(1).decode("ascii")))
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return fix_text(data.decode(encoding, errors="replace"))


def control_ratio(head: bytes) -> float:
    """Share of C0 control bytes other than whitespace: text has (almost) none."""
    if not head:
        return 0.0
    bad = len(head) - len(head.translate(None, CONTROL_BYTES))
    return bad / len(head)


def fix_text(text: str) -> str:
    """Repair mojibake (UTF-8 read as cp1252 and the like) only where ftfy sees it: fixing is slow."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if MOJIBAKE_HINT.search(text) and ftfy.badness.is_bad(text):
        text = ftfy.fix_text(text, normalization="NFC", unescape_html=False, fix_line_breaks=False,
                             uncurl_quotes=False)  # repair the encoding, keep the typography
    return text


def detect_kind(text: str, data: bytes) -> str:
    if HTML_START.match(data[:4096]) or len(HTML_TAG.findall(text[:20_000])) >= 20:
        return "html"
    if MARKDOWN_MARK.search(text[:20_000]):
        return "markdown"
    return "text"
