"""digest as a user installs it: the wheel and the sdist, a fresh virtual environment, the Pages workflow.

Slow (marked ``slow``, still part of ``make test``): the wheel and the sdist are built once for this module
with ``python -m build`` from a copy of the checkout's files, and the wheel is installed once, into a fresh
virtual environment, with nothing else from this checkout, by the install step of the Pages workflow
``digest init`` writes; its dependencies come from the package index as pip resolves them. The install
test and the workflow test share that environment: installing numpy, scipy and lxml again into a second
one took as long as everything else together and checked nothing the first install had not.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import urllib.request
import venv
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import DISTRIBUTION, __version__
from generator.config import load_config
from generator.scaffold import WORKFLOW, skeleton_files
from tests.test_workflow import BASE_URL_EXPR, CAPTURE, RUNNER_SHELL

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 900  # s: a hung step fails the test instead of hanging it; pip may fetch from the index
PAGES_URL = "https://tester.github.io/sample"
# Variables that would let a child process see this checkout or this test's environment.
LEAKY = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE")


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path
    links: Path  # a folder holding the wheel alone: what pip's --find-links points at


@dataclass(frozen=True)
class Installed:
    """A fresh virtual environment with the wheel installed in it."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(self.bin / args[0]), *args[1:]], cwd=cwd, env=isolated_env(self.bin),
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done


def isolated_env(bin_folder: Path, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """This process's environment without this checkout's venv, with ``bin_folder`` first on PATH."""
    own = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != own]
    env = {k: v for k, v in os.environ.items() if k not in LEAKY}
    # pip skips byte-compiling what it installs (Python compiles on import anyway): it halves an install.
    return {**env, **extra, "PATH": os.pathsep.join([str(bin_folder), *path]), "PYTHONUNBUFFERED": "1",
            "PIP_NO_COMPILE": "1"}


