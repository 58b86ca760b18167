"""The labs as a learner and an instructor meet them: executed, released, and graded by nbgrader."""

import ast
import json
import re
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from lab_utils.training import DEFAULTS

from .conftest import NOTEBOOKS, PLOTLESS, RELEASE, ROOT, SOURCE, nbgrader


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
    assert len(calls) == 1, "Lab 5 should call train_cofi on MovieLens once"
    given = {k.arg: ast.literal_eval(k.value) for k in calls[0].keywords}
    shared = {"num_features", "lambda_", "iterations", "learning_rate"}
    assert {k: given[k] for k in shared} == {k: DEFAULTS[k] for k in shared}


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
