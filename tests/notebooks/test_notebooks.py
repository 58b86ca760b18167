"""The labs as a learner and an instructor meet them: executed, released, and graded by nbgrader."""

import ast
import json
import re
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from lab_utils.synthetic import ML25M_SHAPE
from lab_utils.training import DEFAULTS

from .conftest import NOTEBOOKS, PLOTLESS, RELEASE, ROOT, SOURCE, make_course, nbgrader


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    return cell.metadata.get("nbgrader", {}).get("grade", False) and cell.cell_type == "code"


def is_solution(cell):
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def outputs(cell, kind):
    return [o for o in cell.get("outputs", []) if o.output_type == kind]


def stderr(cell):
    return [o for o in outputs(cell, "stream") if o.name == "stderr"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_notebook_runs_without_errors_or_stderr_in_test_cells(executed_source, name):
    nb = executed_source[name]
    errors = [(grade_id(c) or i, o.ename, o.evalue) for i, c in enumerate(nb.cells) for o in outputs(c, "error")]
    assert not errors, errors
    noisy = [(grade_id(c), "".join(o.text for o in stderr(c))[:300]) for c in nb.cells if is_test(c) and stderr(c)]
    assert not noisy, noisy
    assert any(is_test(c) for c in nb.cells), "every lab has at least one graded test cell"


def test_notebook_1_reaches_the_lectures_w_after_30_iterations(executed_source):
    nb = executed_source["01_gradient_tape.ipynb"]
    printed = "".join(o.text for c in nb.cells for o in outputs(c, "stream") if o.name == "stdout")
    w = float(re.search(r"after 30 iterations w = ([\d.]+)", printed).group(1))
    assert w == pytest.approx(1 + 2 * 0.98**30, abs=1e-4)  # each step scales w - 1 by 1 - 2 * alpha = 0.98


def test_notebooks_with_plots_render_them(executed_source):
    for name in NOTEBOOKS:
        if name in PLOTLESS:
            continue
        images = [o for c in executed_source[name].cells for o in outputs(c, "display_data") if "image/png" in o.data]
        assert images, f"{name} shows no plot"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_notebook_has_no_solution_code_or_hidden_tests(name):
    source = nbformat.read(SOURCE / name, as_version=4)
    release = nbformat.read(RELEASE / name, as_version=4)
    text = json.dumps([c.source for c in release.cells])
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    released = {grade_id(c): c.source for c in release.cells if is_solution(c)}
    solutions = [c for c in source.cells if is_solution(c)]
    assert solutions and set(released) == {grade_id(c) for c in solutions}
    for cell in solutions:
        assert "raise NotImplementedError()" in released[grade_id(cell)]
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
            for line in block.strip().splitlines():
                assert line.strip() not in released[grade_id(cell)], \
                    f"solution line {line.strip()!r} of {grade_id(cell)} leaked into release"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_notebook_run_unchanged_raises_not_implemented_and_fails_its_checks(executed_release, name):
    nb = executed_release[name]
    for cell in nb.cells:
        errors = outputs(cell, "error")
        if is_solution(cell):
            # An exercise raises when it is called; calling it is the job of the next cells.
            continue
        if is_test(cell):
            assert errors and errors[0].ename == "AssertionError", f"test cell {grade_id(cell)} did not fail"
            assert "NotImplementedError" in errors[0].evalue
    assert any(o.ename == "NotImplementedError" for c in nb.cells for o in outputs(c, "error")), \
        "some demo cell calls an exercise and raises NotImplementedError"


def test_notebooks_are_committed_without_outputs():
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not dirty, f"{path.relative_to(ROOT)} has outputs in cells {dirty}; run `make strip`"


def comparable(nb):
    return [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in nb.cells]


def test_lab_5_trains_with_the_defaults_of_lu_train():
    # The lab types the settings out for the learner's loop; they must not drift from DEFAULTS.
    nb = nbformat.read(SOURCE / "05_movielens.ipynb", as_version=4)
    calls = [node for c in nb.cells if c.cell_type == "code" and "train_cofi(Ynorm" in c.source
             for node in ast.walk(ast.parse(c.source))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "train_cofi"]
    assert len(calls) == 2, "Lab 5 trains on MovieLens with the reference cost, then with the learner's Lab 3 cost"
    shared = {"num_features", "lambda_", "iterations", "learning_rate"}
    for call in calls:
        given = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        assert {k: given[k] for k in shared} == {k: DEFAULTS[k] for k in shared}
    assert len({ast.dump(call) for call in calls}) == 1, "both trainings must be the same, but for the cost"


def test_release_is_in_sync_with_source(course):
    for name in NOTEBOOKS:
        generated = nbformat.read(course / "notebooks" / "release" / "cofi" / name, as_version=4)
        committed = nbformat.read(RELEASE / name, as_version=4)
        assert comparable(generated) == comparable(committed), f"release/{name} is out of date: run `make release`"
    assert sorted(p.name for p in RELEASE.glob("*.ipynb")) == NOTEBOOKS


def test_source_notebooks_submitted_as_they_are_get_full_marks(course):
    submission = course / "notebooks" / "submitted" / "learner" / "cofi"
    shutil.copytree(SOURCE, submission)
    nbgrader("db", "student", "add", "learner", cwd=course)
    nbgrader("autograde", "cofi", "--student", "learner", cwd=course)
    with Gradebook(f"sqlite:///{course / 'notebooks' / 'gradebook.db'}") as gradebook:
        for name in NOTEBOOKS:
            notebook = gradebook.find_submission_notebook(name.removesuffix(".ipynb"), "cofi", "learner")
            assert notebook.max_score > 0
            lost = {g.name: (g.score, g.max_score) for g in notebook.grades if g.score != g.max_score}
            assert notebook.score == notebook.max_score, f"{name} lost points: {lost}"


def test_lab_5_trains_the_same_model_with_the_learners_own_lab_3_cost(executed_source):
    nb = executed_source["05_movielens.ipynb"]
    printed = "".join(o.text for c in nb.cells for o in outputs(c, "stream") if o.name == "stdout")
    found = re.search(r"trained with lab_utils' cost ([\d.]+), with your Lab 3 cost ([\d.]+)", printed)
    assert found, "Lab 5 does not train with the Lab 3 cost"
    reference, own = (float(v) for v in found.groups())
    assert 0.5 < reference < 1.2 and own == pytest.approx(reference, abs=2e-3)


def test_lab_5_writes_the_prediction_out_with_the_mean_added_back(executed_source):
    nb = executed_source["05_movielens.ipynb"]
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("predictions = "))
    assert "+ Ymean" in cell.source.splitlines()[0] and not outputs(cell, "error")
    table = "".join(o.data.get("text/plain", "") for o in outputs(cell, "execute_result"))
    assert "movie's mean" in table and "prediction" in table


