"""Reasons and check results read from small hand-made autograded notebooks, as nbgrader writes them."""

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.grading import load_course, reasons
from autograder.result import MIME_TYPE, CaseResult, CheckResult

from ...notebooks.conftest import ROOT


@pytest.fixture(scope="module")
def timeout_error(tmp_path_factory):
    """The error output the repository's nbgrader_config.py makes nbgrader leave in an interrupted cell."""
    folder = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    return load_course(folder).timeout_error


def graded_cell(grade_id, *outputs, solution=False):
    return new_code_cell("check(f)", outputs=list(outputs),
                         metadata={"nbgrader": {"grade": not solution, "solution": solution, "grade_id": grade_id,
                                                "locked": not solution, "points": 2, "schema_version": 3}})


def shown(result: CheckResult):
    return new_output("display_data", data={"text/plain": str(result), MIME_TYPE: result.to_dict()})


def error(ename, evalue="", traceback=("Traceback (most recent call last):", "  ...")):
    return new_output("error", ename=ename, evalue=evalue, traceback=list(traceback))


HALF_MISSING = CheckResult("cofi_cost_func (loops)", [
    CaseResult("by hand, lambda_=0", True),
    CaseResult("random, lambda_=1.5", False, "wrong value", "27", "54", "is the 1/2 missing?", "the 1/2 is missing"),
])


def autograded(tmp_path, *cells):
    """The notebook as nbgrader would leave it in autograded/, read back from disk."""
    path = tmp_path / "03_cofi_cost.ipynb"
    nbformat.write(new_notebook(cells=list(cells)), path)
    return reasons.read_autograded(path)


def test_a_failed_check_names_its_failing_case_and_mistake_and_a_passed_one_nothing(tmp_path):
    nb = autograded(tmp_path,
                    graded_cell("test-loops", shown(HALF_MISSING), error("AssertionError", str(HALF_MISSING))),
                    graded_cell("test-vectorized", shown(CheckResult("cofi_cost_func", [CaseResult("a case", True)]))))
    assert reasons.cell_checks(nb) == {
        "test-loops": reasons.CellCheck("cofi_cost_func (loops)", "random, lambda_=1.5", "wrong value",
                                        "the 1/2 is missing"),
        "test-vectorized": None,
    }


def test_the_first_failing_check_of_a_cell_is_the_one_recorded(tmp_path):
    visible = CheckResult("grad_X", [CaseResult("visible", False, "wrong shape")])
    hidden = CheckResult("grad_X (hidden cases)", [CaseResult("hidden", False, "wrong values", mistake="sign")])
    nb = autograded(tmp_path, graded_cell("test-grad-X", shown(visible), shown(hidden)))
    assert reasons.cell_checks(nb)["test-grad-X"] == reasons.CellCheck("grad_X", "visible", "wrong shape")


def test_a_cell_that_failed_before_its_check_ran_gives_its_error(tmp_path):
    nb = autograded(tmp_path, graded_cell("test-grad-W", error("NameError", "name 'grad_W' is not defined")))
    assert reasons.cell_checks(nb) == {
        "test-grad-W": reasons.CellCheck("", "", "NameError: name 'grad_W' is not defined")}


def test_only_graded_test_cells_are_read_and_output_that_is_not_a_check_result_is_ignored(tmp_path):
    forged = new_output("display_data", data={"text/plain": "x", MIME_TYPE: {"cases": ["not a case"]}})
    nb = autograded(tmp_path, graded_cell("cofi-cost-loops", error("ValueError"), solution=True),
                    new_code_cell("1 / 0", outputs=[error("ZeroDivisionError")]),
                    graded_cell("test-loops", forged))
    assert reasons.cell_checks(nb) == {"test-loops": None}


def test_a_cell_nbgrader_interrupted_is_found_by_the_very_output_it_leaves(tmp_path, timeout_error):
    interrupted = new_output("error", **timeout_error)
    nb = autograded(tmp_path, new_code_cell("while True: pass", outputs=[error("KeyboardInterrupt"), interrupted]))
    assert reasons.timed_out(nb, timeout_error)
    assert reasons.interrupted_cell(10) == "a cell ran longer than 10 s and was interrupted"


