"""Class grading's progress: a log line per submission with the time left, and a bar on a terminal."""

import io
import re

import pytest
from rich.console import Console

from autograder.grading.progress import Progress, duration


def terminal() -> tuple[Console, io.StringIO]:
    screen = io.StringIO()
    return Console(file=screen, force_terminal=True, width=100), screen


def test_each_submission_gets_a_line_with_the_time_left_but_the_last():
    lines = []
    progress = Progress(3, lines.append)
    for student in ("ada", "bo", "cy"):
        progress.done(student)
    progress.close()
    assert [re.sub(r"about \d+ s left", "about N left", line) for line in lines] == \
        ["[1/3] ada  (about N left)", "[2/3] bo  (about N left)", "[3/3] cy"]


def test_on_a_terminal_a_bar_counts_the_submissions_and_shows_the_time_left():
    console, screen = terminal()
    lines = []
    progress = Progress(2, lines.append, console)
    progress.done("ada")
    progress.done("bo")
    progress.close()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert "grading" in shown and "2/2" in shown and "left" in shown
    assert len(lines) == 2, "the log keeps its line per submission beside the bar"


def test_without_a_terminal_there_is_no_bar():
    screen = io.StringIO()
    progress = Progress(2, [].append, Console(file=screen))
    progress.done("ada")
    progress.close()
    assert screen.getvalue() == ""


@pytest.mark.parametrize("seconds, said", [(0, "0 s"), (59.4, "59 s"), (61, "1 min"), (3000, "50 min"), (3599, "1 h 00 min"),
                                           (3600, "1 h 00 min"), (4500, "1 h 15 min")])
def test_a_duration_is_said_as_a_person_says_it(seconds, said):
    assert duration(seconds) == said
