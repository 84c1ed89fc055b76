"""``digest init``: write a new digest from the skeleton shipped in ``generator/skeleton/``.

The skeleton is package data, copied file by file. Three placeholders are filled, in one pass (so a title
that happens to contain a placeholder stays as typed): ``@TITLE@`` (site.yaml, README.md), ``@BASE_URL@``
(site.yaml) and ``@DIGEST_PACKAGE@`` (README.md and the Pages workflow: the pip requirement for exactly
this release of digest, so the published site is built by the digest that wrote it). Nothing existing is
ever overwritten: every target is checked before the first file is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from generator import DISTRIBUTION, __version__
from generator.config import SiteConfig, normalise_base_url
from generator.errors import DigestError

# Files and folders named "dot-x" in the skeleton become ".x": package-data globs and some packaging tools
# skip dotfiles, so the skeleton stores none (the convention GNU Stow uses).
DOT_PREFIX = "dot-"
PLACEHOLDER = re.compile(rb"@(TITLE|BASE_URL|DIGEST_PACKAGE)@")
WORKFLOW = PurePosixPath(".github/workflows/pages.yml")


@dataclass(frozen=True)
class SkeletonFile:
    """One file ``init`` writes: its path inside the new digest and its bytes."""

    target: PurePosixPath
    data: bytes


def skeleton_root() -> Traversable:
    return files("generator") / "skeleton"


def skeleton_files(title: str = SiteConfig.title, base_url: str = SiteConfig.base_url) -> list[SkeletonFile]:
    """Every skeleton file, placeholders filled, in a stable order."""
    # JSON strings are valid YAML double-quoted scalars, so any title (quotes, colons, '#') stays one value.
    site_yaml = {"TITLE": json.dumps(title, ensure_ascii=False), "BASE_URL": json.dumps(base_url)}
    readme = {"TITLE": title, "DIGEST_PACKAGE": digest_requirement()}
    workflow = {"DIGEST_PACKAGE": digest_requirement()}
    fills = {PurePosixPath("site.yaml"): site_yaml, PurePosixPath("README.md"): readme, WORKFLOW: workflow}
    result = []
    for target, source in sorted(_walk(skeleton_root(), PurePosixPath())):
        data = source.read_bytes()
        if target in fills:
            data = _fill(data, fills[target])
        result.append(SkeletonFile(target, data))
    return result


def digest_requirement() -> str:
    """The pip requirement for this very release: what a new digest's Pages workflow installs."""
    return f"{DISTRIBUTION}=={__version__}"


def _fill(data: bytes, values: dict[str, str]) -> bytes:
    def value(match: re.Match[bytes]) -> bytes:
        name = match.group(1).decode()
        return values[name].encode() if name in values else match.group(0)

    return PLACEHOLDER.sub(value, data)


def _walk(folder: Traversable, prefix: PurePosixPath) -> Iterator[tuple[PurePosixPath, Traversable]]:
    for entry in folder.iterdir():
        if entry.name == "__pycache__":
            continue
        target = prefix / _target_name(entry.name)
        if entry.is_dir():
            yield from _walk(entry, target)
        else:
            yield target, entry


def _target_name(name: str) -> str:
    return "." + name.removeprefix(DOT_PREFIX) if name.startswith(DOT_PREFIX) else name


def init_digest(root: Path, title: str | None = None, base_url: str | None = None) -> list[SkeletonFile]:
    """Write the skeleton into ``root`` (created when missing) and return what was written.

    Raises DigestError, writing nothing, when any target already exists.
    """
    url = normalise_base_url(base_url, None) if base_url is not None else SiteConfig.base_url
    planned = skeleton_files(title if title is not None else SiteConfig.title, url)
    existing = [str(f.target) for f in planned if (root / f.target).exists() or (root / f.target).is_symlink()]
    if existing:
        raise DigestError(f"refusing to overwrite existing files: {', '.join(existing)}", root)
    if root.exists() and not root.is_dir():
        raise DigestError("not a folder", root)
    for skeleton_file in planned:
        path = root / skeleton_file.target
        path.parent.mkdir(parents=True, exist_ok=True)
        # "x" mode: should a file appear between the check and now, fail rather than overwrite it.
        with path.open("xb") as handle:
            handle.write(skeleton_file.data)
    return planned
