"""Lab 1's exercises: J(w) = (wx - y)^2 under a GradientTape, and dJ/dw by hand."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import autodiff

from ..compare import describe, matches
from ..engine import Case, Problem, Run, close_to_expected, number_type
from ..mistakes import Mistake
from ..registry import Exercise, register
from ..runner import Outcome

SIMPLE_CASES = ((3.0, 1.0, 1.0), (2.0, 3.0, 1.0), (-1.5, 2.0, 0.5), (0.25, -4.0, 2.0))


def simple_inputs(rng) -> list[tuple[float, float, float]]:
    """(w, x, y) for the visible cases (rng None) or four drawn at random."""
    if rng is None:
        return list(SIMPLE_CASES)
    return [tuple(float(v) for v in np.round(rng.uniform(-4, 4, 3), 2)) for _ in range(4)]


def taped(invoke, w0, x, y) -> Outcome:
    """The learner's cost of w = tf.Variable(w0) under a tape, and the tape's dJ/dw (None if none)."""
    w = tf.Variable(w0)
    with tf.GradientTape() as tape:
        outcome = invoke(w, x, y)
    if outcome.error:
        return outcome
    gradient = tape.gradient(outcome.value, w) if tf.is_tensor(outcome.value) else None
    return Outcome(value=(outcome.value, gradient))


def _tape_type(case, value):
    cost, gradient = value
    if not tf.is_tensor(cost) or tuple(cost.shape) != ():
        return Problem(f"returns {describe(cost)}, expected a 0-d tensor", "a 0-d tf.Tensor", describe(cost),
                       "compute J with TensorFlow operations on w (w * x, ** 2); float() or .numpy() hides it from the tape")
    if gradient is None:
        return Problem("the tape cannot differentiate the cost with respect to w", "a gradient", "None",
                       "J must be computed from w itself, not from a copy converted to NumPy")
    return None


def _tape_value(case, value):
    cost, gradient = value
    pair = Case(case.name, expected=case.expected, rtol=1e-5)
    problem = close_to_expected()(pair, np.array([float(cost), float(gradient)]))
    if problem:
        w, x, y = case.run.params
        if matches(np.array([float(cost), float(gradient)]), np.array([w * x - y, x]), 1e-5):
            return Problem("wrong [cost, dJ/dw]", problem.expected, problem.actual,
                           "the square is missing: J(w) = (w x - y) ** 2, not w x - y", "the square is missing")
        return Problem("wrong [cost, dJ/dw]", problem.expected, problem.actual, "J(w) = (w x - y) ** 2")
    return None


register(Exercise(
    "tape_cost", "cost under the tape", ("w", "x", "y"),
    lambda rng: [Case(f"w={w}, x={x}, y={y}", run=Run(taped, (w, x, y)),
                      expected=np.array([autodiff.simple_cost(w, x, y), autodiff.simple_cost_derivative(w, x, y)]))
                 for w, x, y in simple_inputs(rng)],
    [_tape_type, _tape_value],
    doc="J(w) = (wx - y)^2 with TensorFlow: value and tape gradient.",
    forbidden=lambda: [autodiff.simple_cost],
))


DERIVATIVE_MISTAKES = (
    Mistake("the chain rule's factor x is missing",
            "the chain rule also multiplies by the derivative of the inside, w x - y, which is x",
            lambda w, x, y: 2 * (w * x - y)),
    Mistake("the power rule's factor 2 is missing", "the power rule brings down the exponent: d/du u^2 = 2u",
            lambda w, x, y: (w * x - y) * x),
    Mistake("w instead of x in the chain rule's factor",
            "the chain rule multiplies by the derivative of the inside, w x - y, with respect to w: that is x, not w",
            lambda w, x, y: 2 * (w * x - y) * w),
    Mistake("the sign is flipped", "the sign is flipped: J grows when w x moves away from y",
            lambda w, x, y: -autodiff.simple_cost_derivative(w, x, y)),
)


register(Exercise(
    "hand_derivative", "hand derivative dJ/dw", ("w", "x", "y"),
    lambda rng: [Case(f"w={w}, x={x}, y={y}", args=(w, x, y), expected=autodiff.simple_cost_derivative(w, x, y))
                 for w, x, y in simple_inputs(rng)],
    [number_type, close_to_expected()],
    doc="dJ/dw = 2 (wx - y) x.", mistakes=DERIVATIVE_MISTAKES,
    forbidden=lambda: [autodiff.simple_cost_derivative],
))
