from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_when_site_yaml_is_absent(tmp_path):
    cfg = load_config(tmp_path)
    assert cfg.per_page == 10
    assert cfg.base_url.endswith("/")
    assert cfg.path("content") == tmp_path.resolve() / "content"


def test_full_config_is_typed(tmp_path):
    cfg = load_config(write(tmp_path, """
title: T
base_url: https://user.github.io/repo
timezone: Europe/Berlin
per_page: 5
topics:
  - name: North Korea
    terms: [Pyongyang, DPRK]
  - name: Trade
    terms: trade
folders:
  content: articles
"""))
    assert cfg.base_url == "https://user.github.io/repo/"
    assert cfg.topics[0].terms == ("Pyongyang", "DPRK")
    assert cfg.topics[1].terms == ("trade",)
    assert cfg.path("content").name == "articles"
    assert cfg.tz.key == "Europe/Berlin"


def test_unknown_key_names_the_key_the_line_and_the_allowed_ones(tmp_path):
    write(tmp_path, "title: T\nper_pgae: 5\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    message = str(err.value)
    assert "'per_pgae'" in message and "per_page" in message
    assert message.startswith(f"{tmp_path / 'site.yaml'}:2:")


def test_unknown_nested_key(tmp_path):
    write(tmp_path, "topics:\n  - name: X\n    termz: [a]\n")
    with pytest.raises(ConfigError, match="termz"):
        load_config(tmp_path)


@pytest.mark.parametrize("text, problem", [
    ("per_page: ten\n", "per_page: expected int"),
    ("per_page: 0\n", "per_page: must be at least 1"),
    ("timezone: Mars/Olympus\n", "unknown time zone"),
    ("base_url: example.org\n", "absolute http"),
    ("title: [unclosed\n", "invalid YAML"),
    ("- a\n- b\n", "expected a mapping"),
    ("topics:\n  - name: A\n  - name: a\n", "declared more than once"),
])
def test_bad_values_are_one_line_errors(tmp_path, text, problem):
    write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert problem in str(err.value)
    assert "\n" not in str(err.value)


def test_base_url_override(tmp_path):
    cfg = load_config(write(tmp_path, "base_url: https://example.org/\n"), base_url="https://x.github.io/r")
    assert cfg.base_url == "https://x.github.io/r/"


def test_readme_documents_every_key():
    import dataclasses

    from generator.config import SiteConfig

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for key in (f.name for f in dataclasses.fields(SiteConfig) if f.name != "root"):
        assert f"| `{key}` |" in readme, f"README.md does not document site.yaml key {key!r}"
