"""Lab 1's exercises: J(w) = (wx - y)^2 under a GradientTape, dJ/dw by hand, and the lecture's loop."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import autodiff
from lab_utils.i18n import N_, _

from ..compare import describe, matches
from ..engine import Case, Problem, Run, close_to_expected, number_type
from ..mistakes import Mistake
from ..registry import Exercise, register
from ..runner import Outcome

LECTURE = (3.0, 1.0, 1.0, 0.01, 30)
"""The lecture's loop: w0, x, y, alpha, iterations (w ends at 1 + 2 * 0.98^30, about 2.0910)."""

SIMPLE_CASES = ((3.0, 1.0, 1.0), (2.0, 3.0, 1.0), (-1.5, 2.0, 0.5), (0.25, -4.0, 2.0))


def simple_inputs(rng) -> list[tuple[float, float, float]]:
    """(w, x, y) for the visible cases (rng None) or four drawn at random."""
    if rng is None:
        return list(SIMPLE_CASES)
    return [tuple(float(v) for v in np.round(rng.uniform(-4, 4, 3), 2)) for __ in range(4)]


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
        return Problem(_("returns {value}, expected a 0-d tensor").format(value=describe(cost)), _("a 0-d tf.Tensor"),
                       describe(cost), _("compute J with TensorFlow operations on w (w * x, ** 2); float() or "
                                         ".numpy() hides it from the tape"))
    if gradient is None:
        return Problem(_("the tape cannot differentiate the cost with respect to w"), _("a gradient"), "None",
                       _("J must be computed from w itself, not from a copy converted to NumPy"))
    return None


def _tape_value(case, value):
    cost, gradient = value
    pair = Case(case.name, expected=case.expected, rtol=1e-5)
    problem = close_to_expected()(pair, np.array([float(cost), float(gradient)]))
    if problem:
        w, x, y = case.run.params
        if matches(np.array([float(cost), float(gradient)]), np.array([w * x - y, x]), 1e-5):
            return Problem(_("wrong [cost, dJ/dw]"), problem.expected, problem.actual,
                           _("the square is missing: J(w) = (w x - y) ** 2, not w x - y"), N_("the square is missing"))
        return Problem(_("wrong [cost, dJ/dw]"), problem.expected, problem.actual, "J(w) = (w x - y) ** 2")
    return None


register(Exercise(
    "tape_cost", N_("cost under the tape"), ("w", "x", "y"),
    lambda rng: [Case(f"w={w}, x={x}, y={y}", run=Run(taped, (w, x, y)),
                      expected=np.array([autodiff.simple_cost(w, x, y), autodiff.simple_cost_derivative(w, x, y)]))
                 for w, x, y in simple_inputs(rng)],
    [_tape_type, _tape_value],
    doc=N_("J(w) = (wx - y)^2 with TensorFlow: value and tape gradient."),
    forbidden=lambda: [autodiff.simple_cost],
))


DERIVATIVE_MISTAKES = (
    Mistake(N_("the chain rule's factor x is missing"),
            N_("the chain rule also multiplies by the derivative of the inside, w x - y, which is x"),
            lambda w, x, y: 2 * (w * x - y)),
    Mistake(N_("the power rule's factor 2 is missing"), N_("the power rule brings down the exponent: d/du u^2 = 2u"),
            lambda w, x, y: (w * x - y) * x),
    Mistake(N_("w instead of x in the chain rule's factor"),
            N_("the chain rule multiplies by the derivative of the inside, w x - y, with respect to w: that is x, "
               "not w"),
            lambda w, x, y: 2 * (w * x - y) * w),
    Mistake(N_("the sign is flipped"), N_("the sign is flipped: J grows when w x moves away from y"),
            lambda w, x, y: -autodiff.simple_cost_derivative(w, x, y)),
)