def tracked_files() -> list[str]:
    """The checkout's files as git sees them: tracked, plus new ones not ignored (about to be added)."""
    done = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                          capture_output=True, text=True, check=True)
    return [name for name in done.stdout.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """``python -m build`` (the sdist, then the wheel from it) on a copy: no build files land in the checkout."""
    source = tmp_path_factory.mktemp("source")
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    links = tmp_path_factory.mktemp("links")
    shutil.copy2(wheel, links / wheel.name)
    return Dist(wheel, sdist, links)


def new_venv(root: Path) -> Path:
    """A fresh virtual environment with pip, as setup-python gives a runner; returns its bin folder."""
    venv.create(root, with_pip=True, clear=True)
    return root / "bin"


@pytest.fixture(scope="module")
def installed(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh virtual environment (what actions/setup-python leaves on the Pages runner) into which the
    workflow's own install step, as ``digest init`` writes it, installed digest from the wheel."""
    env = Installed(tmp_path_factory.mktemp("venv"))
    new_venv(env.root)
    workflow = yaml.safe_load(skeleton_workflow())
    [install] = [step for step in workflow["jobs"]["build"]["steps"] if step.get("name") == "Install digest"]
    run_step(install, workflow, env.bin, dist, cwd=env.root)
    return env


def skeleton_workflow() -> str:
    """The Pages workflow as ``digest init`` writes it (the checkout's skeleton, the wheel's too)."""
    [workflow] = [f.data for f in skeleton_files() if f.target == WORKFLOW]
    return workflow.decode("utf-8")


def run_step(step: Mapping[str, Any], workflow: Mapping[str, Any], runner: Path, dist: Dist,
             cwd: Path) -> None:
    """One ``run:`` step of the build job as the runner runs it: its shell, the workflow's, the job's and
    the step's environment, and ``runner`` first on PATH. pip finds digest in a local folder
    (``PIP_FIND_LINKS``), as it would find it on the package index; its dependencies come from the index."""
    links = " ".join([str(dist.links), *os.environ.get("PIP_FIND_LINKS", "").split()])  # keep the machine's
    env = isolated_env(runner, {**workflow.get("env", {}), **workflow["jobs"]["build"].get("env", {}),
                                **step.get("env", {}), "PIP_FIND_LINKS": links})
    done = subprocess.run([*RUNNER_SHELL, "-c", expand(step["run"])], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, f"{step.get('name')}: {done.stdout}\n{done.stderr}"


def wheel_names(dist: Dist) -> set[str]:
    with zipfile.ZipFile(dist.wheel) as wheel:
        return set(wheel.namelist())


def test_wheel_and_sdist_pass_twine_check(dist: Dist) -> None:
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dist.wheel), str(dist.sdist)],
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_metadata_names_the_distribution_its_version_and_the_command(dist: Dist) -> None:
    info = f"{DISTRIBUTION.replace('-', '_')}-{__version__}.dist-info"
    assert dist.wheel.name == f"{DISTRIBUTION.replace('-', '_')}-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(dist.wheel) as wheel:
        metadata = email.parser.BytesParser().parsebytes(wheel.read(f"{info}/METADATA"))
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert (metadata["Name"], metadata["Version"]) == (DISTRIBUTION, __version__)
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "digest = generator.cli:main" in entry_points
    with tarfile.open(dist.sdist) as sdist:
        pkg_info = sdist.extractfile(f"{dist.sdist.name.removesuffix('.tar.gz')}/PKG-INFO")
        assert pkg_info is not None
        sdist_metadata = email.parser.BytesParser().parsebytes(pkg_info.read())
    assert (sdist_metadata["Name"], sdist_metadata["Version"]) == (DISTRIBUTION, __version__)


def test_every_data_file_under_generator_is_in_the_wheel(dist: Dist) -> None:
    """Theme, skeleton, search assets, the cleaner's model and any data file added later."""
    data = {name for name in tracked_files() if name.startswith("generator/") and not name.endswith(".py")}
    assert {"generator/themes/default/templates/base.html", "generator/research/assets/digest-search.js",
            "generator/skeleton/dot-github/workflows/pages.yml"} <= data
    names = wheel_names(dist)
    assert data - names == set()
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def new_digest(installed: Installed, root: Path) -> Path:
    installed.run("digest", "init", str(root), "--title", "Installed digest", cwd=root.parent)
    (root / "captures" / "kozlov.txt").write_text(CAPTURE, encoding="utf-8")
    return root


def test_the_installed_command_inits_builds_and_serves(installed: Installed, tmp_path: Path) -> None:
    where = installed.run("python", "-c", "import generator; print(generator.__file__)", cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(installed.root)  # not this checkout
    version = installed.run("digest", "--version", cwd=tmp_path)
    assert version.stdout == f"{DISTRIBUTION} {__version__}\n"

    root = new_digest(installed, tmp_path / "digest")
    workflow = (root / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert f'DIGEST_PACKAGE: "{DISTRIBUTION}=={__version__}"' in workflow  # the release that wrote it
    installed.run("digest", "-C", str(root), "build", cwd=tmp_path)
    site = root / load_config(root).folders.output
    assert "Kozlov" in (site / "index.html").read_text(encoding="utf-8")  # the cleaner ingested the capture
    assert (site / "static" / "style.css").is_file()  # the bundled theme
    assert (site / "pagefind" / "digest-search.js").is_file()  # the search assets

    with serving(installed, root) as url, urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        assert "Installed digest" in response.read().decode("utf-8")


@contextmanager
def serving(installed: Installed, root: Path) -> Iterator[str]:
    """``digest serve`` on a free port of 127.0.0.1; yields its URL, then stops it with Ctrl-C."""
    process = subprocess.Popen([str(installed.bin / "digest"), "-C", str(root), "serve", "--port", "0"],
                               cwd=root, env=isolated_env(installed.bin), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        lines = []
        while line := process.stdout.readline():  # the first build runs before it says where it serves
            lines.append(line)
            if line.startswith("serving "):
                break
        else:
            raise AssertionError("".join(lines))
        yield line.split()[1]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def expand(script: str) -> str:
    """The ``${{ }}`` expressions GitHub fills in before a step runs; any other one fails the test."""
    script = script.replace(BASE_URL_EXPR, PAGES_URL)  # configure-pages gives it without a trailing slash
    assert "${{" not in script, script
    return script


def test_the_workflow_init_writes_runs_as_the_pages_runner_would(installed: Installed, dist: Dist,
                                                                   tmp_path: Path) -> None:
    """Every ``run:`` step of the build job, in order, in the runner's environment, against the wheel.

    The environment is the one the ``installed`` fixture made fresh with this very workflow's install step
    (the same file, checked below), so here that step finds digest installed; ``uses:`` steps are GitHub's
    own actions and are skipped, but the artifact upload must point at the folder the build wrote.
    """
    root = new_digest(installed, tmp_path / "digest")
    text = (root / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert text == skeleton_workflow()  # the install step the fixture ran is this workflow's
    workflow = yaml.safe_load(text)
    uploads = []
    for step in workflow["jobs"]["build"]["steps"]:
        if "uses" in step:
            if step["uses"].startswith("actions/upload-pages-artifact@"):
                uploads.append(step["with"]["path"])
            continue
        run_step(step, workflow, installed.bin, dist, cwd=root)

    version = subprocess.run([str(installed.bin / "digest"), "--version"], capture_output=True, text=True,
                             check=True)
    assert version.stdout == f"{DISTRIBUTION} {__version__}\n"  # the runner's own digest built the site
    assert uploads == [load_config(root).folders.output]  # where this digest's build writes
    site = root / uploads[0]
    assert (site / "index.html").is_file() and (site / "404.html").is_file()
    assert f"{PAGES_URL}/" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "Kozlov" in (site / "index.html").read_text(encoding="utf-8")
