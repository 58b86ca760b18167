"""load_answer: a learner's function taken from an earlier lab's notebook, and a clear error for
every way that notebook can fail to hold it."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from lab_utils import cofi, load_answer
from lab_utils.examples import tiny_example

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def lab_3(folder: Path, defining: str, *others: str) -> Path:
    """A notebook whose code cells are ``others`` and then ``defining``."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in (*others, defining)])
    path = folder / "03_cofi_cost.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_instructors_vectorized_cost_loads_and_computes_the_reference_cost():
    mine = load_answer(NOTEBOOKS / "source" / "cofi" / "03_cofi_cost.ipynb", "cofi_cost_func_v")
    example = tiny_example()
    args = (example.X, example.W, example.b, example.Y, example.R, 1.5)
    assert float(mine(*args)) == pytest.approx(float(cofi.cofi_cost_func_v(*args)), rel=1e-6)


def test_an_answer_not_written_yet_loads_and_says_so_when_called():
    unwritten = load_answer(NOTEBOOKS / "release" / "cofi" / "03_cofi_cost.ipynb", "cofi_cost_func_v")
    with pytest.raises(NotImplementedError):
        unwritten(*(np.zeros((2, 2)),) * 5, 1.0)


def test_only_the_cell_that_defines_the_function_runs(tmp_path):
    path = lab_3(tmp_path, "def f(x):\n    return np.square(x) + tf.constant(1.0).numpy()\n",
                 "open('ran', 'w').write('the other cell ran')", "%matplotlib inline")
    assert load_answer(path, "f")(3.0) == 10.0
    assert not (tmp_path / "ran").exists()


def test_a_missing_notebook_names_its_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="03_cofi_cost.ipynb is not there"):
        load_answer(tmp_path / "03_cofi_cost.ipynb", "cofi_cost_func_v")


def test_a_file_that_is_not_a_notebook_is_said(tmp_path):
    path = tmp_path / "03_cofi_cost.ipynb"
    path.write_text('{"cells": [ oops')
    with pytest.raises(ValueError, match="is not a readable notebook"):
        load_answer(path, "cofi_cost_func_v")


def test_a_notebook_without_the_function_says_what_it_looked_for(tmp_path):
    path = lab_3(tmp_path, "def something_else():\n    pass\n")
    with pytest.raises(LookupError, match="defines a function cofi_cost_func_v"):
        load_answer(path, "cofi_cost_func_v")


def test_a_syntax_error_in_the_answer_names_the_cell(tmp_path):
    path = lab_3(tmp_path, "def cofi_cost_func_v(X, W, b, Y, R, lambda_):\n    return (X @ W.T\n", "x = 1")
    with pytest.raises(SyntaxError) as raised:
        load_answer(path, "cofi_cost_func_v")
    assert raised.value.filename == "03_cofi_cost.ipynb, code cell 2"