register(Exercise(
    "hand_derivative", N_("hand derivative dJ/dw"), ("w", "x", "y"),
    lambda rng: [Case(f"w={w}, x={x}, y={y}", args=(w, x, y), expected=autodiff.simple_cost_derivative(w, x, y))
                 for w, x, y in simple_inputs(rng)],
    [number_type, close_to_expected()],
    doc="dJ/dw = 2 (wx - y) x.", mistakes=DERIVATIVE_MISTAKES,
    forbidden=lambda: [autodiff.simple_cost_derivative],
))


# ----- Exercise 3: the loop -----------------------------------------------------------------------

REBOUND = (N_("w is rebound to a new tensor instead of changed"),
           N_("`w = w - alpha * dJdw` makes the name w point at a new tensor the next tape does not watch, so the "
              "next tape.gradient is None (and the variable passed in never changes); change the variable itself "
              "with w.assign_add(-alpha * dJdw)"))
NO_GRADIENT = N_("tape.gradient returned None: compute the cost from w itself inside "
                 "`with tf.GradientTape() as tape:` on every step, and change w with w.assign_add so it stays the "
                 "variable the tape watches")


def descend(invoke, w0, x, y, alpha, iterations) -> Outcome:
    """The learner's loop on w = tf.Variable(w0): the variable's value after it. When the loop
    raises, one step on a fresh variable tells whether it rebinds w rather than changing it."""
    w = tf.Variable(w0)
    outcome = invoke(w, x, y, alpha, iterations)
    if not outcome.error:
        return Outcome(value=float(w.numpy()))
    if "NoneType" not in outcome.error:
        return outcome
    probe = tf.Variable(w0)
    step = invoke(probe, x, y, alpha, 1)
    if not step.error and float(probe.numpy()) == float(np.float32(w0)):
        name, hint = REBOUND
        return Outcome(error=outcome.error, hint=_("{hint} (known mistake: {name})").format(hint=_(hint), name=_(name)),
                       mistake=name)
    return Outcome(error=outcome.error, hint=_(NO_GRADIENT))


def _steps(w0, x, y, alpha, iterations, gradient, update=lambda w, step: w + step) -> float:
    """A loop as a learner might write it, in float64: ``gradient(w)`` each step, ``update`` applies it."""
    w = w0
    for __ in range(iterations):
        w = update(w, -alpha * gradient(w))
    return w


def _right(x, y):
    return lambda w: 2 * (w * x - y) * x


LOOP_MISTAKES = (
    (N_("w did not change"),
     N_("the variable passed in is where it started: change it in place on every step with "
        "w.assign_add(-alpha * dJdw) (rebinding `w = ...` or returning a new value leaves it as it was)"),
     lambda w0, x, y, alpha, n: w0),
    (N_("the step goes uphill"), N_("w moved up the cost: the step is -alpha * dJdw, against the derivative"),
     lambda w0, x, y, alpha, n: _steps(w0, x, y, -alpha, n, _right(x, y))),
    (N_("assign instead of assign_add"),
     N_("w.assign(v) replaces w by v; the step adds to w: w.assign_add(-alpha * dJdw)"),
     lambda w0, x, y, alpha, n: _steps(w0, x, y, alpha, n, _right(x, y), lambda w, step: step)),
    (N_("the derivative is taken once, before the loop"),
     N_("every step needs the derivative at the current w: put the tape and tape.gradient inside the loop"),
     lambda w0, x, y, alpha, n: w0 - n * alpha * 2 * (w0 * x - y) * x),
    (N_("one step too few"),
     N_("the loop runs iterations - 1 times: for iteration in range(iterations) runs it iterations times"),
     lambda w0, x, y, alpha, n: _steps(w0, x, y, alpha, n - 1, _right(x, y))),
    (N_("one step too many"),
     N_("the loop runs iterations + 1 times: for iteration in range(iterations) runs it iterations times"),
     lambda w0, x, y, alpha, n: _steps(w0, x, y, alpha, n + 1, _right(x, y))),
    (N_("x is missing from the cost"), N_("the prediction is w * x: the cost is (w * x - y) ** 2"),
     lambda w0, x, y, alpha, n: _steps(w0, x, y, alpha, n, lambda w: 2 * (w - y))),
    (N_("the square is missing from the cost"),
     N_("J(w) = (w * x - y) ** 2; without the square, dJ/dw is x whatever w is"),
     lambda w0, x, y, alpha, n: _steps(w0, x, y, alpha, n, lambda w: x)),
    (N_("alpha is not used"), N_("the step is -alpha * dJdw with the alpha passed in, not a fixed learning rate"),
     lambda w0, x, y, alpha, n: _steps(w0, x, y, 0.01, n, _right(x, y))),
)
"""(name, hint, w after the loop with that mistake) for ``tape_loop``."""


