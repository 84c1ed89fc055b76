"""One module per ``digest`` sub-command (see ``generator.cli``), and what several of them share."""

from __future__ import annotations

from pathlib import Path

from generator.config import CONFIG_NAME, SiteConfig, load_config
from generator.errors import ConfigError


def load_digest(root: Path | str, base_url: str | None = None) -> SiteConfig:
    """site.yaml of the digest at ``root``, for a command that writes into it (build, serve, watch, deploy).

    Without a site.yaml the folder is not a digest (a mistyped ``-C``, the wrong current folder): such a
    command stops before it creates anything (not ``_site/``, not the cache, not the folder itself)."""
    folder = Path(root)
    if not folder.is_dir():
        raise ConfigError(f"no such folder; create a digest there with `digest init {folder}`", folder)
    if not (folder / CONFIG_NAME).is_file():
        raise ConfigError(f"no {CONFIG_NAME} here, so this is not a digest; create one with `digest init "
                          f"{folder}` or point at one with -C DIR", folder)
    return load_config(folder, base_url=base_url)
