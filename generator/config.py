"""The one schema of site.yaml: typed dataclasses, unknown keys rejected with the allowed ones named."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.errors import ConfigError
from generator.yamlio import load_yaml_mapping

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


def normalise_base_url(value: str, source: Path | None) -> str:
    """Require scheme and host; always end with exactly one slash."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"base_url must be an absolute http(s) URL, got {value!r}", source)
    return value.rstrip("/") + "/"


def load_config(root: Path | str = ".", base_url: str | None = None) -> SiteConfig:
    """Read ``root/site.yaml`` (defaults when absent) and validate it against the schema."""
    root = Path(root).resolve()
    source = root / CONFIG_NAME
    data: dict[str, Any] = load_yaml_mapping(source, ConfigError) if source.exists() else {}
    cfg: SiteConfig = _build(SiteConfig, data, source, "")
    cfg = dataclasses.replace(cfg, root=root, base_url=normalise_base_url(base_url or cfg.base_url, source))
    _validate(cfg, source)
    return cfg


def _validate(cfg: SiteConfig, source: Path) -> None:
    try:
        ZoneInfo(cfg.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: unknown time zone {cfg.timezone!r} (use an IANA name such as "
                          "'Europe/Berlin' or 'UTC')", source) from None
    for name in ("per_page", "feed_limit"):
        if getattr(cfg, name) < 1:
            raise ConfigError(f"{name}: must be at least 1", source)
    names = [t.name.casefold() for t in cfg.topics]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"topics: declared more than once: {', '.join(dupes)}", source)


def _build(cls: type[Any], data: Any, source: Path, where: str) -> Any:
    """Build dataclass ``cls`` from a mapping, checking every key and every value's type."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'site.yaml'}: expected a mapping, got {type(data).__name__}", source)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "root"}
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        allowed = ", ".join(sorted(fields))
        raise ConfigError(f"unknown key {where}{unknown[0]!r}; allowed keys: {allowed}", source,
                          _line_of(source, str(unknown[0])))
    values = {key: _coerce(hints[key], value, source, f"{where}{key}") for key, value in data.items()}
    return cls(**values)


def _coerce(hint: Any, value: Any, source: Path, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        hint = next(a for a in args if a is not type(None))
        return _coerce(hint, value, source, where)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value, source, where + ".")
    if origin is tuple:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise ConfigError(f"{where}: expected a list", source, _line_of(source, where.split(".")[-1]))
        return tuple(_coerce(args[0], item, source, f"{where}[{i}]") for i, item in enumerate(items))
    if hint is bool or hint is int:
        if type(value) is not hint:
            raise ConfigError(f"{where}: expected {hint.__name__}, got {value!r}", source,
                              _line_of(source, where.split(".")[-1]))
        return value
    if hint is str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected text, got {value!r}", source,
                              _line_of(source, where.split(".")[-1]))
        return value
    return value


def _line_of(source: Path, key: str) -> int | None:
    """Best-effort line number of ``key:`` in the file, for error messages."""
    try:
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip().startswith(f"{key}:") or line.strip().startswith(f"- {key}:"):
                return number
    except OSError:
        return None
    return None

