"""The one schema of site.yaml: typed dataclasses, unknown keys rejected with the allowed ones named."""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.errors import ConfigError
from generator.yamlio import Lines, line_in, load_yaml_mapping

CONFIG_NAME = "site.yaml"


@dataclass(frozen=True)
class TopicConfig:
    """A declared topic: its display name, optional slug, and the terms that assign it."""

    name: str
    terms: tuple[str, ...] = ()
    slug: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Folders:
    """Where things live, relative to the folder holding site.yaml."""

    captures: str = "captures"
    content: str = "content"
    output: str = "_site"
    templates: str = "templates"
    static: str = "static"
    themes: str = "themes"
    cache: str = ".digest-cache"


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.yaml can say. ``root`` is the folder site.yaml was read from."""

    title: str = "Research digest"
    description: str = ""
    base_url: str = "http://127.0.0.1:8000/"
    language: str = "en"
    timezone: str = "UTC"
    per_page: int = 10
    feed_limit: int = 20
    author: str = ""
    cname: str | None = None
    theme: str = "default"
    research: bool = True
    topics: tuple[TopicConfig, ...] = ()
    folders: Folders = field(default_factory=Folders)
    root: Path = field(default=Path("."), compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def path(self, folder: str) -> Path:
        """Absolute path of one of ``folders`` (e.g. ``cfg.path("content")``)."""
        relative: str = getattr(self.folders, folder)
        return (self.root / relative).resolve()

    def with_base_url(self, base_url: str) -> SiteConfig:
        return dataclasses.replace(self, base_url=normalise_base_url(base_url, None))


def normalise_base_url(value: str, source: Path | None, line: int | None = None) -> str:
    """Require scheme and host, and nothing that could break out of an attribute or a command line
    (spaces, quotes, angle brackets); always end with exactly one slash."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname or UNSAFE_URL.search(value):
        raise ConfigError(f"base_url must be an absolute http(s) URL without spaces, quotes or markup "
                          f"(like https://user.github.io/repo/), got {value!r}", source, line)
    return value.rstrip("/") + "/"


# A BCP 47 language tag (RFC 5646), in its common shape: "en", "de-CH", "zh-Hant-TW", "es-419".
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?(-([A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*")
HOST_NAME = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
UNSAFE_URL = re.compile(r"[\s\"'<>`\\{}|^]")
# Values that reach a path, a command line or markup, and the shape each must have.
SHAPES = {
    "language": (LANGUAGE_TAG, "a language tag such as en, de-CH or pt-BR"),
    "cname": (HOST_NAME, "one host name such as news.example.org (no scheme, path or spaces)"),
    "theme": (THEME_NAME, "the name of a folder in themes/ (letters, digits, '-', '_', '.')"),
}
TOPICS_EXAMPLE = ("each topic is a mapping with a name: write '- name: China' on a line of its own under "
                  "'topics:' (terms, slug and description are optional)")


def config_line(cfg: SiteConfig, *keys: str | int) -> int | None:
    """The line in site.yaml of the value at ``keys`` (for errors found after loading)."""
    try:
        return line_in((cfg.root / CONFIG_NAME).read_text(encoding="utf-8"), keys)
    except (OSError, UnicodeDecodeError):
        return None


def load_config(root: Path | str = ".", base_url: str | None = None) -> SiteConfig:
    """Read ``root/site.yaml`` (defaults when absent) and validate it against the schema."""
    root = Path(root).resolve()
    source = root / CONFIG_NAME
    lines = Lines()
    data: dict[str, Any] = load_yaml_mapping(source, ConfigError, lines) if source.exists() else {}
    cfg: SiteConfig = _Schema(source, lines).build(SiteConfig, data, "")
    at = partial(lines.of, data)
    cfg = dataclasses.replace(cfg, root=root, base_url=normalise_base_url(
        base_url or cfg.base_url, None if base_url else source, None if base_url else at("base_url")))
    _validate(cfg, source, at)
    return cfg


def _validate(cfg: SiteConfig, source: Path, at: Callable[[str], int | None]) -> None:
    try:
        ZoneInfo(cfg.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: unknown time zone {cfg.timezone!r} (use an IANA name such as "
                          "'Europe/Berlin' or 'UTC')", source, at("timezone")) from None
    for name in ("per_page", "feed_limit"):
        if getattr(cfg, name) < 1:
            raise ConfigError(f"{name}: must be at least 1", source, at(name))
    for name, (shape, hint) in SHAPES.items():
        value = getattr(cfg, name)
        if value is not None and not shape.fullmatch(value):
            raise ConfigError(f"{name}: {value!r} is not {hint}", source, at(name))
    names = [t.name.casefold() for t in cfg.topics]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"topics: declared more than once: {', '.join(dupes)}", source, at("topics"))


@dataclass(frozen=True)
class _Schema:
    """Builds the config dataclasses from site.yaml's mappings, checking every key and value's type;
    errors name the line of the key or item at fault."""

    source: Path
    lines: Lines

    def build(self, cls: type[Any], data: Any, where: str, line: int | None = None) -> Any:
        if not isinstance(data, dict):
            example = f"; {TOPICS_EXAMPLE}" if where.startswith("topics[") else ""
            raise ConfigError(f"{where.rstrip('.') or 'site.yaml'}: expected a mapping of keys to values, "
                              f"got {type(data).__name__} {data!r}{example}", self.source, line)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "root"}
        hints = typing.get_type_hints(cls)
        unknown = sorted(set(data) - set(fields), key=str)
        if unknown:
            key = str(unknown[0])
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"unknown key {where}{key!r}{hint} (allowed keys: {', '.join(sorted(fields))})",
                              self.source, self.lines.of(data, key))
        missing = [name for name, f in fields.items() if name not in data
                   and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        if missing:
            raise ConfigError(f"{where.rstrip('.')}: {missing[0]!r} is required", self.source, line)
        values = {key: self.coerce(hints[key], value, f"{where}{key}", self.lines.of(data, key))
                  for key, value in data.items()}
        return cls(**values)

    def coerce(self, hint: Any, value: Any, where: str, line: int | None) -> Any:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (types.UnionType, typing.Union):
            if value is None and type(None) in args:
                return None
            hint = next(a for a in args if a is not type(None))
            return self.coerce(hint, value, where, line)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.build(hint, value, where + ".", line)
        if origin is tuple:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list):
                raise ConfigError(f"{where}: expected a list", self.source, line)
            return tuple(self.coerce(args[0], item, f"{where}[{i}]", self.lines.of(items, i) or line)
                         for i, item in enumerate(items))
        if hint is bool or hint is int:
            if type(value) is not hint:
                raise ConfigError(f"{where}: expected {hint.__name__}, got {value!r}", self.source, line)
            return value
        if hint is str:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return str(value)
            if not isinstance(value, str):
                raise ConfigError(f"{where}: expected text, got {value!r}", self.source, line)
            return value
        return value
