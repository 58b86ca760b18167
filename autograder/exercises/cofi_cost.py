"""Lab 3's exercises: the collaborative-filtering cost with loops and vectorized in TensorFlow,
with the named mistakes learners make in it and probes that localize the ones nobody named."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import cofi

from ..compare import describe, matches, to_numpy
from ..engine import Diagnosis, FollowUp, Problem, Run, close_to_expected, number_type
from ..mistakes import Mistake
from ..registry import Exercise, register
from ..runner import Outcome
from .cofi_inputs import COFI_PARAMS, as_float, cofi_cases, cofi_inputs, cofi_references, on_floats


def _cost(adjust):
    """A wrong cost built from the right parts: E (the unmasked error), sq (the right squared-error
    term), norms (sum W^2 + sum X^2) and the inputs."""
    def compute(X, W, b, Y, R, lambda_):
        error = cofi.prediction(X, W, b) - Y
        squared = 0.5 * np.sum(R * error**2)
        norms = float(cofi.regularization(X, W, 2.0))
        return adjust(X=X, W=W, b=b, Y=Y, R=R, E=error, sq=squared, norms=norms, lam=lambda_)
    return on_floats(compute)


COST_MISTAKES: tuple[Mistake, ...] = (
    Mistake("the 1/2 is missing", "your cost is twice the expected squared-error term: is the 1/2 missing?",
            _cost(lambda sq, norms, lam, **_: 2 * sq + lam / 2 * norms)),
    Mistake("the 1/2 is missing everywhere", "your cost is exactly twice the expected value: is the 1/2 missing?",
            _cost(lambda sq, norms, lam, **_: 2 * sq + lam * norms)),
    Mistake("the 1/2 is applied twice", "your squared-error term is half the expected value: is the 1/2 applied twice?",
            _cost(lambda sq, norms, lam, **_: sq / 2 + lam / 2 * norms)),
    Mistake("the 1/2 is applied twice everywhere", "your cost is exactly half the expected value: is the 1/2 applied twice?",
            _cost(lambda sq, norms, lam, **_: (sq + lam / 2 * norms) / 2)),
    Mistake("lambda_ is missing from the regularization",
            "the regularization does not change with lambda_: multiply (sum W^2 + sum X^2) by lambda_ / 2",
            _cost(lambda sq, norms, lam, **_: sq + norms / 2)),
    Mistake("the regularization has no 1/2", "the regularization is twice the expected: it is lambda_ / 2 times the sums",
            _cost(lambda sq, norms, lam, **_: sq + lam * norms)),
    Mistake("the regularization is added inside the loop over users",
            "the regularization is counted once per user: add it once, after the loops",
            _cost(lambda sq, norms, lam, W, **_: sq + W.shape[0] * lam / 2 * norms)),
    Mistake("the regularization is added inside the loop over movies and users",
            "the regularization is counted once per (movie, user) pair: add it once, after the loops",
            _cost(lambda sq, norms, lam, R, **_: sq + R.size * lam / 2 * norms)),
    Mistake("the regularization is added for every rating",
            "the regularization is counted once per rating: add it once, after the loops",
            _cost(lambda sq, norms, lam, R, **_: sq + np.sum(R) * lam / 2 * norms)),
    Mistake("unrated entries are counted (R is ignored)",
            "entries with R = 0 count in your cost: multiply the error by R (or skip them when R[i, j] is 0)",
            _cost(lambda E, norms, lam, **_: 0.5 * np.sum(E**2) + lam / 2 * norms)),
    Mistake("b is left out", "the prediction is w(j) . x(i) + b(j): b is missing",
            _cost(lambda X, W, b, Y, R, norms, lam, **_: 0.5 * np.sum(R * (cofi.prediction(X, W, 0 * b) - Y) ** 2)
                  + lam / 2 * norms)),
    Mistake("b is regularized", "only W and X are regularized, not b",
            _cost(lambda sq, norms, lam, b, **_: sq + lam / 2 * (norms + np.sum(b**2)))),
    Mistake("W is not regularized", "the regularization sums the squares of W as well as X",
            _cost(lambda sq, lam, X, **_: sq + lam / 2 * np.sum(X**2))),
    Mistake("X is not regularized", "the regularization sums the squares of X as well as W",
            _cost(lambda sq, lam, W, **_: sq + lam / 2 * np.sum(W**2))),
    Mistake("the error is not squared", "square each error: (w(j) . x(i) + b(j) - y(i,j)) ** 2",
            _cost(lambda E, R, norms, lam, **_: 0.5 * np.sum(R * E) + lam / 2 * norms)),
    Mistake("the absolute error is used instead of its square", "square each error instead of taking its absolute value",
            _cost(lambda E, R, norms, lam, **_: 0.5 * np.sum(R * np.abs(E)) + lam / 2 * norms)),
)


def localize(invoke, case) -> Diagnosis | None:
    """Re-evaluate the learner's cost on variants of a failing case to say which term is wrong:
    lambda_ = 0 leaves the squared-error term alone, R all zeros the regularization alone."""
    X, W, b, Y, R, lambda_ = as_float(*case.args)

    def agrees(*args) -> bool | None:
        outcome = invoke(*args)
        if outcome.error:
            return None
        return matches(to_numpy(outcome.value), cofi.cofi_cost_func_np(*args), 1e-5)

    squared_ok = agrees(X, W, b, Y, R, 0.0)
    regularization_ok = agrees(X, W, b, Y, np.zeros_like(R), lambda_ if lambda_ else 1.0)
    if squared_ok and regularization_ok is False:
        return Diagnosis("the squared-error term is right (checked with lambda_ = 0); the regularization "
                         "lambda_/2 (sum W^2 + sum X^2) is not (checked with R all zeros)")
    if regularization_ok and squared_ok is False:
        without_b = agrees(X, W, np.zeros_like(b), Y, R, 0.0)
        where = (" With b = 0 it is right, so look at how b enters the prediction." if without_b else "")
        return Diagnosis("the regularization is right (checked with R all zeros); the squared-error term over the "
                         "rated entries is not (checked with lambda_ = 0)." + where)
    if squared_ok is False and regularization_ok is False:
        return Diagnosis("both the squared-error term (checked with lambda_ = 0) and the regularization (checked "
                         "with R all zeros) differ from the expected values")
    return None


register(Exercise(
    "cofi_cost", "cofi_cost_func (loops)", COFI_PARAMS, cofi_cases(cofi.cofi_cost_func_np, False),
    [number_type, close_to_expected()], doc="The loop version of the collaborative-filtering cost.",
    forbidden=cofi_references, mistakes=COST_MISTAKES, localize=localize,
))


def _tensor_cost_type(case, value):
    if not tf.is_tensor(value) or tuple(value.shape) != ():
        return Problem(f"returns {describe(value)}, expected a 0-d tensor", "a 0-d tf.Tensor", describe(value),
                       "use tf operations (tf.linalg.matmul, tf.reduce_sum) so GradientTape can differentiate the cost")
    return None


TAPE_CASE = "GradientTape differentiates it with respect to X, W and b"


def tape_through(invoke) -> Outcome:
    """A tape around the learner's cost of variables X, W, b: which of them get no gradient."""
    _, arrays, lambda_ = cofi_inputs(tensors=True)[-1]
    variables = [tf.Variable(a) for a in arrays[:3]]
    with tf.GradientTape() as tape:
        outcome = invoke(*variables, *arrays[3:], lambda_)
    if outcome.error:
        return outcome
    grads = tape.gradient(outcome.value, variables)
    return Outcome(value=[n for n, g in zip("XWb", grads) if g is None])


def _all_reached(missing) -> Problem | None:
    if missing:
        return Problem(f"no gradient for {', '.join(missing)}", hint="compute the cost from the variables with tf operations")
    return None


register(Exercise(
    "cofi_cost_v", "cofi_cost_func_v (vectorized, TensorFlow)", COFI_PARAMS, cofi_cases(cofi.cofi_cost_func_np, True),
    [_tensor_cost_type, close_to_expected()], doc="The vectorized TensorFlow cost, differentiable.",
    forbidden=cofi_references, mistakes=COST_MISTAKES, localize=localize, follow_ups=[FollowUp(TAPE_CASE, Run(tape_through), _all_reached)],
))
