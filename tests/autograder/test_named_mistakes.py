"""Every named mistake in every exercise's catalogue is triggered by a learner's version of it,
told by its own name, and told apart from every other mistake on the visible cases."""

import numpy as np
import pytest
import tensorflow as tf

from autograder.exercises import load
from autograder.exercises.gradients import SHAPE_MISTAKES, SQUARE
from autograder.mistakes import reproduces

from .named_mistakes import COST, NAMED, SHAPE

registry = load()


def as_tensorflow(cost):
    """The learner's NumPy cost written for cofi_cost_func_v: the same arithmetic on tensors."""
    def cofi_cost_func_v(X, W, b, Y, R, lambda_):
        value = cost(*(np.asarray(a.numpy() if hasattr(a, "numpy") else a, dtype=float) for a in (X, W, b, Y, R)), lambda_)
        return tf.constant(value, dtype=X.dtype)
    return cofi_cost_func_v


def learner_versions():
    for key, mistakes in NAMED.items():
        for name, fn in mistakes.items():
            yield key, name, fn
    for name, fn in COST.items():
        yield "cofi_cost_v", name, as_tensorflow(fn)


CASES = list(learner_versions())


def test_every_catalogued_mistake_has_a_learner_version():
    catalogued = {(key, m.name) for key, exercise in registry.EXERCISES.items() for m in exercise.mistakes}
    assert catalogued == {(key, name) for key, name, _ in CASES}


@pytest.mark.parametrize("key, name, fn", CASES, ids=[f"{k}: {n}" for k, n, _ in CASES])
def test_the_mistake_is_named_in_the_result(key, name, fn):
    result = registry.evaluate(key, fn)
    failing = result.cases[-1]
    assert not result.passed and failing.mistake == name, str(result)
    assert f"(known mistake: {name})" in failing.hint


@pytest.mark.parametrize("key, name, fn", CASES, ids=[f"{k}: {n}" for k, n, _ in CASES])
def test_no_other_mistake_reproduces_the_learners_answers_on_the_visible_cases(key, name, fn):
    exercise = registry.EXERCISES[key]
    cases = exercise.cases(None)
    outputs = [fn(*case.args) for case in cases]
    fitting = [m.name for m in exercise.mistakes if reproduces(m, cases, outputs, exercise.mistake_rtol)]
    assert fitting == [name]


SHAPE_CASES = [(key, name, fn) for key, mistakes in SHAPE.items() for name, fn in mistakes.items()]


def test_every_shape_mistake_has_a_learner_version():
    catalogued = {(f"grad_{key}", m.name) for key, mistakes in SHAPE_MISTAKES.items() for m in mistakes}
    assert catalogued <= {(key, name) for key, name, _ in SHAPE_CASES}


@pytest.mark.parametrize("key, name, fn", SHAPE_CASES, ids=[f"{k}: {n}" for k, n, _ in SHAPE_CASES])
def test_a_mistake_that_fails_before_the_values_is_named_and_no_other_reproduces_it(key, name, fn):
    failing = registry.evaluate(key, fn).cases[-1]
    assert failing.mistake == name, str(failing)
    assert name == "the sum is over every entry" or f"(known mistake: {name})" in failing.hint  # a stage names that one
    value = fn(*SQUARE)
    others = [m.name for m in (*registry.EXERCISES[key].mistakes, *SHAPE_MISTAKES[key[-1]])
              if m.name != name and np.shape(value) == np.shape(m.compute(*SQUARE))
              and np.allclose(value, m.compute(*SQUARE), rtol=1e-5)]
    assert others == []
