import subprocess
import sys

import pytest

from generator.cli import COMMANDS, chosen_command, main, make_parser


def test_every_command_module_registers_itself_under_its_name():
    for name in COMMANDS:
        parser = make_parser(name)
        args = parser.parse_args([name, *_required_args(name)])
        assert args.command == name and callable(args.func)


def _required_args(name: str) -> list[str]:
    return {"clean": ["x.txt"], "export": ["--format", "ris"]}.get(name, [])


@pytest.mark.parametrize("argv, command", [
    (["build"], "build"), (["-C", "build", "serve"], "serve"), (["--root", "x", "clean", "a"], "clean"),
    (["--version"], None), (["nonsense"], None),
])
def test_chosen_command(argv, command):
    assert chosen_command(argv) == command


def test_help_lists_every_command_without_importing_the_cleaner():
    code = ("import sys; from generator.cli import main\n"
            "try: main(['--help'])\nexcept SystemExit: pass\n"
            "assert 'generator.clean' not in sys.modules and 'datasketch' not in sys.modules, 'heavy import'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for name in COMMANDS:
        assert name in out


def test_a_digest_error_is_one_line_and_exit_1(tmp_path, capsys):
    (tmp_path / "site.yaml").write_text("titel: x\n", encoding="utf-8")
    assert main(["-C", str(tmp_path), "build", "--no-ingest"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "site.yaml:1:" in err and "'titel'" in err


def test_build_timings_show_each_stage(tmp_path, capsys):
    import shutil
    from pathlib import Path

    site = tmp_path / "site"
    shutil.copytree(Path(__file__).parent / "fixtures" / "site", site,
                    ignore=shutil.ignore_patterns("_site", ".digest-cache"))
    assert main(["-C", str(site), "build", "--no-ingest", "--timings"]) == 0
    err = capsys.readouterr().err
    assert [line.split()[0] for line in err.splitlines()] == ["stage", "load", "model", "render", "feeds", "search",
                                                              "write", "cache", "total"]
    assert main(["-C", str(site), "build", "--no-ingest", "--timings"]) == 0  # nothing changed: one check
    assert [line.split()[0] for line in capsys.readouterr().err.splitlines()] == ["stage", "check", "total"]
