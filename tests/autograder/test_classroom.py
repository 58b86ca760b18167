"""Grading a class through the real nbgrader round trip: generate, submit, autograde, feedback.

The course here holds Labs 3 and 4 only (all the catalogued mistakes live there), so that a
submission grades in seconds; tests/notebooks grades all six labs.
"""

import _thread
import copy
import csv
import html
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.grading import ClassGrader
from autograder.grading.records import SubmissionRecord

from ..notebooks.conftest import ROOT, nbgrader
from ..notebooks.conftest import make_course as course_with
from . import catalogue
from .conftest import interruptible

NOTEBOOKS = ("03_cofi_cost", "04_gradients")
FULL = {"test-cofi-cost-loops": 4, "test-cofi-cost-vectorized": 4, "test-grad-X": 2, "test-grad-W": 2, "test-grad-b": 2}
NOTEBOOK_OF = {"cofi-cost-loops": "03_cofi_cost", "cofi-cost-vectorized": "03_cofi_cost",
               "grad-X": "04_gradients", "grad-W": "04_gradients", "grad-b": "04_gradients"}


def make_course(folder: Path) -> Path:
    return course_with(folder, NOTEBOOKS)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def submit(course: Path, student: str, answers: dict[str, str] | None = None, edit=None, skip=()):
    """A learner's submission: the release notebooks with every exercise answered as in the
    instructor's solution, except the ``answers`` given (grade id -> cell source); ``edit``
    changes a notebook further (name, nb); notebooks in ``skip`` are not submitted."""
    answers = answers or {}
    folder = course / "notebooks" / "submitted" / student / "cofi"
    folder.mkdir(parents=True)
    for name in NOTEBOOKS:
        if name in skip:
            continue
        release = nbformat.read(course / "notebooks" / "release" / "cofi" / f"{name}.ipynb", as_version=4)
        source = nbformat.read(course / "notebooks" / "source" / "cofi" / f"{name}.ipynb", as_version=4)
        solutions = {grade_id(c): c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
        for cell in release.cells:
            if grade_id(cell) in solutions:
                cell.source = answers.get(grade_id(cell), solutions[grade_id(cell)])
        if edit:
            edit(name, release)
        nbformat.write(release, folder / f"{name}.ipynb")


def cell_scores(course: Path) -> dict[str, dict[str, float]]:
    with Gradebook(f"sqlite:///{course / 'notebooks' / 'gradebook.db'}") as gradebook:
        return {s.student_id: {g.name: g.score for n in s.notebooks for g in n.grades}
                for s in gradebook.assignment_submissions("cofi")}


def expected(*zeroed: str) -> dict[str, float]:
    return {cell: (0 if cell in zeroed else points) for cell, points in FULL.items()}


def test_catalogued_mistakes_score_zero_for_their_exercise_only_and_feedback_names_them(tmp_path):
    course = make_course(tmp_path)
    packed = catalogue.submissions()
    edited_slot, test_cell, wrong_source, emptied = catalogue.LOCKED_CELL_EDIT
    target = next(s for s in packed if edited_slot not in s)
    target[edited_slot] = ("locked-cell-edit", wrong_source)

    def empty_the_check(name, nb):
        for cell in nb.cells:
            if grade_id(cell) == test_cell:
                cell.source = emptied

    for number, submission in enumerate(packed):
        answers = {slot: source for slot, (_, source) in submission.items()}
        submit(course, f"s{number}", answers, edit=empty_the_check if submission is target else None)

    ClassGrader(course, "cofi", jobs=2, log=lambda line: None).run()
    nbgrader("generate_feedback", "cofi", cwd=course)

    scores = cell_scores(course)
    for number, submission in enumerate(packed):
        student = f"s{number}"
        assert scores[student] == expected(*(f"test-{slot}" for slot in submission)), (student, submission.keys())
        for slot, (name, _) in submission.items():
            page = (course / "notebooks" / "feedback" / student / "cofi" / f"{NOTEBOOK_OF[slot]}.html").read_text()
            phrase = "calls the reference solution" if name == "calls-reference" else (
                catalogue.expected_phrase(name) if name != "locked-cell-edit" else "wrong values")
            assert html.escape(phrase, quote=True) in page or phrase in page, f"{student}: {name} feedback lacks {phrase!r}"
    for page in (course / "notebooks" / "feedback").rglob("*.html"):
        text = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "verify(" not in text, f"{page} shows hidden test code"


def replace_cell(grade: str, source: str):
    def edit(name, nb):
        for cell in nb.cells:
            if grade_id(cell) == grade:
                cell.source = source
    return edit


def delete_cell(grade: str):
    def edit(name, nb):
        nb.cells = [c for c in nb.cells if grade_id(c) != grade]
    return edit


def duplicate_cell(grade: str):
    def edit(name, nb):
        for index, cell in enumerate(nb.cells):
            if grade_id(cell) == grade:
                twin = copy.deepcopy(cell)
                twin["id"] = f"{cell['id']}-copy"
                nb.cells.insert(index + 1, twin)
                return
    return edit


def solutions_loop() -> str:
    source = nbformat.read(ROOT / "notebooks" / "source" / "cofi" / "03_cofi_cost.ipynb", as_version=4)
    return next(c.source for c in source.cells if grade_id(c) == "cofi-cost-loops")


WRONG_B = "def grad_b(X, W, b, Y, R, lambda_):\n    return np.zeros((1, Y.shape[1]))\n"
MIXED = {
    # student: (answers, edit, skip, expected cell scores, expected status, words of the reason)
    "correct": ({}, None, (), expected(), "graded", None),
    "wrong": ({"cofi-cost-loops": catalogue.WRONG["half-missing"][1]}, None, (), expected("test-cofi-cost-loops"),
              "graded", None),
    "crash": ({"cofi-cost-loops": "import os\nos._exit(1)\n"}, None, (),
              expected("test-cofi-cost-loops", "test-cofi-cost-vectorized"), "partly graded", "kernel died"),
    "hang": ({"grad-W": "import time\nwhile True:\n    time.sleep(0.1)\n"}, None, (), expected("test-grad-W"),
             "graded", "was interrupted"),
    "broken": ({}, None, (), expected("test-grad-X", "test-grad-W", "test-grad-b"),
               "partly graded", "not valid JSON"),
    "deleted": ({"grad-b": WRONG_B}, delete_cell("test-grad-b"), (), expected("test-grad-b"), "graded", None),
    "deleted-correct": ({}, delete_cell("test-grad-b"), (), expected(), "graded", None),
    "duplicated": ({}, duplicate_cell("test-grad-X"), (), expected(), "graded", None),
    # 16 GiB at once, then a correct answer: the memory limit (4 GiB of address space for each
    # process) refuses it at once with a MemoryError, before the function is defined. (Filling
    # memory a GiB at a time up to the limit instead takes from 2 to over 20 s on this kind of
    # machine, racing the 10 s cell timeout: the cell was interrupted or killed, depending.)
    "memory": ({"cofi-cost-loops": "hoard = np.ones(2**31)\n\n\n" + solutions_loop()}, None, (),
               expected("test-cofi-cost-loops"), "graded", None),
    "missing": ({}, None, ("04_gradients",), expected("test-grad-X", "test-grad-W", "test-grad-b"), "graded",
                "not submitted"),
}


def submit_mixed(course: Path) -> None:
    for student, (answers, edit, skip, *_) in MIXED.items():
        submit(course, student, answers, edit, skip)
    (course / "notebooks" / "submitted" / "broken" / "cofi" / "04_gradients.ipynb").write_text('{"cells": [ oops')


def read_csv(course: Path) -> dict[str, dict[str, str]]:
    with open(course / "notebooks" / "grades-cofi.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def configure(course: Path, *lines: str) -> None:
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\n" + "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def graded_one_at_a_time(tmp_path_factory):
    """The mixed class graded one submission at a time, the cell timeout (10 s, for "hang")
    set in the course's nbgrader_config.py; the other tests give it on the command line."""
    course = make_course(tmp_path_factory.mktemp("jobs1"))
    configure(course, "c.Execute.timeout = 10")
    submit_mixed(course)
    lines = []
    results = ClassGrader(course, "cofi", jobs=1, log=lines.append).run()
    return course, results, lines


def test_a_mixed_class_is_graded_with_every_score_and_reason_recorded(graded_one_at_a_time):
    course, results, lines = graded_one_at_a_time
    scores, table = cell_scores(course), read_csv(course)
    assert set(scores) == set(MIXED) == set(table)
    for student, (*_, cells, status, reason) in MIXED.items():
        assert scores[student] == cells, student
        row = table[student]
        assert float(row["score"]) == sum(cells.values()) and row["status"] == status, (student, row)
        assert (reason or "") in row["reasons"] and bool(reason) == bool(row["reasons"]), (student, row["reasons"])
        assert [row[f"{NOTEBOOK_OF[g.removeprefix('test-')]}:{g} (/{p:g})"] for g, p in FULL.items()] == \
            [f"{cells[g]:g}" for g in FULL]
    assert any("10 submissions of cofi: 0 already graded, grading 10 with 1 job(s)" in line for line in lines)
    assert any("per minute" in line for line in lines)
    assert any(line.startswith("[ 1/10] ") and line.endswith(" left)") for line in lines), "a line says the time left"


def test_each_record_names_why_every_zeroed_cell_failed_and_the_mistake_when_known(graded_one_at_a_time):
    course, results, _ = graded_one_at_a_time
    grader = ClassGrader(course, "cofi", log=lambda line: None)
    records = {student: grader.done(student) for student in MIXED}
    assert records == {result.student: result for result in results}
    for student, (*_, cells, _, _) in MIXED.items():
        checks = records[student].checks
        explained = {cell for notebook in checks.values() for cell, check in notebook.items() if check}
        zeroed = {cell for cell, points in cells.items() if points == 0 and NOTEBOOK_OF[cell[5:]] in checks}
        assert explained == zeroed, (student, checks)
    assert set(records["correct"].checks) == set(NOTEBOOKS)
    assert "03_cofi_cost" not in records["crash"].checks  # nbgrader could not run it: no outputs to read
    loops = records["wrong"].checks["03_cofi_cost"]["test-cofi-cost-loops"]
    assert loops.mistake == "the 1/2 is missing" and loops.exercise.startswith("cofi_cost_func"), loops
    assert loops.case and "wrong value" in loops.message, loops


def test_the_class_report_ranks_the_mixed_class_mistakes_and_lists_who_needs_a_look(graded_one_at_a_time):
    course, _, _ = graded_one_at_a_time
    result = subprocess.run([sys.executable, "-m", "autograder", "report", "cofi"], cwd=course, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((course / "notebooks" / "report-cofi.json").read_text())
    exercises = {e["cell"]: e for e in data["exercises"]}
    assert exercises["test-cofi-cost-loops"]["mistakes"]["the 1/2 is missing"] == ["wrong"]
    assert set(exercises) == set(FULL) and all(e["scores"] for e in exercises.values())
    for cell, exercise in exercises.items():
        failing = {s for s, cells in MIXED.items() if cells[3][cell] == 0}
        assert {s for students in exercise["mistakes"].values() for s in students} == failing, cell
    look = {learner["student"]: " ".join(learner["flags"]) for learner in data["learners"] if learner["flags"]}
    assert {"crash", "broken", "hang", "missing", "deleted"} <= set(look)
    assert "kernel died" in look["crash"] and "not valid JSON" in look["broken"] and "deleted" in look["deleted"]
    assert "correct" not in look and "wrong" not in look
    page = (course / "notebooks" / "report-cofi.html").read_text()
    assert "the 1/2 is missing" in page and page.count("data:image/png;base64,") == 2


def test_the_submission_timeout_set_in_nbgrader_config_stops_a_submission(graded_one_at_a_time, tmp_path):
    """Also: a student nbgrader never got as far as adding to the gradebook is recorded all the same."""
    course = tmp_path / "course"
    shutil.copytree(graded_one_at_a_time[0], course)
    submitted = course / "notebooks" / "submitted"
    shutil.copytree(submitted / "correct", tmp_path / "late")
    shutil.rmtree(submitted)
    shutil.copytree(tmp_path / "late", submitted / "late")
    configure(course, "c.ClassGrader.submission_timeout = 1")
    [record] = ClassGrader(course, "cofi", log=lambda line: None).run()
    stopped = "grading took longer than 1 s and was stopped"
    assert (record.status, record.reasons, record.score) == ("failed", dict.fromkeys(NOTEBOOKS, stopped), 0)
    assert read_csv(course)["late"]["status"] == "failed"


def test_a_broken_resubmission_replaces_the_old_score_and_an_edited_grade_id_is_named(graded_one_at_a_time, tmp_path):
    """``--regrade`` after three students resubmitted: one notebook that is not JSON and one that
    kills its kernel (both graded in full before), a notebook no longer submitted, and a test
    cell whose grade id the learner changed. Each loses what it had, with its reason; nothing
    of the old grading survives for those notebooks, not even the autograded copy feedback is
    made from."""
    course = tmp_path / "course"
    shutil.copytree(graded_one_at_a_time[0], course)
    submitted = course / "notebooks" / "submitted"
    for student in set(MIXED) - {"correct", "wrong", "deleted-correct"}:
        shutil.rmtree(submitted / student)
    (submitted / "correct" / "cofi" / "04_gradients.ipynb").write_text('{"cells": [ oops')
    path = submitted / "correct" / "cofi" / "03_cofi_cost.ipynb"
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if grade_id(c) == "cofi-cost-loops").source = "import os\nos._exit(1)\n"
    nbformat.write(nb, path)
    (submitted / "deleted-correct" / "cofi" / "04_gradients.ipynb").unlink()
    path = submitted / "wrong" / "cofi" / "04_gradients.ipynb"
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if grade_id(c) == "test-grad-X").metadata.nbgrader["grade_id"] = "mine"
    nbformat.write(nb, path)

    records = {r.student: r for r in ClassGrader(course, "cofi", regrade=True, log=lambda line: None).run()}
    scores, table = cell_scores(course), read_csv(course)
    assert scores["correct"] == expected(*FULL) and (records["correct"].status, records["correct"].score) == ("failed", 0)
    assert "kernel died" in records["correct"].reasons["03_cofi_cost"]
    assert "not valid JSON" in records["correct"].reasons["04_gradients"]
    assert scores["deleted-correct"] == expected("test-grad-X", "test-grad-W", "test-grad-b")
    assert records["deleted-correct"].reasons == {"04_gradients": "not submitted"}
    assert scores["wrong"] == expected("test-cofi-cost-loops", "test-grad-X", "test-grad-W", "test-grad-b")
    renamed = "cell test-grad-X had its nbgrader metadata changed (grade_id: 'test-grad-X' -> 'mine')"
    assert records["wrong"].reasons == {"04_gradients": f"nbgrader cannot grade it: {renamed}"}
    assert records["wrong"].edits == {"04_gradients": [renamed]} and renamed in table["wrong"]["edits"]
    autograded = course / "notebooks" / "autograded"
    assert not (autograded / "correct" / "cofi" / "04_gradients.ipynb").exists()
    assert not (autograded / "deleted-correct" / "cofi" / "04_gradients.ipynb").exists()
    assert (autograded / "wrong" / "cofi" / "03_cofi_cost.ipynb").exists()


def test_an_interrupted_run_with_two_jobs_resumes_to_what_one_job_gives(graded_one_at_a_time, tmp_path):
    """The mixed class graded with --jobs 2, interrupted after three records and run again:
    the same gradebook, and the same CSV, as grading it in one go one submission at a time."""
    reference, _, _ = graded_one_at_a_time
    course = make_course(tmp_path)
    submit_mixed(course)
    command = [sys.executable, "-m", "autograder", "grade", "cofi", "--jobs", "2", "--cell-timeout", "10"]
    records = course / "notebooks" / ".autograder" / "cofi"
    with interruptible():
        first = subprocess.Popen(command, cwd=course, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 300
    while len(list(records.glob("*.json"))) < 3 and time.time() < deadline and first.poll() is None:
        time.sleep(0.5)
    first.send_signal(signal.SIGINT)
    output, _ = first.communicate(timeout=120)
    finished = len(list(records.glob("*.json")))
    assert first.returncode == 130 and 3 <= finished < len(MIXED), output
    assert "interrupted: finished submissions are recorded" in output
    assert not [p for p in (course / "notebooks").rglob("*") if p.is_dir() and "ipykernel" in p.name]

    second = subprocess.run(command, cwd=course, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"{len(MIXED)} submissions of cofi: {finished} already graded, grading {len(MIXED) - finished}" in second.stdout
    assert cell_scores(course) == cell_scores(reference)
    assert read_csv(course) == read_csv(reference)
    with Gradebook(f"sqlite:///{course / 'notebooks' / 'gradebook.db'}") as gradebook:
        assert len(gradebook.assignment_submissions("cofi")) == len(MIXED)
        assert all(len(n.grades) == len([c for c in FULL if c.startswith("test-") and NOTEBOOK_OF[c[5:]] == n.name])
                   for s in gradebook.assignment_submissions("cofi") for n in s.notebooks)


class InterruptedAsItFinishes(ClassGrader):
    """Grades nothing: records each submission and, before handing the record back, interrupts
    the main thread, as a Ctrl-C between the record written and its line shown would."""

    def grade(self, student, folder, notebooks):
        record = SubmissionRecord(student, sandboxed=False)
        self.records.write(record)
        _thread.interrupt_main()
        time.sleep(1)  # the main thread takes the interrupt while this submission is still going
        return record


def test_a_submission_finished_as_the_interrupt_comes_is_shown_as_it_is_recorded(tmp_path):
    """A run again skips what is recorded, so its line would be in neither run's output."""
    course = make_course(tmp_path)
    submit(course, "correct")
    lines = []
    with interruptible(), pytest.raises(KeyboardInterrupt):
        InterruptedAsItFinishes(course, "cofi", sandbox=False, log=lines.append).run()
    assert (course / "notebooks" / ".autograder" / "cofi" / "correct.json").exists()
    assert [line.split()[:2] for line in lines if line.startswith("[")] == [["[1/1]", "correct"]], lines
    assert lines[-1].startswith("interrupted: finished submissions are recorded")


NOISY = '''import sys


def grad_X(X, W, b, Y, R, lambda_):
    # TensorFlow's runtime writes lines like this one to stderr, whatever the log level says.
    print("W0000 00:00:1795367286.209064    2176 util.cc:163] Not handling type DT_DOUBLE", file=sys.stderr)
    return ((X @ W.T + b - Y) * R) @ W + lambda_ * X
'''


@pytest.mark.parametrize("ignore_pattern, points", [(True, 2), (False, 0)], ids=["configured", "control-without-it"])
def test_tensorflow_log_lines_on_stderr_do_not_zero_a_correct_answer(tmp_path, ignore_pattern, points):
    course = make_course(tmp_path)
    if not ignore_pattern:
        with open(course / "nbgrader_config.py", "a") as config:
            config.write("\nc.IgnorePattern.enabled = False\n")
    submit(course, "noisy", {"grad-X": NOISY})
    nbgrader("autograde", "cofi", "--student", "noisy", cwd=course)
    assert cell_scores(course)["noisy"]["test-grad-X"] == points
