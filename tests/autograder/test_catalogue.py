"""Each deliberately wrong answer in the catalogue gets its own diagnosis (checked directly here;
test_classroom.py grades the same answers through nbgrader)."""

import numpy as np
import pytest
import tensorflow as tf

from autograder.exercises import load
from autograder.pristine import verify

from . import catalogue

registry = load()

KEYS = {"cofi-cost-loops": "cofi_cost", "cofi-cost-vectorized": "cofi_cost_v",
        "grad-X": "grad_X", "grad-W": "grad_W", "grad-b": "grad_b", "tape-loop": "tape_loop"}
FUNCTIONS = {"cofi-cost-loops": "cofi_cost_func", "cofi-cost-vectorized": "cofi_cost_func_v",
             "grad-X": "grad_X", "grad-W": "grad_W", "grad-b": "grad_b", "tape-loop": "gradient_descent"}


pytestmark = pytest.mark.usefixtures("restore_numpy")  # a cheat below replaces np.allclose and np.isclose


def learner_function(grade_id, source):
    namespace = {"np": np, "tf": tf}
    exec(compile(source() if callable(source) else source, f"<learner cell {grade_id}>", "exec"), namespace)
    return namespace[FUNCTIONS[grade_id]]


@pytest.mark.parametrize("name", catalogue.WRONG)
def test_each_named_mistake_fails_with_its_own_diagnosis(name):
    grade_id, source, phrase = catalogue.WRONG[name]
    result = registry.evaluate(KEYS[grade_id], learner_function(grade_id, source))
    assert not result.passed
    assert phrase in str(result), str(result)
    others = [p for n, (g, _, p) in catalogue.WRONG.items() if g == grade_id and n != name]
    assert not any(p in str(result) for p in others), f"{name} is confused with another mistake:\n{result}"


@pytest.mark.parametrize("name", catalogue.CHEATS)
def test_each_cheat_fails_the_hidden_verification(name):
    grade_id, source, phrase = catalogue.CHEATS[name]
    with pytest.raises(AssertionError, match=r"hidden case") as failure:
        verify(KEYS[grade_id], learner_function(grade_id, source))
    assert phrase in str(failure.value)


def test_catalogue_covers_every_exercise_of_labs_3_and_4():
    assert {grade_id for grade_id, _, _ in catalogue.WRONG.values()} == set(KEYS) - {"tape-loop"}


@pytest.mark.parametrize("name", catalogue.LOOP)
def test_each_wrong_loop_gets_its_own_diagnosis_on_visible_and_hidden_cases(name):
    grade_id, source, phrase = catalogue.LOOP[name]
    learner = learner_function(grade_id, source)
    for result in (registry.evaluate("tape_loop", learner), registry.evaluate("tape_loop", learner, hidden=True)):
        assert not result.passed and phrase in str(result), str(result)
        others = [p for n, (_, _, p) in catalogue.LOOP.items() if n != name]
        assert not any(p in str(result) for p in others), f"{name} is confused with another mistake:\n{result}"
