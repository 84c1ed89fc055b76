"""The GitHub Pages workflow init writes (and this repository uses): its shape, and its steps run locally."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from generator import DISTRIBUTION, __version__
from generator.config import SiteConfig
from generator.scaffold import init_digest, skeleton_files

REPO = Path(__file__).resolve().parents[1]
BASE_URL_EXPR = "${{ steps.pages.outputs.base_url }}"
VENV_BIN = Path(sys.executable).parent
# How GitHub runs a `run:` step on ubuntu runners.
RUNNER_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]

CAPTURE = """Kozlov visits Pyongyang for trade talks

By Jane Roe | November 15, 2023

A Russian delegation led by Natural Resources Minister Alexander Kozlov arrived in Pyongyang on Tuesday to \
discuss cooperation in trade, economy, science and technology, state media said.

The visit comes as ties between Moscow and Pyongyang grow, worrying officials in Washington and Seoul.
"""


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    text = next(f.data for f in skeleton_files() if f.target.as_posix() == ".github/workflows/pages.yml")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def step(job: dict[str, Any], *, uses: str = "", name: str = "") -> dict[str, Any]:
    found = [s for s in job["steps"] if (uses and s.get("uses", "").startswith(uses + "@"))
             or (name and s.get("name") == name)]
    assert len(found) == 1, (uses, name)
    return found[0]  # type: ignore[no-any-return]


def test_triggers_permissions_and_concurrency(workflow: dict[Any, Any]) -> None:
    triggers = workflow["on" if "on" in workflow else True]  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_build_job_configures_builds_and_uploads(workflow: dict[Any, Any]) -> None:
    build = workflow["jobs"]["build"]
    steps = build["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert step(build, uses="actions/configure-pages")["id"] == "pages"
    run = step(build, name="Build")["run"]
    assert f'--base-url "{BASE_URL_EXPR}/"' in run
    upload = step(build, uses="actions/upload-pages-artifact")
    assert upload["with"]["path"] == SiteConfig().folders.output == "_site"
    names = [s.get("uses", s.get("name")).split("@")[0] for s in steps]
    assert names.index("actions/configure-pages") < names.index("Build") < names.index(
        "actions/upload-pages-artifact")


def test_deploy_job(workflow: dict[Any, Any]) -> None:
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert step(deploy, uses="actions/deploy-pages")["id"] == "deployment"


def test_actions_track_a_major_version(workflow: dict[Any, Any]) -> None:
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert len(uses) == 5
    for ref in uses:
        assert re.fullmatch(r"actions/[a-z-]+@v\d+", ref), ref


def test_install_source_is_this_release_shown_in_the_readme(workflow: dict[Any, Any]) -> None:
    spec = workflow["env"]["DIGEST_PACKAGE"]
    requirement = Requirement(spec)
    assert requirement.name == DISTRIBUTION and requirement.url is None
    assert str(requirement.specifier) == f"=={__version__}"
    readme = next(f.data for f in skeleton_files() if f.target.as_posix() == "README.md").decode()
    assert f'pipx install "{spec}"' in readme and "DIGEST_PACKAGE" in readme
    assert "@" not in spec and "@DIGEST_PACKAGE@" not in readme  # every placeholder filled


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RUNNER_SHELL, "-c", script], cwd=cwd, env={**os.environ, **env},
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("where", ["own repository", "a user's digest"])
def test_install_step_installs_the_source(tmp_path: Path, where: str) -> None:
    """The install script really runs; only ``python`` is a stub that records what it was asked."""
    stub = tmp_path / "bin" / "python"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$RECORD"\n', encoding="utf-8")
    stub.chmod(0o755)
    if where == "own repository":
        cwd, text = REPO, (REPO / ".github" / "workflows" / "pages.yml").read_bytes()
    else:
        cwd = tmp_path / "digest"
        text = next(f.data for f in init_digest(cwd) if f.target.as_posix() == ".github/workflows/pages.yml")
    workflow = yaml.safe_load(text)
    env = {**workflow["env"], "PATH": f"{stub.parent}{os.pathsep}{os.environ['PATH']}",
           "RECORD": str(tmp_path / "record")}
    done = run_step(step(workflow["jobs"]["build"], name="Install digest")["run"], cwd, env)
    assert done.returncode == 0, done.stderr
    recorded = (tmp_path / "record").read_text(encoding="utf-8").splitlines()
    source = "." if where == "own repository" else f"{DISTRIBUTION}=={__version__}"
    assert recorded == ["-m", "pip", "install", source]


def new_digest(root: Path) -> None:
    init_digest(root, title="Workflow test")
    (root / "captures" / "kozlov.txt").write_text(CAPTURE, encoding="utf-8")


def this_repository_sample(root: Path) -> None:
    """A copy of the sample digest this repository publishes (its site.yaml and captures)."""
    root.mkdir()
    shutil.copy2(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "captures", root / "captures")


@pytest.mark.parametrize("make_digest", [new_digest, this_repository_sample])
def test_build_step_builds_for_the_pages_url(workflow: dict[Any, Any], tmp_path: Path,
                                             make_digest: Callable[[Path], None]) -> None:
    root = tmp_path / "digest"
    make_digest(root)
    run = step(workflow["jobs"]["build"], name="Build")["run"]
    assert shlex.split(run)[:2] == ["digest", "build"]
    # configure-pages gives the URL without a trailing slash.
    script = run.replace(BASE_URL_EXPR, "https://tester.github.io/sample")
    done = run_step(script, root, {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    site = root / "_site"
    assert (site / "index.html").is_file() and (site / "404.html").is_file()
    assert "https://tester.github.io/sample/" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "Kozlov" in (site / "index.html").read_text(encoding="utf-8")  # captures were ingested
