"""The class report, on a real nbgrader gradebook (SQLite) and the records class grading writes:
mistakes ranked per exercise, the submissions that need a look, links to feedback, every
learner-made string escaped. (test_classroom.py makes one from a class graded end to end.)"""

import csv
import json
import warnings
from html.parser import HTMLParser

import pytest
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from autograder.__main__ import main
from autograder.grading.reasons import CellCheck
from autograder.grading.records import Records, SubmissionRecord
from autograder.grading.report import NO_RESULT, UNNAMED, build, message_pattern, report_course

CELLS = {"test-cost": 4.0, "test-grad": 2.0}
HOSTILE = "<img src=x onerror=alert(1)>"
"""A student id (a folder name, so no slash) and a message that would run in the page unescaped."""


def course(tmp_path, learners):
    """A course folder whose gradebook holds assignment "cofi" (one notebook, two graded cells)
    and the learners' scores; learners: student -> ({cell: score}, record or None)."""
    (tmp_path / "nbgrader_config.py").write_text(
        "import os\nc = get_config()\n"
        "c.CourseDirectory.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'notebooks')\n"
        "c.ClassGrader.submission_timeout = 60\nc.ClassGrader.memory_limit_gb = 0\n")
    root = tmp_path / "notebooks"
    root.mkdir()
    records = Records(root / ".autograder" / "cofi")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        gradebook.add_assignment("cofi")
        gradebook.add_notebook("lab", "cofi")
        for cell, points in CELLS.items():
            gradebook.add_grade_cell(cell, "lab", "cofi", max_score=points, cell_type="code")
        for student, (scores, record) in learners.items():
            gradebook.add_student(student)
            with warnings.catch_warnings():  # nbgrader's add_submission trips SQLAlchemy's autoflush warning
                warnings.filterwarnings("ignore", "Object of type .* not in session", SAWarning)
                gradebook.add_submission("cofi", student)
            (root / "submitted" / student / "cofi").mkdir(parents=True)
            for cell, score in scores.items():
                gradebook.find_grade(cell, "lab", "cofi", student).auto_score = score
            gradebook.db.commit()
            if record is not None:
                records.write(record)
    return tmp_path, root, records


