"""``digest init``: the skeleton it writes loads, documents every setting, and never overwrites a file."""

import dataclasses
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml

from generator import DISTRIBUTION, __version__
from generator.config import Folders, SiteConfig, TopicConfig, load_config
from generator.errors import DigestError
from generator.ingest import ingest
from generator.scaffold import init_digest, skeleton_files
from tests.trees import tree

REPO = Path(__file__).resolve().parents[1]
EXPECTED = {".github/workflows/pages.yml", ".gitignore", "README.md", "captures/.gitkeep",
            "content/.gitkeep", "site.yaml"}


def digest_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True,
                          text=True, check=False)


def default_site_yaml() -> dict[str, object]:
    data = next(f.data for f in skeleton_files() if f.target.as_posix() == "site.yaml")
    loaded = yaml.safe_load(data)
    assert isinstance(loaded, dict)
    return loaded


def test_init_writes_the_skeleton_and_it_loads(tmp_path: Path) -> None:
    root = tmp_path / "new" / "digest"  # missing folders are created
    written = init_digest(root, title="Arctic shipping", base_url="https://me.github.io/arctic")
    assert {f.target.as_posix() for f in written} == EXPECTED == set(tree(root))
    cfg = load_config(root)
    assert cfg.title == "Arctic shipping"
    assert cfg.base_url == "https://me.github.io/arctic/"  # normalised, as load_config would
    assert (root / "README.md").read_text(encoding="utf-8").startswith("# Arctic shipping\n")
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert {"_site/", ".digest-cache/", ".venv/"} <= set(ignored)


def test_skeleton_site_yaml_lists_every_setting_with_its_default() -> None:
    data = default_site_yaml()
    schema = {f.name for f in dataclasses.fields(SiteConfig)} - {"root"}
    assert set(data) == schema
    folders = data["folders"]
    assert isinstance(folders, dict)
    assert set(folders) == {f.name for f in dataclasses.fields(Folders)}
    assert data["topics"] == []


def test_skeleton_values_are_the_schema_defaults(tmp_path: Path) -> None:
    init_digest(tmp_path)
    assert load_config(tmp_path) == SiteConfig()  # root is not compared


def test_commented_topic_example_documents_every_topic_key_and_loads(tmp_path: Path) -> None:
    text = next(f.data for f in skeleton_files() if f.target.as_posix() == "site.yaml").decode()
    example = "\n".join(line[1:].removeprefix(" ") for line in text.splitlines() if line.startswith("#   "))
    (tmp_path / "site.yaml").write_text(textwrap.dedent(example), encoding="utf-8")
    (topic,) = load_config(tmp_path).topics
    assert {f.name for f in dataclasses.fields(TopicConfig)} <= set(re.findall(r"(\w+):", example))
    assert topic.name and topic.terms and topic.slug and topic.description


@pytest.mark.parametrize("title", ['He said "no": #1 — Übersicht', "yes", "'quoted'", "a\\b {x} [y]"])
def test_any_title_round_trips(tmp_path: Path, title: str) -> None:
    init_digest(tmp_path, title=title)
    assert load_config(tmp_path).title == title


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: Mine\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("my notes\n", encoding="utf-8")
    before = tree(tmp_path)
    with pytest.raises(DigestError) as caught:
        init_digest(tmp_path, title="Other")
    assert "README.md" in str(caught.value) and "site.yaml" in str(caught.value)
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "site.yaml"]  # no folders either


def test_init_rejects_a_bad_base_url_before_writing(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="base_url"):
        init_digest(tmp_path / "d", base_url="me.github.io/repo")
    assert not (tmp_path / "d").exists()


def test_cli_init_and_refusal(tmp_path: Path) -> None:
    done = digest_cli("init", str(tmp_path / "d"), "--title", "T", "--base-url", "https://x.org/d/")
    assert done.returncode == 0, done.stderr
    # The next step is the README's quick start: add a page by its address (or save one), then preview.
    assert done.stdout.splitlines()[-1] == (f"next: cd {tmp_path / 'd'} && digest add URL (or save pages into "
                                            "captures/), then digest serve")
    assert load_config(tmp_path / "d").base_url == "https://x.org/d/"
    again = digest_cli("init", str(tmp_path / "d"))
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and again.stderr.startswith("digest: error: ")
    for name in EXPECTED:
        assert name in again.stderr


def test_cli_init_defaults_to_the_root_option(tmp_path: Path) -> None:
    assert digest_cli("-C", str(tmp_path), "init").returncode == 0
    assert set(tree(tmp_path)) == EXPECTED


def test_captures_placeholder_is_not_ingested(tmp_path: Path) -> None:
    init_digest(tmp_path)
    assert ingest(load_config(tmp_path), [tmp_path / "captures"], progress=False) == []


def test_the_repository_publishes_with_the_workflow_init_writes() -> None:
    """Line for line the same, but for the install source: the repository's own checkout."""
    written = next(f.data for f in skeleton_files() if f.target.as_posix() == ".github/workflows/pages.yml")
    own = (REPO / ".github" / "workflows" / "pages.yml").read_bytes()
    differ = [(a, b) for a, b in zip(written.splitlines(), own.splitlines(), strict=True) if a != b]
    assert differ == [(f'  DIGEST_PACKAGE: "{DISTRIBUTION}=={__version__}"'.encode(), b'  DIGEST_PACKAGE: "."')]


def test_a_title_holding_a_placeholder_stays_as_typed(tmp_path: Path) -> None:
    init_digest(tmp_path, title="@DIGEST_PACKAGE@ and @BASE_URL@")
    assert load_config(tmp_path).title == "@DIGEST_PACKAGE@ and @BASE_URL@"
    assert (tmp_path / "README.md").read_text(encoding="utf-8").startswith("# @DIGEST_PACKAGE@ and @BASE_URL@\n")


def test_version_names_the_distribution() -> None:
    done = digest_cli("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{DISTRIBUTION} {__version__}\n"
    with (REPO / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    assert project["name"] == DISTRIBUTION and "version" in project["dynamic"]  # the version lives in generator
