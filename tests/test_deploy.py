"""``digest deploy`` against real git: a bare repository as the remote, a source repository with a digest."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator import __version__
from generator.build import build_site
from generator.config import SiteConfig, load_config
from generator.deploy import DeployOptions, DeployResult, deploy, is_local_host
from generator.errors import DigestError

ARTICLE = """---
id: {id}
title: {title}
date: '2023-11-17T01:27:00+00:00'
---
{body}
"""


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every git call (ours and deploy's) uses this identity and ignores the machine's git config."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Deployer")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "deployer@example.org")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def files_build(cfg: SiteConfig, out: Path) -> None:
    """A stand-in build that turns content/ into a folder of files, so the git side is tested alone."""
    for md in sorted(cfg.path("content").rglob("*.md")):
        page = out / "articles" / md.stem / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<pre>{md.read_text(encoding='utf-8')}</pre>\n", encoding="utf-8")
    (out / "index.html").write_text(f"<a href='{cfg.base_url}'>home</a>\n", encoding="utf-8")
    (out / "_hidden_by_jekyll").write_text("kept\n", encoding="utf-8")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(bare))
    return bare


@pytest.fixture
def source(tmp_path: Path, remote: Path) -> Path:
    """A committed digest (site.yaml + 2 articles) with a staged change and an untracked file."""
    src = tmp_path / "src"
    git(tmp_path, "init", "--quiet", "-b", "main", str(src))
    (src / "site.yaml").write_text("title: Test digest\nbase_url: https://me.github.io/digest/\n"
                                   "cname: digest.example.org\n", encoding="utf-8")
    (src / ".gitignore").write_text("_site/\n.digest-cache/\n", encoding="utf-8")
    for n in (1, 2):
        write_article(src, n, f"Article {n}", f"Body of article {n}.")
    git(src, "add", ".")
    git(src, "commit", "--quiet", "-m", "digest")
    git(src, "remote", "add", "origin", str(remote))
    (src / "notes.txt").write_text("staged, not committed\n", encoding="utf-8")
    git(src, "add", "notes.txt")
    (src / "scratch.txt").write_text("untracked\n", encoding="utf-8")
    return src


def write_article(root: Path, n: int, title: str, body: str) -> None:
    path = root / "content" / "articles" / "2023" / f"article-{n}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(id=f"{n:016x}", title=title, body=body), encoding="utf-8")


def run_deploy(src: Path, **options: Any) -> DeployResult:
    return deploy(load_config(src), DeployOptions(**options), build=files_build)


def source_state(src: Path) -> tuple[str, str, str, str]:
    return (git(src, "status", "--porcelain", "--untracked-files=all"), git(src, "rev-parse", "HEAD"),
            git(src, "ls-files", "--stage"), git(src, "symbolic-ref", "HEAD"))


def branch_files(repo: Path, branch: str = "gh-pages") -> list[str]:
    return git(repo, "ls-tree", "-r", "--name-only", branch).splitlines()


def commits(repo: Path, branch: str = "gh-pages") -> int:
    return int(git(repo, "rev-list", "--count", branch))


def test_deploy_commits_the_site_to_the_remote_branch(source: Path, remote: Path) -> None:
    before = source_state(source)
    result = deploy(load_config(source), build=files_build)
    assert source_state(source) == before  # working tree, index, HEAD and checked-out branch untouched
    assert branch_files(remote) == [".nojekyll", "CNAME", "_hidden_by_jekyll", "articles/article-1/index.html",
                                    "articles/article-2/index.html", "index.html"]
    assert git(remote, "show", "gh-pages:CNAME") == "digest.example.org"
    assert "https://me.github.io/digest/" in git(remote, "show", "gh-pages:index.html")
    head = git(source, "rev-parse", "--short", "HEAD")
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == f"Deploy {head} with digest {__version__}"
    assert git(remote, "rev-parse", "gh-pages") == git(source, "rev-parse", "gh-pages") == result.commit
    assert not (source / "_site").exists()  # built in a temporary folder, not over the preview build


def test_unchanged_site_makes_no_commit_and_an_edit_makes_one(source: Path, remote: Path) -> None:
    first = run_deploy(source)
    again = deploy(load_config(source), build=files_build)
    assert not again.committed and not again.pushed and again.commit == first.commit
    assert commits(remote) == 1
    write_article(source, 2, "Article 2, corrected", "New body.")
    edited = deploy(load_config(source), build=files_build)
    assert edited.committed and edited.pushed
    assert commits(remote) == 2
    assert git(remote, "rev-parse", "gh-pages^") == first.commit
    assert "New body." in git(remote, "show", "gh-pages:articles/article-2/index.html")


def test_removed_pages_leave_the_branch(source: Path, remote: Path) -> None:
    run_deploy(source)
    (source / "content" / "articles" / "2023" / "article-1.md").unlink()
    run_deploy(source)
    assert "articles/article-1/index.html" not in branch_files(remote)
    assert "articles/article-2/index.html" in branch_files(remote)


def test_history_continues_from_the_remote_branch(source: Path, remote: Path, tmp_path: Path) -> None:
    git(source, "push", "--quiet", "origin", "main")
    run_deploy(source)
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", "--branch", "main", str(remote), str(other))
    (other / "site.yaml").write_text("title: Test digest\nbase_url: https://me.github.io/digest/\n",
                                     encoding="utf-8")
    write_article(other, 1, "Article 1", "Body of article 1.")
    write_article(other, 2, "Article 2", "Body of article 2.")
    write_article(other, 3, "Article 3", "From another clone.")
    from_other = run_deploy(other)
    # The first source's local gh-pages is now behind; its deploy builds on the fetched remote tip.
    write_article(source, 1, "Article 1", "Edited again.")
    latest = run_deploy(source)
    assert git(remote, "rev-parse", "gh-pages^") == from_other.commit
    assert git(remote, "rev-parse", "gh-pages") == latest.commit
    assert commits(remote) == 3
    assert "CNAME" not in git(remote, "ls-tree", "--name-only", "gh-pages^")  # other has no cname


def test_no_push_commits_locally_only(source: Path, remote: Path) -> None:
    result = run_deploy(source, push=False, message="preview")
    assert not result.pushed
    assert git(remote, "branch", "--list") == ""
    assert git(source, "log", "-1", "--format=%s", "gh-pages") == "preview"
    assert ".nojekyll" in branch_files(source)


def test_no_cname_means_no_cname_file(source: Path, remote: Path) -> None:
    (source / "site.yaml").write_text("title: T\nbase_url: https://me.github.io/digest/\n", encoding="utf-8")
    run_deploy(source)
    assert "CNAME" not in branch_files(remote) and ".nojekyll" in branch_files(remote)


def refusal(src: Path, expected: str, **options: Any) -> None:
    refs_before = git(src, "for-each-ref") if (src / ".git").exists() else ""
    with pytest.raises(DigestError, match=expected):
        run_deploy(src, **options)
    if (src / ".git").exists():
        assert git(src, "for-each-ref") == refs_before


def test_refuses_outside_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "site.yaml").write_text("base_url: https://x.org/\n", encoding="utf-8")
    refusal(tmp_path / "plain", "not inside a git repository")


def test_refuses_without_the_remote(source: Path) -> None:
    refusal(source, "no git remote 'upstream'", remote="upstream")


def test_refuses_a_local_base_url(source: Path, remote: Path) -> None:
    (source / "site.yaml").write_text("title: T\n", encoding="utf-8")  # default base_url is 127.0.0.1
    refusal(source, "local address")
    (source / "site.yaml").write_text("base_url: http://localhost:8000/\n", encoding="utf-8")
    refusal(source, "local address")
    assert git(remote, "branch", "--list") == ""


def test_refuses_the_checked_out_branch(source: Path) -> None:
    refusal(source, "checked out", branch="main")


@pytest.mark.parametrize(("host", "local"), [("localhost", True), ("127.0.0.1", True), ("::1", True),
                                             ("0.0.0.0", True), ("app.localhost", True),
                                             ("me.github.io", False), ("10.0.0.1", False)])
def test_local_hosts(host: str, local: bool) -> None:
    assert is_local_host(host) is local


def test_cli_refusal_is_one_line_and_exit_1(source: Path) -> None:
    (source / "site.yaml").write_text("title: T\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(source), "deploy"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"digest: error: {source / 'site.yaml'}: base_url http://127.0.0.1:8000/")


def test_cli_deploy_end_to_end_with_the_real_build(source: Path, remote: Path, tmp_path: Path) -> None:
    """``digest deploy`` as a user runs it: real build, real push; a second run changes nothing."""
    (source / "captures").mkdir()
    (source / "captures" / "new.txt").write_text("Not yet ingested\n\nA capture deploy must not ingest.\n",
                                                 encoding="utf-8")
    before = source_state(source)
    command = [sys.executable, "-m", "generator.cli", "-C", str(source), "deploy"]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    files = set(branch_files(remote))
    assert {"index.html", ".nojekyll", "CNAME", "404.html"} <= files
    assert sum(name.endswith(".html") and name.startswith("articles/") for name in files) == 2
    assert source_state(source) == before and not (source / "_site").exists()
    assert git(remote, "show", "gh-pages:CNAME") == "digest.example.org"
    # The branch holds exactly what `digest build` makes, byte for byte.
    built = tmp_path / "built"
    build_site(load_config(source), ingest_new=False, out=built)
    expected = {p.relative_to(built).as_posix(): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    assert set(expected) == files
    for name, data in expected.items():
        blob = subprocess.run(["git", "show", f"gh-pages:{name}"], cwd=remote, capture_output=True, check=True)
        assert blob.stdout == data, name
    second = subprocess.run(command, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert commits(remote) == 1


def test_a_failed_build_commits_nothing(source: Path, remote: Path) -> None:
    (source / "content" / "articles" / "2023" / "broken.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(DigestError, match=r"broken\.md"):
        deploy(load_config(source))  # the real build
    assert git(remote, "branch", "--list") == "" and git(source, "branch", "--list", "gh-pages") == ""


def test_refuses_an_invalid_branch_name(source: Path) -> None:
    refusal(source, "not a valid branch name", branch="two words")


def test_a_rejected_push_is_one_line_and_a_retry_succeeds(source: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'Pages are frozen today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    with pytest.raises(DigestError, match=r"git push failed: ! \[remote rejected\] .*hook declined") as caught:
        run_deploy(source)
    assert "\n" not in str(caught.value)
    assert git(remote, "branch", "--list") == ""
    hook.unlink()
    retry = run_deploy(source)
    assert retry.pushed and not retry.committed  # the commit made before the failed push is reused
    assert commits(remote) == 1


def test_a_local_commit_not_yet_pushed_is_kept_and_pushed(source: Path, remote: Path) -> None:
    """A ``--no-push`` deploy (or any commit on the local branch ahead of the remote's) stays in history."""
    first = run_deploy(source)
    write_article(source, 1, "Article 1", "Committed locally only.")
    local = run_deploy(source, push=False)
    assert git(remote, "rev-parse", "gh-pages") == first.commit
    write_article(source, 2, "Article 2", "Then deployed.")
    latest = run_deploy(source)
    assert git(remote, "rev-parse", "gh-pages^") == local.commit  # before: parent was the remote tip
    assert git(remote, "rev-parse", "gh-pages^^") == first.commit
    assert latest.pushed and commits(remote) == 3


def test_a_local_branch_that_diverged_from_the_remote_is_refused_and_kept(source: Path, remote: Path,
                                                                          tmp_path: Path) -> None:
    run_deploy(source)
    # This clone makes a gh-pages commit of its own that is not pushed...
    write_article(source, 1, "Article 1", "Local, unpushed.")
    local = run_deploy(source, push=False)
    # ...while someone else deploys from another clone.
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(remote), str(other))
    git(other, "switch", "--quiet", "-c", "main")
    (other / "site.yaml").write_text("title: Other\nbase_url: https://me.github.io/digest/\n", encoding="utf-8")
    write_article(other, 5, "Article 5", "From the other clone.")
    run_deploy(other)
    remote_tip = git(remote, "rev-parse", "gh-pages")
    with pytest.raises(DigestError, match=r"diverged.*git push origin gh-pages.*git branch -f gh-pages") as caught:
        run_deploy(source)
    assert "\n" not in str(caught.value)
    assert git(source, "rev-parse", "gh-pages") == local.commit  # before: dropped (only the reflog had it)
    assert git(remote, "rev-parse", "gh-pages") == remote_tip


