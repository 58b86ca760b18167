"""The translated editions as learners and instructors meet them: every notebook runs headless
clean and its checks speak the edition's language; one grading run grades a class that took both."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from editions import catalogs
from editions.build import edition_dir, edition_name

from ..autograder.catalogue import LOOP
from ..notebooks.conftest import BIN, ROOT, execute, nbgrader
from ..notebooks.test_notebooks import grade_id, is_solution, is_test, outputs, stderr
from .words import shows

LANGUAGES = catalogs.languages()
CHECK_PASSED = "all tests passed"
"""What a passing check says in English (autograder.result)."""
NOTEBOOKS = [p.name for p in catalogs.source_notebooks()]


@pytest.fixture(scope="module")
def executed():
    cache = {}

    def run(language, name):
        if (language, name) not in cache:
            cache[language, name] = execute(edition_dir(language) / name)
        return cache[language, name]
    return run


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_edition_notebook_runs_headless_clean_and_its_checks_speak_its_language(executed, language, name):
    nb = executed(language, name)
    errors = [(grade_id(c) or i, o.ename, o.evalue) for i, c in enumerate(nb.cells) for o in outputs(c, "error")]
    assert not errors, errors
    noisy = [(grade_id(c), "".join(o.text for o in stderr(c))[:300]) for c in nb.cells if is_test(c) and stderr(c)]
    assert not noisy, noisy
    checks = ["".join(o.data.get("text/plain", "")) for c in nb.cells if is_test(c) for o in outputs(c, "display_data")]
    assert checks and all(shows(text, CHECK_PASSED, language) for text in checks), checks


def _course(folder: Path, language: str, name: str) -> Path:
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    for assignment, source in (("cofi", catalogs.SOURCE_DIR), (edition_name(language), edition_dir(language))):
        (folder / "notebooks" / "source" / assignment).mkdir(parents=True)
        shutil.copy(source / name, folder / "notebooks" / "source" / assignment / name)
        nbgrader("generate_assignment", assignment, "--force", cwd=folder)
    return folder


def _submit(course: Path, student: str, assignment: str, name: str, wrong: dict[str, str]) -> None:
    source = nbformat.read(course / "notebooks" / "source" / assignment / name, as_version=4)
    solutions = {grade_id(c): c.source for c in source.cells if is_solution(c)}
    nb = nbformat.read(course / "notebooks" / "release" / assignment / name, as_version=4)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = wrong.get(grade_id(cell), solutions[grade_id(cell)])
    folder = course / "notebooks" / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_grading_run_grades_a_class_that_took_both_editions(tmp_path, language):
    """ana took the translated edition, ben the English one; both wrote the same wrong loop. One
    `python -m autograder grade` run gives both the same scores, each feedback in its language."""
    name = "01_gradient_tape.ipynb"
    edition = edition_name(language)
    course = _course(tmp_path, language, name)
    grade, wrong, phrase = LOOP["rebinding-w"]
    _submit(course, "ana", edition, name, {grade: wrong})
    _submit(course, "ben", "cofi", name, {grade: wrong})
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("LABS_LANGUAGE", None)
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", "cofi", edition, "--jobs", "2"],
                         cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    expected = {"test-tape-cost": 2, "test-hand-derivative": 2, "test-tape-loop": 0}
    with Gradebook(f"sqlite:///{course / 'notebooks' / 'gradebook.db'}") as gradebook:
        for student, assignment in (("ana", edition), ("ben", "cofi")):
            notebook = gradebook.find_submission_notebook(name[:-6], assignment, student)
            assert {g.name: g.score for g in notebook.grades} == expected, student

    def loop_feedback(student, assignment):
        nb = nbformat.read(course / "notebooks" / "autograded" / student / assignment / name, as_version=4)
        cell = next(c for c in nb.cells if grade_id(c) == f"test-{grade}")
        return "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)

    assert shows(loop_feedback("ana", edition), phrase, language)
    assert phrase in loop_feedback("ben", "cofi") and not shows(loop_feedback("ben", "cofi"), phrase, language)
    assert (course / "notebooks" / f"grades-{edition}.csv").is_file() and (course / "notebooks" / "grades-cofi.csv").is_file()
