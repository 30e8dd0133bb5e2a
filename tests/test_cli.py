"""`python -m generator` as a user runs it: messages, exit codes, --help."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
BAD = {"bad_not_export.txt", "bad_no_transcript.txt", "bad_date.txt", "bad_duration.txt"}
ERROR_LINE = re.compile(r"error: (?P<path>.+?):(?P<line>\d+): (?P<reason>.+)")


def generator(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def _episodes(content: Path) -> list[str]:
    return sorted(p.name for p in (content / "episodes").glob("*.md"))


def test_import_reports_each_bad_file_on_one_line_and_imports_the_rest(archive, tmp_path):
    result = generator("import", "--source", "transcripts", "--content", "content", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(BAD)
    for line in errors:
        m = ERROR_LINE.fullmatch(line)
        assert m, line
        path = Path(m["path"])
        assert path.resolve().parent == archive.resolve() and path.name in BAD
        assert 1 <= int(m["line"]) <= len(path.read_bytes().split(b"\n"))
    assert len(_episodes(tmp_path / "content")) == len(list(archive.glob("*.txt"))) - len(BAD)
    assert re.search(r"^imported: \d+ new, 0 updated, 0 unchanged, 4 failed$", result.stdout, re.MULTILINE)


def test_the_error_line_points_at_the_unreadable_date(archive, tmp_path):
    result = generator("import", "--source", "transcripts", "--content", "content", cwd=tmp_path)
    line = next(line for line in result.stderr.splitlines() if "bad_date.txt" in line)
    m = ERROR_LINE.fullmatch(line)
    text = (archive / "bad_date.txt").read_text(encoding="utf-8").split("\n")
    assert text[int(m["line"]) - 1] == "32 Smarch 2024"
    assert "unreadable date" in m["reason"]


def test_the_cp1252_file_is_a_warning_not_an_error(archive, tmp_path):
    result = generator("import", "--source", "transcripts", "--content", "content", cwd=tmp_path)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "cp1252.txt" in warnings[0] and "Windows-1252" in warnings[0]


def test_strict_fails_the_run_but_still_imports_everything_it_can(archive, tmp_path):
    result = generator("import", "--strict", "--source", "transcripts", "--content", "content", cwd=tmp_path)
    assert result.returncode == 1
    assert "strict: 4 error(s), 1 warning(s)" in result.stderr
    assert len(_episodes(tmp_path / "content")) == len(list(archive.glob("*.txt"))) - len(BAD)


def test_strict_passes_on_a_clean_archive(tmp_path):
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    result = generator("import", "--strict", "--source", "seeds", "--content", "content", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert len(_episodes(tmp_path / "content")) == 2


def test_a_second_import_changes_nothing(tmp_path):
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    generator("import", "--source", "seeds", "--content", "content", cwd=tmp_path)
    result = generator("import", "--source", "seeds", "--content", "content", cwd=tmp_path)
    assert result.stdout.strip() == "imported: 0 new, 0 updated, 2 unchanged"


def test_site_yaml_in_the_current_folder_is_used_and_flags_override_it(tmp_path):
    shutil.copytree(REPO / "seeds", tmp_path / "from-config")
    (tmp_path / "site.yaml").write_text("source_dir: from-config\ncontent_dir: pages\n", encoding="utf-8")
    assert generator("import", cwd=tmp_path).returncode == 0
    assert len(_episodes(tmp_path / "pages")) == 2
    assert generator("import", "--content", "flagged", cwd=tmp_path).returncode == 0
    assert len(_episodes(tmp_path / "flagged")) == 2


def test_config_flag_picks_another_file(tmp_path):
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    (tmp_path / "other.yaml").write_text("content_dir: other-pages\n", encoding="utf-8")
    assert generator("import", "--config", "other.yaml", cwd=tmp_path).returncode == 0
    assert len(_episodes(tmp_path / "other-pages")) == 2


def test_a_bad_config_reports_every_problem_and_exits_2(tmp_path):
    (tmp_path / "site.yaml").write_text("titel: x\npage_size: 0\n", encoding="utf-8")
    result = generator("import", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: site.yaml: key 'titel': unknown key (did you mean 'title'?)",
        "error: site.yaml: key 'page_size': must be from 1 to 1000, not 0",
    ]
    assert not (tmp_path / "content").exists()


def test_a_missing_source_folder_is_one_error_line(tmp_path):
    result = generator("import", "--source", "nowhere", "--content", "content", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path.resolve() / 'nowhere'}: transcripts folder not found"
    assert "Traceback" not in result.stderr


def test_no_command_is_a_usage_error(tmp_path):
    result = generator(cwd=tmp_path)
    assert result.returncode == 2 and "usage:" in result.stderr


def _commands() -> list[str]:
    subparsers = next(a for a in build_parser()._actions if a.choices and a.dest == "command")
    return sorted(subparsers.choices)


def test_import_and_build_are_commands():
    assert {"import", "build"} <= set(_commands())


@pytest.mark.parametrize("args", [[], *[[command] for command in _commands()]], ids=lambda a: " ".join(a) or "top")
def test_help_on_every_command(tmp_path, args):
    result = generator(*args, "--help", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: python -m generator")
    if args:
        flags = ["--config", "--source", "--content", "--strict"] + ["--out", "--base-url"] * (args == ["build"])
        assert all(flag in result.stdout for flag in flags)
    else:
        assert all(command in result.stdout for command in _commands())