def test_a_remote_that_does_not_exist_is_named_in_a_clear_message(source: Path, tmp_path: Path) -> None:
    missing = tmp_path / "gone.git"
    git(source, "remote", "set-url", "origin", str(missing))
    with pytest.raises(DigestError) as caught:
        run_deploy(source)
    message = str(caught.value)
    assert f"cannot read git remote 'origin' ({missing})" in message, message
    assert "does not appear to be a git repository" in message and "git remote -v" in message
    assert "and the repository exists" not in message and "\n" not in message


def test_uncommitted_sources_are_published_with_a_warning_and_a_marked_message(source: Path,
                                                                                remote: Path) -> None:
    clean = run_deploy(source)
    assert clean.uncommitted == () and "uncommitted" not in clean.message  # root notes aside: not sources
    write_article(source, 2, "Article 2", "Edited, not committed.")
    write_article(source, 3, "Article 3", "New, untracked.")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(source), "deploy"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "warning: the site includes changes not committed to git" in done.stderr
    assert "content/articles/2023/article-2.md" in done.stderr and "article-3.md" in done.stderr
    head = git(source, "rev-parse", "--short", "HEAD")
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == \
        f"Deploy {head} plus uncommitted changes with digest {__version__}"
    git(source, "add", "content")
    git(source, "commit", "--quiet", "-m", "articles")
    assert run_deploy(source, push=False).uncommitted == ()