def test_a_wrong_lecture_loop_graded_by_nbgrader_scores_0_and_its_feedback_names_the_mistake(tmp_path):
    from ..autograder.catalogue import LOOP
    course = make_course(tmp_path, ["01_gradient_tape"])
    grade, wrong, phrase = LOOP["rebinding-w"]
    source = nbformat.read(SOURCE / "01_gradient_tape.ipynb", as_version=4)
    solutions = {grade_id(c): c.source for c in source.cells if is_solution(c)}
    nb = nbformat.read(course / "notebooks" / "release" / "cofi" / "01_gradient_tape.ipynb", as_version=4)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = wrong if grade_id(cell) == grade else solutions[grade_id(cell)]
    submission = course / "notebooks" / "submitted" / "learner" / "cofi"
    submission.mkdir(parents=True)
    nbformat.write(nb, submission / "01_gradient_tape.ipynb")
    nbgrader("db", "student", "add", "learner", cwd=course)
    nbgrader("autograde", "cofi", "--student", "learner", cwd=course)
    nbgrader("generate_feedback", "cofi", "--student", "learner", cwd=course)
    with Gradebook(f"sqlite:///{course / 'notebooks' / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook("01_gradient_tape", "cofi", "learner")
        assert {g.name: g.score for g in notebook.grades} == {"test-tape-cost": 2, "test-hand-derivative": 2,
                                                             "test-tape-loop": 0}
    page = (course / "notebooks" / "feedback" / "learner" / "cofi" / "01_gradient_tape.html").read_text()
    assert phrase in page


def test_lab_5_computes_the_same_cost_over_the_rated_pairs_alone(executed_source):
    nb = executed_source["05_movielens.ipynb"]
    printed = "".join(o.text for c in nb.cells for o in outputs(c, "stream") if o.name == "stdout")
    dense, pairs = (float(v.replace(",", "")) for v in
                    re.search(r"J from Y and R: ([\d,.]+); J from the [\d,]+ rated pairs alone: ([\d,.]+)", printed).groups())
    assert dense == pytest.approx(pairs, rel=1e-9) and dense > 0
    entries = ML25M_SHAPE["num_movies"] * ML25M_SHAPE["num_users"]
    assert f"MovieLens 25M: Y and R, {entries:,} entries each, take {8 * entries / 1e6:,.0f} MB" in printed