def _loop_type(case, value):
    if not isinstance(value, float):
        return Problem(_("the check could not read w after the loop ({value})").format(value=describe(value)),
                       _("a number"), describe(value), "")
    return None


def _loop_value(case, value):
    if matches(value, case.expected, case.rtol):
        return None
    for name, hint, compute in LOOP_MISTAKES:
        made = compute(*case.args)
        # A mistake that gives the right answer on this case (alpha not used when alpha is 0.01,
        # x left out when x is 1) cannot be what went wrong here.
        if matches(value, made, 1e-4) and not matches(made, case.expected, 1e-4):
            return Problem(_("w after the loop is wrong"), f"{case.expected:.6g}", f"{value:.6g}",
                           _("{hint} (known mistake: {name})").format(hint=_(hint), name=_(name)), name)
    return Problem(_("w after the loop is wrong"), f"{case.expected:.6g}", f"{value:.6g}",
                   _("each step: the cost (w * x - y) ** 2 under the tape, dJdw = tape.gradient(cost, w), "
                     "then w.assign_add(-alpha * dJdw)"))


def loop_inputs(rng) -> list[tuple]:
    """(w0, x, y, alpha, iterations): the lecture's loop and two more, or three drawn at random
    (x away from 1, w0 away from the minimum, alpha small enough that w converges but not
    all the way in the steps given)."""
    if rng is None:
        return [LECTURE, (2.0, 2.0, 1.0, 0.05, 10), (-1.0, 1.5, 2.0, 0.1, 5)]
    drawn = []
    while len(drawn) < 3:
        x = float(np.round(rng.choice([-1, 1]) * rng.uniform(1.25, 2.0), 2))
        y = float(np.round(rng.uniform(-2, 2), 2))
        w0 = float(np.round(rng.uniform(-3, 3), 2))
        alpha = float(np.round(rng.uniform(0.01, 0.1) / x**2, 4))
        # Each step keeps 1 - 2 alpha x^2 of the distance to the minimum: enough steps to see it
        # move, few enough that one step more or less still shows (at least 5 % of it left).
        most = min(40, int(np.log(0.05) / np.log(1 - 2 * alpha * x**2)))
        if abs(w0 - y / x) >= 0.5 and most >= 5:
            drawn.append((w0, x, y, alpha, int(rng.integers(5, most + 1))))
    return drawn


def _loop_case(w0, x, y, alpha, iterations) -> Case:
    name = _("the lecture's loop") if (w0, x, y, alpha, iterations) == LECTURE else _("a loop")
    return Case(_("{loop}: w = tf.Variable({w0}), x={x}, y={y}, alpha={alpha}, {iterations} steps").format(
                    loop=name, w0=w0, x=x, y=y, alpha=alpha, iterations=iterations),
                args=(w0, x, y, alpha, iterations), run=Run(descend, (w0, x, y, alpha, iterations)),
                expected=autodiff.gradient_descent_with_tape(w0, x, y, alpha, iterations)[-1], rtol=1e-5)


register(Exercise(
    "tape_loop", N_("gradient descent with the tape"), ("w", "x", "y", "alpha", "iterations"),
    lambda rng: [_loop_case(*inputs) for inputs in loop_inputs(rng)],
    [_loop_type, _loop_value],
    doc=N_("The lecture's loop: the cost under a tape, tape.gradient, w.assign_add(-alpha * dJdw), iterations "
           "times."),
    forbidden=lambda: [autodiff.gradient_descent_with_tape],
))
