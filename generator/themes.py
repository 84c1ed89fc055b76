"""Theme resolution: which folders templates and static files come from, highest priority first.

Kept apart from rendering (no Jinja import) so a no-change build can check its inputs quickly.
"""

from __future__ import annotations

from pathlib import Path

from generator.config import SiteConfig, config_line
from generator.errors import ConfigError

BUNDLED_THEMES = Path(__file__).resolve().parent / "themes"
DEFAULT_THEME = "default"


def theme_roots(cfg: SiteConfig) -> tuple[Path, ...]:
    """Theme folders, highest priority first; the site's own theme folder wins over a bundled one."""
    names = (cfg.theme,) if cfg.theme == DEFAULT_THEME else (cfg.theme, DEFAULT_THEME)
    roots = tuple(root for name in names for root in (cfg.path("themes") / name, BUNDLED_THEMES / name)
                  if root.is_dir())
    if not roots or roots[0].name != cfg.theme:
        bundled = ", ".join(sorted(p.name for p in BUNDLED_THEMES.iterdir() if p.is_dir()))
        raise ConfigError(f"theme: no theme {cfg.theme!r} in {cfg.path('themes')} "
                          f"or among the bundled themes ({bundled})", cfg.root / "site.yaml",
                          config_line(cfg, "theme"))
    return roots


def search_path(cfg: SiteConfig, kind: str) -> tuple[Path, ...]:
    """Folders for ``kind`` ("templates" or "static"), highest priority first."""
    own = cfg.path(kind)
    return tuple(d for d in (own, *(root / kind for root in theme_roots(cfg))) if d.is_dir())


def static_files(cfg: SiteConfig) -> dict[str, Path]:
    """``static/<path>`` -> the file that wins for it."""
    found: dict[str, Path] = {}
    for folder in reversed(search_path(cfg, "static")):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                found["static/" + path.relative_to(folder).as_posix()] = path
    return found