class Tags(HTMLParser):
    """What the page would load or run: image sources, links, and event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.sources, self.links, self.handlers = [], [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.sources += [attributes["src"]] if "src" in attributes else []
        self.links += [attributes["href"]] if "href" in attributes else []
        self.handlers += [name for name in attributes if name.startswith("on")] + (["script"] if tag == "script" else [])


def failed(cell, message, mistake=""):
    return {"lab": {cell: CellCheck("cofi_cost_func", "hidden case: 3 movies", message, mistake)}}


CLASS = {
    "ada": ({"test-cost": 4, "test-grad": 2}, SubmissionRecord("ada", score=6, max_score=6)),
    "bo": ({"test-cost": 0, "test-grad": 2}, SubmissionRecord("bo", checks=failed("test-cost", "wrong value",
                                                                                   "the 1/2 is missing"))),
    "cy": ({"test-cost": 0, "test-grad": 2}, SubmissionRecord("cy", checks=failed("test-cost", "wrong value",
                                                                                   "the 1/2 is missing"))),
    "di": ({"test-cost": 0, "test-grad": 0}, SubmissionRecord(
        "di", checks={"lab": {"test-cost": CellCheck("", "", "wrong value: 3.5 instead of 2 (and 2 more case(s) "
                                                               "fail the same way)"), "test-grad": None}},
        status="partly graded", reasons={"lab": "a cell ran longer than 10 s and was interrupted"})),
    "ed": ({"test-cost": 0, "test-grad": 2}, SubmissionRecord("ed", checks=failed("test-cost", "wrong value: 1.25 "
                                                                                   "instead of 7"),
                                                              sandboxed=False, edits={"lab": ["locked cell test-cost"]})),
    HOSTILE: ({"test-cost": 0, "test-grad": 0}, SubmissionRecord(HOSTILE, checks=failed("test-cost", HOSTILE, HOSTILE))),
    "fay": ({"test-cost": 0, "test-grad": 0}, None),
}


def test_mistakes_are_ranked_per_exercise_named_ones_by_name_others_by_their_message(tmp_path):
    _, root, records = course(tmp_path, CLASS)
    report = build(f"sqlite:///{root / 'gradebook.db'}", "cofi", list(CLASS), records, root)
    cost, grad = report.exercises
    assert (cost.cell, cost.max_score, cost.full_marks) == ("test-cost", 4.0, 1)
    assert list(cost.mistakes.items())[0] == ("the 1/2 is missing", ["bo", "cy"])
    assert cost.mistakes[UNNAMED + "wrong value: # instead of #"] == ["di", "ed"]
    assert cost.mistakes[NO_RESULT] == ["fay"] and cost.title == "cofi_cost_func"
    assert cost.mistakes[HOSTILE] == [HOSTILE] and len(cost.mistakes) == 4
    assert grad.mistakes == {NO_RESULT: ["di", HOSTILE, "fay"]}


def test_the_submissions_that_need_a_look_say_why(tmp_path):
    _, root, records = course(tmp_path, CLASS)
    report = build(f"sqlite:///{root / 'gradebook.db'}", "cofi", list(CLASS), records, root)
    flagged = {learner.student: learner.flags for learner in report.needing_a_look}
    assert set(flagged) == {"di", "ed", "fay"}
    assert flagged["di"] == ["partly graded", "lab: a cell ran longer than 10 s and was interrupted"]
    assert flagged["ed"] == ["graded without a sandbox (--no-sandbox)", "lab: locked cell test-cost"]
    assert "no record" in flagged["fay"][0]


def test_the_command_writes_a_page_that_needs_nothing_else_and_escapes_what_learners_wrote(tmp_path, capsys):
    folder, root, _ = course(tmp_path, CLASS)
    (root / "feedback" / "bo" / "cofi").mkdir(parents=True)
    (root / "feedback" / "bo" / "cofi" / "lab.html").write_text("<html>feedback</html>")
    assert main(["report", "cofi", "--course", str(folder)]) == 0
    printed = capsys.readouterr().out
    assert f"class report: {root / 'report-cofi.html'}" in printed and "the 1/2 is missing (2)" in printed
    page = (root / "report-cofi.html").read_text()
    tags = Tags()
    tags.feed(page)
    assert [src[:22] for src in tags.sources] == ["data:image/png;base64,"] * 2, "the figures are embedded"
    assert not [h for h in tags.links if h.startswith(("http:", "https:", "/"))] and not tags.handlers
    assert HOSTILE not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "href='feedback/bo/cofi/lab.html'" in page
    assert page.index("the 1/2 is missing") < page.index("wrong value: # instead of #")
    data = json.loads((root / "report-cofi.json").read_text())
    assert [e["cell"] for e in data["exercises"]] == list(CELLS) and len(data["learners"]) == len(CLASS)
    with open(root / "mistakes-cofi.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0] == {"notebook": "lab", "cell": "test-cost", "mistake": "the 1/2 is missing", "learners": "2",
                       "students": "bo cy"}


def test_an_assignment_not_in_the_gradebook_is_said(tmp_path):
    folder, _, _ = course(tmp_path, {})
    with pytest.raises(SystemExit, match="'lab2' is not in the gradebook"):
        report_course(folder, "lab2")


@pytest.mark.parametrize("message, pattern", [
    ("wrong value: 3.5 instead of -2e-05", "wrong value: # instead of #"),
    ("returns shape (3, 4), expected (4, 3)", "returns shape (#, #), expected (#, #)"),
    ("wrong values (and 12 more case(s) fail the same way)", "wrong values"),
    ("valor errado (e mais 1 caso falha da mesma forma)", "valor errado"),  # an edition's words, singular
    ("valor errado (e mais 6 casos falham da mesma forma)", "valor errado"),  # and plural: one group
])
def test_a_message_pattern_leaves_the_numbers_out(message, pattern):
    assert message_pattern(message) == pattern