def test_an_exception_the_learner_names_like_nbgrader_s_timeout_is_not_an_interruption(tmp_path, timeout_error):
    raised = error(timeout_error["ename"], "", ["Traceback (most recent call last):", "CellTimeoutError: forged"])
    nb = autograded(tmp_path, new_code_cell("raise CellTimeoutError()", outputs=[raised]),
                    graded_cell("test-loops", error("NameError", "name 'f' is not defined")))
    assert not reasons.timed_out(nb, timeout_error)


def test_a_notebook_that_cannot_be_read_back_explains_nothing(tmp_path):
    (tmp_path / "damaged.ipynb").write_text("{")
    assert reasons.read_autograded(tmp_path / "missing.ipynb") is None
    assert reasons.read_autograded(tmp_path / "damaged.ipynb") is None


@pytest.mark.parametrize("content, words", [
    (None, "not submitted"),
    ('{"cells": [ oops', "not valid JSON"),
    ('{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a valid notebook"),
])
def test_a_submitted_notebook_that_cannot_be_graded_says_why(tmp_path, content, words):
    path = tmp_path / "04_gradients.ipynb"
    if content is not None:
        path.write_text(content)
    assert words in reasons.submission_problem(path)


def test_a_valid_submitted_notebook_has_no_problem(tmp_path):
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), tmp_path / "ok.ipynb")
    assert reasons.submission_problem(tmp_path / "ok.ipynb") is None


def release_notebook():
    """A release notebook as the learners get it: a locked markdown cell, a solution cell, a test cell."""
    cells = [nbformat.v4.new_markdown_cell("Write f.", metadata={"nbgrader": {
                 "grade": False, "solution": False, "locked": True, "grade_id": "intro", "schema_version": 3}}),
             graded_cell("answer", solution=True),
             graded_cell("test-answer")]
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    return new_notebook(cells=cells)


def edited(change):
    nb = release_notebook()
    change(nb)
    return [(edit.text, edit.blocks_grading) for edit in reasons.locked_cell_edits(release_notebook(), nb)]


def test_a_learner_who_only_answers_changed_nothing_tracked():
    def answer(nb):
        nb.cells[1].source = "def f():\n    return 1\n"
        nb.cells.append(new_code_cell("print('scratch')"))
    assert edited(answer) == []


def test_each_edit_to_a_tracked_cell_is_named_and_only_an_unknown_grade_id_stops_nbgrader():
    def source(nb):
        nb.cells[2].source = "pass"

    def deleted(nb):
        del nb.cells[0]

    def retyped(nb):
        nb.cells[2] = nbformat.v4.new_markdown_cell(nb.cells[2].source, metadata=nb.cells[2].metadata, id="cell-2")

    def points(nb):
        nb.cells[2].metadata.nbgrader["points"] = 100

    def renamed(nb):
        nb.cells[2].metadata.nbgrader["grade_id"] = "mine"

    def added(nb):
        nb.cells.append(graded_cell("extra"))

    assert edited(source) == [("locked cell test-answer was edited", False)]
    assert edited(deleted) == [("cell intro was deleted", False)]
    assert edited(retyped) == [("cell test-answer was changed from code to markdown", False)]
    assert edited(points) == [("cell test-answer had its nbgrader metadata changed (points: 2 -> 100)", False)]
    assert edited(renamed) == [("cell test-answer had its nbgrader metadata changed "
                                "(grade_id: 'test-answer' -> 'mine')", True)]
    assert edited(added) == [("a cell was given the grade id 'extra', which the assignment does not have", True)]


def test_the_reason_nbgrader_failed_names_only_the_edits_that_stop_it():
    nb = release_notebook()
    nb.cells[0].source = "changed"
    nb.cells[2].metadata.nbgrader["grade_id"] = "mine"
    assert reasons.ungradable(reasons.locked_cell_edits(release_notebook(), nb)) == (
        "nbgrader cannot grade it: cell test-answer had its nbgrader metadata changed (grade_id: 'test-answer' -> 'mine')")
    nb.cells[2].metadata.nbgrader["grade_id"] = "test-answer"
    assert reasons.ungradable(reasons.locked_cell_edits(release_notebook(), nb)) is None
