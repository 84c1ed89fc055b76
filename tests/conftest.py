"""Shared fixtures."""

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "site"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the fixture digest (without any output or cache left in the source tree)."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("_site", ".digest-cache"))
    return root
