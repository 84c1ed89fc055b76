"""Bad input from real files, through the real command line: one line naming the file and the line, a
hint where one helps, exit 1, and nothing else lost (issue 16)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "site"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def site_yaml(tmp_path: Path, text: str) -> Path:
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def error_of(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> str:
    code, _out, err = run(capsys, "-C", str(root), *argv)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, printed once
    return lines[0]


CONFIG_CASES = [
    # (site.yaml, line, words the message must have)
    ("title: T\nper_pgae: 5\n", 2, ["'per_pgae'", "did you mean 'per_page'?"]),
    ("title: T\ndescription: 'an unclosed quote\nper_page: 3\nfeed_limit: 5\n", 2,
     ["a quote opened here is never closed"]),
    ("title: T\ntopics: [China, Russia]\n", 2, ["topics[0]", "'China'", "- name: China"]),
    ("title: T\ntitle: U\n", 2, ["duplicate key 'title'", "line 1"]),
    ("title: T\nlanguage: ../../../../outside/x\n", 2, ["language:", "language tag"]),
    ("title: T\nlanguage: 'en\"><script>alert(1)</script>'\n", 2, ["language:", "language tag"]),
    ("title: T\nbase_url: 'https://example.org/a b/'\n", 2, ["base_url", "without spaces"]),
    ("title: T\nbase_url: 'https://example.org/\"><script>'\n", 2, ["base_url"]),
    ("title: T\ncname: 'example.org; rm -rf /'\n", 2, ["cname:", "one host name"]),
    ("title: T\ncname: https://example.org/\n", 2, ["cname:"]),
    ("title: T\ntheme: ../../etc\n", 2, ["theme:"]),
    ("title: T\ntheme: nosuchtheme\n", 2, ["theme: no theme 'nosuchtheme'"]),
    ("title: T\n\nper_page: 0\n", 3, ["per_page: must be at least 1"]),
    ("title: T\ntimezone: Mars/Olympus\n", 2, ["unknown time zone"]),
    ("title: T\ntopics:\n  - name: A\n    termz: [x]\n", 4, ["'termz'", "did you mean 'terms'?"]),
    ("title: T\ntopics:\n  - name: A\n  - name: B\n    terms: 7\n", 5, ["topics[1].terms"]),
    ("title: T\ntopics:\n  - name: A\n  - terms: [x]\n", 4, ["topics[1]: 'name' is required"]),
]


@pytest.mark.parametrize("text, line, words", CONFIG_CASES)
def test_site_yaml_errors_name_the_line_with_a_hint(tmp_path, capsys, text, line, words):
    root = site_yaml(tmp_path, text)
    message = error_of(capsys, root, "build", "--no-ingest")
    assert message.startswith(f"digest: error: {root / 'site.yaml'}:{line}: "), message
    for word in words:
        assert word in message
    assert not (root / "_site").exists()


ARTICLE = "---\nid: {id}\ntitle: {title}\n{extra}---\n\nSome text of the article.\n"


def article(root: Path, name: str, title: str = "A title", id: str = "a1", extra: str = "") -> Path:
    path = root / "content" / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(id=id, title=title, extra=extra), encoding="utf-8")
    return path


@pytest.mark.parametrize("extra, line, words", [
    ("date: 2024-02-30\n", 4, ["date: '2024-02-30' is not a valid date", "accepted forms: 2024-11-15"]),
    ("date: 2024-13-45\n", 4, ["'2024-13-45' is not a valid date", "accepted forms"]),
    ("date: '2019-13-45'\n", 4, ["date: '2019-13-45' is not a valid date", "month must be in 1..12",
                                 "accepted forms"]),
    ("date: 2024-01-01T25:00:00\n", 4, ["not a valid date", "accepted forms"]),
    ("date: '2024-01-01T25:00'\n", 4, ["not a valid date", "accepted forms"]),
    ("date: 0000-01-01\n", 4, ["not a valid date", "accepted forms"]),
    ("source: A\nsource: B\n", 5, ["duplicate key 'source'", "line 4"]),
    ("autors: [A]\n", 4, ["autors: unknown", "did you mean 'authors'?"]),
    ("slug: a/b\n", 4, ["slug: 'a/b' is not a single URL segment"]),
])
def test_front_matter_errors_name_the_line_once_and_never_a_traceback(tmp_path, capsys, extra, line, words):
    root = site_yaml(tmp_path, "title: T\n")
    path = article(root, "2024/2024-01-01-a-title.md", extra=extra)
    message = error_of(capsys, root, "build")
    assert message.startswith(f"digest: error: {path}:{line}: "), message
    for word in words:
        assert word in message


def test_two_articles_with_one_id_fail_the_build_naming_both(tmp_path, capsys):
    root = site_yaml(tmp_path, "title: T\n")
    first = article(root, "one.md", title="One", id="same")
    second = article(root, "two.md", title="Two", id="same")
    message = error_of(capsys, root, "build")
    assert f"{second}:2: id: 'same' is also the id of {first}" in message
    assert not (root / "_site").exists()


def test_url_clashes_name_both_files_and_the_line(tmp_path, capsys):
    root = site_yaml(tmp_path, "title: T\n")
    first = article(root, "2023/2023-01-01-same-name.md", title="One", id="a")
    second = article(root, "2024/2024-01-01-same-name.md", title="Two", id="b")
    message = error_of(capsys, root, "build")
    assert "articles/same-name/ clashes" in message and str(first) in message
    assert message.startswith(f"digest: error: {second}:3: ")


def test_topic_url_clash_names_the_topic_line(tmp_path, capsys):
    root = site_yaml(tmp_path, "title: T\ntopics:\n  - name: Trade\n  - name: Other\n    slug: trade\n")
    article(root, "a.md", extra="topics: [Trade, Other]\n")
    message = error_of(capsys, root, "build")
    assert "topics/trade/ clashes" in message and f"{root / 'site.yaml'}:" in message


def test_an_unknown_command_gets_did_you_mean(capsys):
    code, _out, err = run(capsys, "biuld")
    assert code == 2
    from generator.cli import COMMANDS

    assert err.strip() == ("digest: error: unknown command 'biuld'; did you mean 'build'? "
                           f"(commands: {', '.join(COMMANDS)})")
    assert "clean, ingest, add" in err


def test_a_fifo_named_on_the_command_line_is_refused_not_waited_for(tmp_path):
    site_yaml(tmp_path, "title: T\n")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(tmp_path), "clean", str(fifo)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == f"digest: error: {fifo}: not a regular file (a pipe, socket or device): not read"


def test_a_link_to_a_device_or_outside_the_captures_folder_is_refused(tmp_path, capsys):
    root = site_yaml(tmp_path, "title: T\n")
    captures = root / "captures"
    captures.mkdir()
    (captures / "zero.txt").symlink_to("/dev/zero")
    secret = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    secret.write_text("A private note\n\n" + "Words of a private note that is not a capture. " * 20,
                      encoding="utf-8")
    (captures / "outside.txt").symlink_to(secret)
    shutil.copy(Path(__file__).parent / "fixtures" / "seeds" / "captures" / "000_7002a95821888dd5.txt",
                captures / "good.txt")
    code, out, _err = run(capsys, "-C", str(root), "ingest", str(captures / "zero.txt"), str(captures))
    assert code == 1
    assert "captures/zero.txt  (" in out and "/dev/zero, outside" in out
    assert "captures/outside.txt  (" in out and "outside" in out and "refused" in out
    assert "new       captures/good.txt" in out
    assert len(list((root / "content").rglob("*.md"))) == 1


def test_a_link_to_a_device_is_never_read(tmp_path, capsys):
    root = site_yaml(tmp_path, "title: T\n")
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")  # its size is 0; reading it never ends
    code, _out, err = run(capsys, "-C", str(root), "clean", str(zero))
    assert code == 1
    assert err.strip() == f"digest: error: {zero}: not a regular file (a pipe, socket or device): not read"


def test_an_articles_language_and_url_never_reach_markup_unchecked(tmp_path, capsys):
    root = site_yaml(tmp_path, "title: T\nresearch: false\n")
    path = article(root, "a.md", extra="language: 'en\"><script>alert(1)</script>'\n")
    assert error_of(capsys, root, "build").startswith(f"digest: error: {path}:4: language: ")
    article(root, "a.md", extra="source: Somewhere\nurl: 'javascript:alert(1)'\nlanguage: west_frisian\n"
                                "date: '2024-01-01'\n")
    assert run(capsys, "-C", str(root), "build")[0] == 0
    for name in ("feed.xml", "atom.xml", "articles/a/index.html"):
        assert "javascript:" not in (root / "_site" / name).read_text(encoding="utf-8"), name


def test_a_fifo_or_a_link_to_a_device_among_the_articles_fails_the_build_at_once(tmp_path):
    root = site_yaml(tmp_path, "title: T\nresearch: false\n")
    article(root, "a.md")
    (root / "captures").mkdir()
    os.mkfifo(root / "content" / "articles" / "pipe.md")
    (root / "content" / "articles" / "zero.md").symlink_to("/dev/zero")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(root), "build"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"digest: error: {root / 'content/articles/pipe.md'}: not a regular file (a pipe, socket or device): not read",
        f"{root / 'content/articles/zero.md'}: not a regular file (a pipe, socket or device): not read"]
