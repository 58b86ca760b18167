"""Every grading limit is one setting of nbgrader_config.py, which the command line can override."""

import shutil

import pytest

from autograder.__main__ import main
from autograder.grading import ClassGrader, Limits, load_course
from autograder.sandbox import THREADS, usable_cores

from ...notebooks.conftest import ROOT


def course_with(folder, *lines):
    """A course folder holding the repository's nbgrader_config.py with ``lines`` appended."""
    folder.mkdir(exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    with open(folder / "nbgrader_config.py", "a") as config:
        config.write("\n" + "\n".join(lines) + "\n")
    return folder


CHANGED = ("c.Execute.timeout = 42", "c.ClassGrader.submission_timeout = 99", "c.ClassGrader.memory_limit_gb = 1.5")


def test_the_limits_are_the_ones_nbgrader_config_sets(tmp_path):
    unchanged = load_course(course_with(tmp_path / "as-is")).limits
    changed = load_course(course_with(tmp_path, *CHANGED)).limits
    assert changed == Limits(cell_timeout=42, submission_timeout=99, memory_limit_gb=1.5) != unchanged
    assert changed.memory_limit_bytes == 3 * 2**29


def test_the_grader_uses_the_configured_limits_unless_told_otherwise(tmp_path):
    course = course_with(tmp_path, *CHANGED)
    assert ClassGrader(course, "cofi", log=print).limits == Limits(42, 99, 1.5)
    assert ClassGrader(course, "cofi", cell_timeout=7, memory_limit_gb=0).limits == Limits(7, 99, 0)


def test_several_jobs_share_the_cores_out_between_their_threads(tmp_path, monkeypatch):
    for name in THREADS:
        monkeypatch.delenv(name, raising=False)
    course = course_with(tmp_path)
    assert ClassGrader(course, "cofi", jobs=1).autograder.env == {}
    share = str(max(1, usable_cores() // 2))
    assert ClassGrader(course, "cofi", jobs=2).autograder.env == dict.fromkeys(THREADS, share)


def test_the_command_line_help_shows_the_configured_defaults(tmp_path, capsys):
    course = course_with(tmp_path, *CHANGED)
    with pytest.raises(SystemExit):
        main(["grade", "--course", str(course), "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default 42, c.Execute.timeout" in text
    assert "default 99, c.ClassGrader.submission_timeout" in text
    assert "default 1.5, c.ClassGrader.memory_limit_gb" in text


@pytest.mark.parametrize("line, words", [
    ("del c.ClassGrader['memory_limit_gb']", "does not set c.ClassGrader.memory_limit_gb"),
    ("c.ClassGrader.submission_timeout = '1 hour'", "c.ClassGrader.submission_timeout in"),
    ("c.ClassGrader.memory_limit_gb = -1", "must be a number >= 0"),
])
def test_a_missing_or_wrong_limit_is_an_error_naming_the_setting(tmp_path, line, words):
    with pytest.raises(ValueError, match=words):
        load_course(course_with(tmp_path, line))
