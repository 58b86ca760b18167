"""Lab 2's exercise: one training step (the cost under the tape, tape.gradient, apply_gradients)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import autodiff
from lab_utils.i18n import N_, _

from ..compare import describe, matches, short_list, to_numpy
from ..engine import Case, Problem, Run, number_type
from ..registry import Exercise, register
from ..runner import Outcome

STEPS = 3
LINE_FIT = N_("the line fit (w, b)")
"""The second problem a step is tried on (``kind``, shown in the case's name; "J(w)" is the first)."""


def _step_problem(kind: str, start: tuple[float, ...]):
    """A fresh problem: (variables, cost function) for J(w) or the (w, b) line fit."""
    if kind == "J(w)":
        w = tf.Variable(start[0])
        return [w], lambda: autodiff.simple_cost(w, 1.0, 1.0)
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    y = 2.0 * x + 1.0
    w, b = tf.Variable(start[0]), tf.Variable(start[1])
    return [w, b], lambda: tf.reduce_mean((w * x + b - y) ** 2)


def steps(invoke, kind: str, start, learning_rate: float) -> Outcome:
    """Run ``STEPS`` steps of a step function from ``start``; ``invoke(cost_fn, variables,
    optimizer)`` calls it. Gives the costs it returned and the variables' final values."""
    return _trajectory(invoke, kind, start, autodiff.adam(learning_rate))


def _trajectory(invoke, kind: str, start, optimizer) -> Outcome:
    variables, cost_fn = _step_problem(kind, start)
    costs = []
    for __ in range(STEPS):
        outcome = invoke(cost_fn, variables, optimizer)
        if outcome.error:
            return outcome
        costs.append(outcome.value)
    return Outcome(value=(costs, [v.numpy() for v in variables]))


def _reference(*args) -> Outcome:
    return Outcome(value=autodiff.adam_step(*args))


def _step_type(case, value):
    costs = value[0]
    for cost in costs:
        if number_type(case, cost):
            return Problem(_("returns {value}, expected the cost as a single number").format(value=describe(cost)),
                           _("a 0-d tensor or a float"), describe(cost), _("return the cost computed under the tape"))
    return None


def _step_value(case, value):
    """The first cost (nothing updated yet), then the variables after the steps, then the later
    costs: a wrong update changes every later cost, so the variables say what is wrong."""
    costs, variables = value
    expected_costs, expected_variables = case.expected
    actual_costs = np.array([float(to_numpy(c)) for c in costs])
    if not matches(actual_costs[0], expected_costs[0], 1e-5):
        return Problem(_("the cost returned by the first step is wrong"), f"{float(expected_costs[0]):.6g}",
                       f"{actual_costs[0]:.6g}", _("return the cost computed under the tape, before the update"))
    if not all(matches(v, e, 1e-5) for v, e in zip(variables, expected_variables)):
        if all(matches(v, s) for v, s in zip(variables, case.info["start"])):
            hint = _("the variables did not change: rebinding the name (`v = v - lr * g`) or only taking the "
                     "gradients leaves them as they were; update them with "
                     "optimizer.apply_gradients(zip(grads, variables))")
        elif all(matches(v, d, 1e-5) for v, d in zip(variables, case.info["gradient_descent"])):
            hint = _("the variables took plain gradient descent steps (v minus learning rate times gradient), not "
                     "Adam's: update them with optimizer.apply_gradients(zip(grads, variables))")
        else:
            hint = _("the variables are not where Adam takes them: use tape.gradient(cost, variables) and the "
                     "optimizer you are given, once per step")
        if matches(actual_costs, np.array(expected_costs), 1e-5):
            message = _("the variables after {steps} steps are wrong").format(steps=STEPS)
        else:
            message = _("the costs returned over {steps} steps are wrong, because the variables after {steps} steps "
                        "are wrong").format(steps=STEPS)
        return Problem(message, short_list(expected_variables), short_list(variables), hint)
    if not matches(actual_costs, np.array(expected_costs), 1e-5):
        return Problem(_("the costs returned over {steps} steps are wrong").format(steps=STEPS),
                       short_list(expected_costs), short_list(actual_costs),
                       _("return the cost computed under the tape, before the update"))
    return None


def _step_cases(rng) -> list[Case]:
    if rng is None:
        settings = [("J(w)", (3.0,), 0.1), (LINE_FIT, (0.5, -1.0), 0.05)]
    else:
        settings = [("J(w)", (float(np.round(rng.uniform(-3, 3), 2)),), float(np.round(rng.uniform(0.02, 0.3), 3))),
                    (LINE_FIT, tuple(float(v) for v in np.round(rng.uniform(-2, 2, 2), 2)),
                     float(np.round(rng.uniform(0.02, 0.2), 3)))]
    return [Case(_("{steps} Adam steps on {problem} from {start}, learning rate {rate}").format(
                     steps=STEPS, problem=_(kind) if kind == LINE_FIT else kind, start=start, rate=lr),
                 run=Run(steps, (kind, start, lr)),
                 expected=steps(_reference, kind, start, lr).value,
                 info={"start": start,
                       "gradient_descent": _trajectory(_reference, kind, start, autodiff.GradientDescent(lr)).value[1]})
            for kind, start, lr in settings]


register(Exercise(
    "train_step", N_("training step"), ("cost_fn", "variables", "optimizer"), _step_cases, [_step_type, _step_value],
    doc=N_("Cost under the tape, tape.gradient, apply_gradients."),
    forbidden=lambda: [autodiff.adam_step, autodiff.fit_line],
))
