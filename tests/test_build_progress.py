"""``digest build`` says what it is doing while it works, on a terminal only: a real process whose stderr
is a pseudo-terminal, and one whose output goes to pipes."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def test_a_build_on_a_terminal_shows_its_stages_as_it_goes(site: Path) -> None:
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    with subprocess.Popen([sys.executable, "-m", "generator.cli", "-C", str(site), "build"], env=env,
                          stdout=subprocess.PIPE, stderr=terminal, text=True) as build:
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the build ended and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        stdout, _ = build.communicate(timeout=300)
    os.close(controller)
    assert build.returncode == 0
    text = shown.decode("utf-8", "replace")
    for stage in ("building: reading 6 articles", "building: modelling the site from 6 articles",
                  "building: rendering ", " pages", "building: publishing ", "building: saving the build cache"):
        assert stage in text, text
    assert "built 5 articles" in stdout  # the last line, on stdout as before


def test_a_build_into_a_pipe_prints_no_progress(site: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(site), "build"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0
    assert done.stderr == ""
    assert done.stdout.startswith("built 5 articles")
