"""``digest deploy``: build the site and commit it to a ``gh-pages`` branch, then push.

Like ``ghp-import`` (what ``mkdocs gh-deploy`` uses), everything goes through git plumbing, so the
working tree, the index and the checked-out branch are never touched:

1. fetch the remote's branch, so the new commit continues its history (a local branch ahead of it, such
   as a ``--no-push`` deploy, is continued and pushed; one that has diverged from it is refused: building
   on either side would drop the other's commits from the branch);
2. build into a temporary folder;
3. stage that folder into a *temporary* index (``GIT_INDEX_FILE`` + ``git --work-tree=<site> add``),
   add ``.nojekyll`` and ``CNAME``, and ``git write-tree``;
4. ``git commit-tree`` + ``git update-ref``, unless the tree equals the branch tip's (nothing changed,
   no empty commit);
5. ``git push`` (never forced).

Why not the ``ghp-import`` package: it commits even when nothing changed, does not fetch first (it bases
the commit on whatever remote-tracking ref is lying around), and has had no release since 2022. Staging
with ``git add`` into a throwaway index lets git itself handle file modes and trees, in a few calls.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator import __version__
from generator.config import CONFIG_NAME, SiteConfig
from generator.errors import DigestError

# Builds the site for ``cfg`` into the (empty, existing) folder given.
BuildStep = Callable[[SiteConfig, Path], None]


@dataclass(frozen=True)
class DeployOptions:
    remote: str = "origin"
    branch: str = "gh-pages"
    message: str | None = None  # default: "Deploy <source HEAD short sha> with digest <version>"
    push: bool = True


@dataclass(frozen=True)
class DeployResult:
    commit: str  # the branch tip after the deploy
    committed: bool  # False when the built tree equals the previous tip's
    pushed: bool
    message: str
    uncommitted: tuple[str, ...] = ()  # source files built with changes git has not committed


@dataclass(frozen=True)
class Git:
    """Runs git in one repository; failures become one-line DigestErrors naming ``where``."""

    cwd: Path
    where: Path

    def __call__(self, *args: str, env: Mapping[str, str] | None = None, stdin: bytes | None = None) -> str:
        done = self.run(*args, env=env, stdin=stdin)
        if done.returncode != 0:
            raise DigestError(f"git {args[0]} failed: {_complaint(done.stderr) or 'exit ' + str(done.returncode)}",
                              self.where)
        return done.stdout.decode("utf-8", "replace").strip()

    def run(self, *args: str, env: Mapping[str, str] | None = None,
            stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(["git", *args], cwd=self.cwd, input=stdin, capture_output=True,
                                  env={**os.environ, **(env or {})}, check=False)
        except FileNotFoundError:
            raise DigestError("git is not installed (digest deploy needs it)", self.where) from None

    def ok(self, *args: str) -> str | None:
        """Output of a git query, or None when git says no (missing ref, no such remote...)."""
        done = self.run(*args)
        return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None


def _complaint(stderr: bytes) -> str:
    """git's verdict in one line: refused refs ("! [rejected] ... (why)") and its last non-hint line."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()
             if line.strip() and not line.startswith("hint:")]
    picked = [line for line in lines[:-1] if line.startswith("! [")] + lines[-1:]
    return "; ".join(picked)


def build_with_digest(cfg: SiteConfig, out: Path) -> None:
    """The real build. New captures are not ingested: a deploy must not write into ``content/``."""
    from generator.build import build_site  # imported here so the git side works on its own

    build_site(cfg, ingest_new=False, out=out)


def deploy(cfg: SiteConfig, options: DeployOptions = DeployOptions(),
           build: BuildStep = build_with_digest) -> DeployResult:
    """Build ``cfg``'s site and commit it to ``options.branch``; see the module docstring."""
    git = Git(cfg.root, cfg.root)
    _check_repository(git, options)
    has_remote = git.ok("remote", "get-url", options.remote) is not None
    if options.push and not has_remote:
        raise DigestError(f"no git remote {options.remote!r}: add one with `git remote add {options.remote} "
                          "URL` or name another with --remote", cfg.root)
    _check_base_url(cfg)
    remote_tip = _fetch_branch(git, options) if has_remote else None
    local_tip = git.ok("rev-parse", "--verify", "-q", f"refs/heads/{options.branch}^{{commit}}")
    parent = _parent(git, options, local_tip, remote_tip)
    uncommitted = uncommitted_sources(git, cfg)
    message = options.message or default_message(git, dirty=bool(uncommitted))
    with tempfile.TemporaryDirectory(prefix="digest-deploy-") as work:
        site = Path(work) / "site"
        site.mkdir()
        build(cfg, site)
        tree = _write_tree(git, site, Path(work) / "index", cfg.cname)
    if parent is not None and git("rev-parse", f"{parent}^{{tree}}") == tree:
        commit, committed = parent, False  # nothing changed: no empty commit
    else:
        commit, committed = _commit(git, tree, parent, message), True
    if commit != local_tip:
        git("update-ref", "-m", "digest deploy", f"refs/heads/{options.branch}", commit, local_tip or "")
    pushed = options.push and commit != remote_tip
    if pushed:
        git("push", "--quiet", options.remote, f"refs/heads/{options.branch}:refs/heads/{options.branch}")
    return DeployResult(commit, committed, pushed, message, uncommitted)


