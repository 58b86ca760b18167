"""What a learner sees when a check fails, in a real kernel: the result (the red box with the
failing case, expected, actual and hint) and one line, no traceback through the autograder; and
nbgrader still scores the cell 0."""

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.utils import determine_grade

from autograder.result import MIME_TYPE, CaseResult, CheckResult, failure

from ..notebooks.conftest import ROOT

SETUP = "import numpy as np\nfrom autograder import check_squared_distance\nfrom autograder.pristine import verify"
WRONG = "def squared_distance(a, b):\n    return np.sum(a - b)  # the square is missing\n"
RIGHT = "def squared_distance(a, b):\n    return np.sum((a - b) ** 2)\n"


def graded(source, grade_id):
    return new_code_cell(source, metadata={"nbgrader": {"grade": True, "solution": False, "locked": True,
                                                        "points": 1, "grade_id": grade_id, "schema_version": 3}})


@pytest.fixture(scope="module")
def notebook():
    """A learner's notebook run in a kernel: a wrong answer checked visibly and by the hidden
    tests, and a right answer checked (the control)."""
    nb = new_notebook(cells=[
        new_code_cell(SETUP),
        graded(WRONG + "check_squared_distance(squared_distance)", "visible-wrong"),
        graded(WRONG + 'verify("squared_distance", squared_distance)', "hidden-wrong"),
        graded(RIGHT + "check_squared_distance(squared_distance)", "visible-right"),
    ])
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return {cell.metadata.get("nbgrader", {}).get("grade_id", "setup"): cell for cell in nb.cells}


@pytest.mark.parametrize("grade_id", ["visible-wrong", "hidden-wrong"])
def test_a_failed_check_shows_its_result_and_one_line_without_a_traceback(notebook, grade_id):
    cell = notebook[grade_id]
    shown = [o for o in cell.outputs if o.output_type == "display_data"]
    assert len(shown) == 1 and MIME_TYPE in shown[0].data, cell.outputs
    html = shown[0].data["text/html"]
    assert "autograder-result" in html and "not yet right" in html and "expected" in html and "actual" in html

    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1, cell.outputs
    error = errors[0]
    assert error.ename == "AssertionError"
    assert "squared_distance" in error.evalue and "[FAIL]" in error.evalue, error.evalue
    assert len(error.traceback) == 1, "\n".join(error.traceback)
    assert "Traceback" not in error.traceback[0] and "autograder" not in error.traceback[0]
    assert error.traceback[0].startswith("AssertionError: ") and "shown above" in error.traceback[0]


@pytest.mark.parametrize("grade_id", ["visible-wrong", "hidden-wrong"])
def test_nbgrader_still_scores_a_failed_check_0(notebook, grade_id):
    assert determine_grade(notebook[grade_id]) == (0, 1.0)


def test_a_passed_check_shows_no_error_and_gets_its_point(notebook):
    cell = notebook["visible-right"]
    assert not [o for o in cell.outputs if o.output_type in ("error", "stream")], cell.outputs
    assert determine_grade(cell) == (1.0, 1.0)


def test_the_failure_keeps_the_result_as_text_outside_ipython():
    result = CheckResult("squared_distance", [CaseResult("example", False, "wrong value", "1.0", "2.0")])
    error = failure(result)
    assert isinstance(error, AssertionError) and str(error) == str(result)
    assert error._render_traceback_() == ["AssertionError: squared_distance: 1 problem(s), shown above"]
