"""YAML reading that turns every problem into a one-line error with file and line.

PyYAML's safe loaders with three changes, made in a small constructor mixin because no YAML library does
all three: a key given twice in one mapping is an error (PyYAML keeps the last one silently), an
impossible date (``2024-02-30``) is an error naming its line (PyYAML raises a bare ``ValueError``), and
the line of every key and list item is remembered (``Lines``), so a value that fails the schema later is
reported at its own line.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from generator.dates import FORMS
from generator.errors import DigestError
from generator.files import read_regular

TIMESTAMP = "tag:yaml.org,2002:timestamp"
UNCLOSED = (("quoted scalar", "a quote"), ("flow sequence", "a '['"), ("flow mapping", "a '{'"))


class Lines:
    """Line numbers (1-based) of the keys of each mapping and the items of each list of one document."""

    def __init__(self, offset: int = 0) -> None:
        self._lines: dict[int, dict[Hashable, int]] = {}
        self._keep: list[object] = []  # the containers themselves: their ids stay theirs
        self.offset = offset

    def record(self, container: object, key: Hashable, mark: Any) -> None:
        if id(container) not in self._lines:
            self._keep.append(container)
        self._lines.setdefault(id(container), {})[key] = mark.line + 1 + self.offset

    def of(self, container: object, key: Hashable) -> int | None:
        """The line of ``container[key]`` (a mapping's key or a list's index), when known."""
        return self._lines.get(id(container), {}).get(key)


class _Strict:
    """Constructor overrides shared by the C and the pure-Python loader."""

    lines: Lines

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = key_node.value
            if key in seen:
                raise ConstructorError(None, None, f"duplicate key {key!r} (also on line {seen[key]}): "
                                       "give each key once", key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1 + self.lines.offset
            if value_node.tag == TIMESTAMP:
                try:
                    self.construct_yaml_timestamp(value_node)
                except ConstructorError as exc:  # the same problem, said with the key it belongs to
                    raise ConstructorError(None, None, f"{key}: {exc.problem}", value_node.start_mark) from None
        mapping: dict[Hashable, Any] = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        return mapping

    def construct_yaml_map(self, node: yaml.MappingNode) -> Any:
        data: dict[Hashable, Any] = {}
        yield data
        data.update(self.construct_mapping(node))
        for key_node, _value in node.value:
            if isinstance(key_node.value, str):
                self.lines.record(data, key_node.value, key_node.start_mark)

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Any:
        items: list[Any] = []
        yield items
        items.extend(self.construct_sequence(node))  # type: ignore[attr-defined]
        for index, item_node in enumerate(node.value):
            self.lines.record(items, index, item_node.start_mark)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[misc]
        except (ValueError, OverflowError) as exc:
            raise ConstructorError(None, None, f"{node.value!r} is not a valid date ({exc}); {FORMS}",
                                   node.start_mark) from None


def _loader(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    loader: type[yaml.SafeLoader] = type(f"Strict{base.__name__}", (_Strict, base), {})
    loader.add_constructor("tag:yaml.org,2002:map", _Strict.construct_yaml_map)  # type: ignore[type-var]
    loader.add_constructor("tag:yaml.org,2002:seq", _Strict.construct_yaml_seq)  # type: ignore[type-var]
    loader.add_constructor(TIMESTAMP, _Strict.construct_yaml_timestamp)  # type: ignore[type-var]
    return loader


# libyaml's loader is ~10x faster than the pure-Python one; it matters at 10,000 articles.
_FAST = _loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
_PRECISE = _loader(yaml.SafeLoader)  # libyaml often marks the end of the stream; this one the culprit line


def _load(text: str, loader_class: type[yaml.SafeLoader], lines: Lines) -> Any:
    loader = loader_class(text)
    loader.lines = lines  # type: ignore[attr-defined]
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_yaml_mapping(text: str, source: Path, error: type[DigestError],
                       line_offset: int = 0, lines: Lines | None = None) -> dict[str, Any]:
    """Parse ``text`` as a YAML mapping; ``line_offset`` shifts reported lines (front matter); ``lines``
    receives the line of every key and list item."""
    lines = lines if lines is not None else Lines()
    lines.offset = line_offset
    try:
        data = _load(text, _FAST, lines)
    except ConstructorError as exc:
        raise _error(exc, source, error, line_offset) from None
    except yaml.YAMLError:
        raise _located_error(text, source, error, line_offset) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error(f"expected a mapping of keys to values, got {type(data).__name__}", source,
                    1 + line_offset)
    return data


def _located_error(text: str, source: Path, error: type[DigestError], line_offset: int) -> DigestError:
    try:
        _load(text, _PRECISE, Lines(line_offset))
    except yaml.YAMLError as exc:
        return _error(exc, source, error, line_offset)
    return error("invalid YAML", source)


def _error(exc: yaml.YAMLError, source: Path, error: type[DigestError], line_offset: int) -> DigestError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, ConstructorError):
        return error(problem, source, line)
    context_mark = getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None) or ""
    opened = next((what for words, what in UNCLOSED if words in context), None)
    if opened and context_mark is not None and context_mark.line != (mark.line if mark else -1):
        # The parser notices an unclosed quote or bracket only lines later: say where it opened.
        return error(f"invalid YAML: {opened} opened here is never closed", source, context_mark.line + 1 + line_offset)
    return error(f"invalid YAML: {problem}", source, line)


def load_yaml_mapping(path: Path, error: type[DigestError], lines: Lines | None = None) -> dict[str, Any]:
    try:
        text = read_regular(path, MAX_YAML_BYTES, error).decode("utf-8")
    except UnicodeDecodeError:
        raise error("not UTF-8 text", path) from None
    return parse_yaml_mapping(text, path, error, lines=lines)


MAX_YAML_BYTES = 1024 * 1024  # site.yaml: a few kilobytes


def line_in(text: str, keys: tuple[str | int, ...], line_offset: int = 0) -> int | None:
    """The line of the value at ``keys`` (mapping keys and list indexes) in YAML ``text``, for an error
    found after loading; None when the text cannot be read or has no such value."""
    lines = Lines(line_offset)
    try:
        data: Any = _load(text, _FAST, lines)
    except (yaml.YAMLError, ValueError):
        return None
    line = None
    for key in keys:
        try:
            line = lines.of(data, key)
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return line
    return line