def _check_repository(git: Git, options: DeployOptions) -> None:
    if git.ok("rev-parse", "--git-dir") is None:
        raise DigestError("not inside a git repository: digest deploy commits the site to a branch of "
                          "the repository holding site.yaml (run `git init` and add a remote first)", git.where)
    if git.ok("check-ref-format", f"refs/heads/{options.branch}") is None:
        raise DigestError(f"{options.branch!r} is not a valid branch name", git.where)
    if git.ok("symbolic-ref", "-q", "HEAD") == f"refs/heads/{options.branch}":
        raise DigestError(f"branch {options.branch!r} is checked out here; deploy to it from your source "
                          "branch (or name another with --branch)", git.where)


def _check_base_url(cfg: SiteConfig) -> None:
    """A site built for localhost has broken feed, sitemap and 404 links once published."""
    host = urlsplit(cfg.base_url).hostname or ""
    if is_local_host(host):
        raise DigestError(f"base_url {cfg.base_url} is a local address; set base_url to the published "
                          "address (e.g. https://<user>.github.io/<repo>/) before deploying",
                          cfg.root / CONFIG_NAME)


def is_local_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _fetch_branch(git: Git, options: DeployOptions) -> str | None:
    """Fetch the remote's branch (when it has one) and return its tip."""
    asked = git.run("ls-remote", "--heads", options.remote, f"refs/heads/{options.branch}")
    if asked.returncode != 0:
        url = git.ok("remote", "get-url", options.remote) or ""
        raise DigestError(f"cannot read git remote {options.remote!r} ({url}): {_first_fatal(asked.stderr)}; "
                          f"check its URL with `git remote -v` (or deploy with --no-push)", git.where)
    listed = asked.stdout.decode("utf-8", "replace").strip()
    if not listed:
        return None
    tracking = f"refs/remotes/{options.remote}/{options.branch}"
    git("fetch", "--quiet", "--no-tags", options.remote, f"+refs/heads/{options.branch}:{tracking}")
    return git("rev-parse", "--verify", f"{tracking}^{{commit}}")


def _first_fatal(stderr: bytes) -> str:
    """git's first complaint ("fatal: '/x' does not appear to be a git repository"); its last line is
    boilerplate ("...and the repository exists.")."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    first = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0] if lines else "")
    return first.removeprefix("fatal: ").removeprefix("error: ") or "no answer"


def _parent(git: Git, options: DeployOptions, local_tip: str | None, remote_tip: str | None) -> str | None:
    """The commit the new one continues: the remote's tip, or the local branch's when it is ahead of it
    (commits not pushed yet, e.g. by ``--no-push``: they are kept and pushed). A local branch that has
    diverged from the remote's is refused: either side's commits would leave the branch."""
    if local_tip is None or remote_tip is None or local_tip == remote_tip:
        return remote_tip or local_tip
    if git.run("merge-base", "--is-ancestor", local_tip, remote_tip).returncode == 0:
        return remote_tip  # behind: the remote has all of it
    if git.run("merge-base", "--is-ancestor", remote_tip, local_tip).returncode == 0:
        return local_tip
    branch, remote = options.branch, options.remote
    raise DigestError(f"local branch {branch!r} ({local_tip[:12]}) and {remote}/{branch} ({remote_tip[:12]}) "
                      f"have diverged, and deploying would drop the local commits; push them first (`git push "
                      f"{remote} {branch}`, after a merge if needed) or drop them (`git branch -f {branch} "
                      f"{remote}/{branch}`)", git.where)


def uncommitted_sources(git: Git, cfg: SiteConfig) -> tuple[str, ...]:
    """What the build reads that git has not committed: changed, staged or untracked files of site.yaml,
    content, templates, static and themes (as ``git status`` names them)."""
    sources = [cfg.root / CONFIG_NAME, *(cfg.path(name) for name in ("content", "templates", "static", "themes"))]
    done = git.run("status", "--porcelain", "-z", "--untracked-files=all", "--",
                   *(str(path) for path in sources if path.exists()))
    if done.returncode != 0:  # a folder outside the repository: nothing git could have committed
        return ()
    entries = done.stdout.decode("utf-8", "replace").split("\0")
    return tuple(entry[3:] for entry in entries if len(entry) > 3 and entry[2] == " ")


def default_message(git: Git, dirty: bool = False) -> str:
    source = git.ok("rev-parse", "--short", "--verify", "-q", "HEAD") or "(no commit yet)"
    if dirty:
        source += " plus uncommitted changes"
    return f"Deploy {source} with digest {__version__}"


def _write_tree(git: Git, site: Path, index: Path, cname: str | None) -> str:
    """Stage ``site`` into the throwaway ``index`` and return the tree's id. The real index is untouched."""
    env = {"GIT_DIR": git("rev-parse", "--absolute-git-dir"), "GIT_WORK_TREE": str(site),
           "GIT_INDEX_FILE": str(index)}
    staging = Git(site, git.where)
    # --force: the repository's ignore rules (say, a global "*.html") must not drop pages from the site.
    staging("add", "--all", "--force", "--", ".", env=env)
    # Branch publishing runs Jekyll unless .nojekyll exists, and forgets the custom domain without CNAME.
    extra = {".nojekyll": b""} | ({"CNAME": f"{cname.strip()}\n".encode()} if cname else {})
    for name, data in extra.items():
        blob = staging("hash-object", "-w", "--stdin", env=env, stdin=data)
        staging("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
    return staging("write-tree", env=env)


def _commit(git: Git, tree: str, parent: str | None, message: str) -> str:
    parents = ["-p", parent] if parent else []
    return git("commit-tree", tree, *parents, "-m", message)
