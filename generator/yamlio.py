"""YAML reading that turns every problem into a one-line error with file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.errors import DigestError

# libyaml's loader is ~10x faster than the pure-Python one; it matters at 10,000 articles.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml_mapping(text: str, source: Path, error: type[DigestError],
                       line_offset: int = 0) -> dict[str, Any]:
    """Parse ``text`` as a YAML mapping; ``line_offset`` shifts reported lines (front matter)."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python)
    except yaml.YAMLError:
        # libyaml often marks the end of the stream; the Python parser points at the culprit line.
        raise _located_error(text, source, error, line_offset) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error(f"expected a mapping of keys to values, got {type(data).__name__}", source,
                    1 + line_offset)
    return data


def _located_error(text: str, source: Path, error: type[DigestError], line_offset: int) -> DigestError:
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return error(f"invalid YAML: {problem}", source, line)
    return error("invalid YAML", source)


def load_yaml_mapping(path: Path, error: type[DigestError]) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error("not UTF-8 text", path) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", path) from None
    return parse_yaml_mapping(text, path, error)
