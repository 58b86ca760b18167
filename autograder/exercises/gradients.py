"""Lab 4's exercises: dJ/dX, dJ/dW and dJ/db in vectorized form, with their named mistakes."""

from __future__ import annotations

import numpy as np

from lab_utils import cofi
from lab_utils.i18n import N_, _

from ..compare import describe, is_number, matches, to_numpy
from ..engine import Diagnosis, Problem, array_of_shape, close_to_expected
from ..mistakes import Mistake
from ..registry import Exercise, register
from . import SHAPE_ERROR
from .cofi_inputs import (COFI_PARAMS, PROBE, cofi_arrays, cofi_cases, cofi_references, learner_values,
                          on_floats, relation)

WHICH = {"X": 0, "W": 1, "b": 2}
"""The position of each gradient in ``cofi.gradients_from_error``'s result."""


def _gradient(key: str, *, sign: float = 1.0, error_sign: float = 1.0, masked: bool = True,
              lambda_factor: float = 1.0):
    """The gradient with respect to ``key``, changed as a mistake changes it."""
    def compute(X, W, b, Y, R, lambda_):
        E = error_sign * (cofi.masked_error(X, W, b, Y, R) if masked else cofi.prediction(X, W, b) - Y)
        return sign * cofi.gradients_from_error(E, X, W, lambda_factor * lambda_)[WHICH[key]]
    return on_floats(compute)


LAMBDA_TERM_MISSING = {"X": N_("add lambda_ * X for the regularization"),
                       "W": N_("add lambda_ * W for the regularization")}
STRAY_HALF = {"X": N_("the derivative of lambda_/2 * X^2 is lambda_ * X"),
              "W": N_("the derivative of lambda_/2 * W^2 is lambda_ * W")}
"""Hints of the lambda_ term's mistakes, one message per gradient: a named mistake's hint is an
English message id that is translated where it is shown."""


def gradient_mistakes(key: str) -> tuple[Mistake, ...]:
    """The mistakes a gradient can have: the sign, the mask, and for X and W lambda_'s term, for b a
    regularization it should not have."""
    mistakes = [
        Mistake(N_("the mask R is missing"), N_("multiply the error by R so unrated entries contribute nothing"),
                _gradient(key, masked=False)),
    ]
    if key != "b":
        mistakes[:0] = [Mistake(N_("the error's sign is wrong"), N_("the error is prediction - y, not y - prediction"),
                                _gradient(key, error_sign=-1.0)),
                        Mistake(N_("the sign is wrong"), N_("the whole gradient has the opposite sign"),
                                _gradient(key, sign=-1.0))]
        mistakes.append(Mistake(N_("the lambda_ term is missing"), LAMBDA_TERM_MISSING[key],
                                _gradient(key, lambda_factor=0.0)))
        mistakes.append(Mistake(N_("the lambda_ term has a stray 1/2"), STRAY_HALF[key],
                                _gradient(key, lambda_factor=0.5)))
    else:
        # dJ/db has no lambda_ term, so flipping the error's sign and flipping the whole
        # gradient give the same answer: one mistake, not two.
        mistakes.insert(0, Mistake(N_("the sign is wrong"), N_("dJ/db has the opposite sign: the error is "
                                                               "prediction - y, not y - prediction"),
                                   _gradient(key, sign=-1.0)))
        regularized = _gradient("b")
        mistakes.append(Mistake(N_("b is regularized"), N_("b is not regularized, so dJ/db has no lambda_ term"),
                                lambda X, W, b, Y, R, lambda_: regularized(X, W, b, Y, R, lambda_)
                                + lambda_ * np.asarray(b, dtype=float)))
    return tuple(mistakes)


def _bias_shape_hint(case, got) -> str:
    num_movies, num_users = np.shape(case.args[3])
    if got in ((num_movies, 1), (num_movies,), (1, num_movies), (num_users, 1)):
        return _("sum the errors over the movies (axis=0), one number per user, and keep the shape "
                 "(1, num_users) with keepdims=True")
    return ""


GRADIENT_MISTAKES = {key: gradient_mistakes(key) for key in WHICH}


def _shape_mistake(gradient):
    """A mistake that raises a shape error unless num_movies == num_users: ``gradient(E, X, W, lambda_)``."""
    def compute(X, W, b, Y, R, lambda_):
        return gradient(cofi.masked_error(X, W, b, Y, R), X, W, lambda_)
    return on_floats(compute)


SHAPE_MISTAKES = {
    "X": (Mistake(N_("E is transposed"),
                  N_("it is E that is transposed, not X or W: dJ/dX = E @ W + lambda_ * X, with "
                     "E = (X W^T + b - Y) * R of shape (num_movies, num_users)"),
                  _shape_mistake(lambda E, X, W, lambda_: E.T @ W + lambda_ * X)),),
    "W": (Mistake(N_("E is transposed"),
                  N_("it is E that is transposed, not X or W: dJ/dW = E.T @ X + lambda_ * W, with "
                     "E = (X W^T + b - Y) * R of shape (num_movies, num_users)"),
                  _shape_mistake(lambda E, X, W, lambda_: E @ X + lambda_ * W)),
          Mistake(N_("the lambda_ term uses X"), N_("the regularization term of dJ/dW is lambda_ * W, not lambda_ * X"),
                  _shape_mistake(lambda E, X, W, lambda_: E.T @ X + lambda_ * X))),
    "b": (),
}
"""Mistakes that raise a shape error on the cases (where num_movies != num_users): recognised on
SQUARE, where they do not raise."""

SQUARE = (*cofi_arrays(np.random.default_rng(11), 4, 4, 3), 1.5)
"""A probe with num_movies == num_users (and lambda_ != 0), where a transposed E fits."""


def _explain_shape_error(key: str):
    def explain(invoke, case, error: str) -> Diagnosis | None:
        if not SHAPE_MISTAKES[key] or not SHAPE_ERROR.search(error):
            return None
        outcome = invoke(*SQUARE)
        if outcome.error:
            return None
        value = to_numpy(outcome.value)
        return next((m.diagnosis() for m in SHAPE_MISTAKES[key] if matches(value, m.compute(*SQUARE), 1e-5)), None)
    return explain


def _one_number(case, value) -> Problem | None:
    """dJ/db summed over every entry (np.sum(E) or tf.reduce_sum(E) without an axis) is one number."""
    if is_number(value):
        expected = tuple(np.shape(case.expected))
        return Problem(_("returns one number ({value}), expected an array of shape (1, num_users) = "
                         "{shape}").format(value=describe(value), shape=expected), str(expected), describe(value),
                       _("np.sum(E) adds up every error into one number: sum over the movies only, one sum per user, "
                         "with np.sum(E, axis=0, keepdims=True)"), mistake=N_("the sum is over every entry"))
    return None


GRADIENT_FACTORS = (
    (2.0, N_("twice the expected: the cost's 1/2 cancels the 2 from the square")),
    (0.5, N_("half the expected: the cost's 1/2 cancels the 2 from the square, so no 1/2 is left")),
)


def _gradient_localize(key: str):
    """Probe the learner's gradient on PROBE: is it a constant answer; which term is wrong (the error
    term with lambda_ = 0, the lambda_ term with R and Y all zeros); how it relates to the right one."""
    def localize(invoke, case) -> Diagnosis | None:
        gradient = learner_values(invoke)

        def reference(*args):
            return cofi.cofi_gradients(*args)[WHICH[key]]

        def agrees(*args) -> bool | None:
            value = gradient(*args)
            return None if value is None else matches(value, reference(*args), 1e-5)

        X, W, b, Y, R, lambda_ = PROBE
        moved = (2 * X, 2 * W, b + 1, Y + 1, R, lambda_ + 1)
        here, there = gradient(*PROBE), gradient(*moved)
        if (here is not None and there is not None and matches(here, there, 1e-9)
                and not matches(reference(*PROBE), reference(*moved), 1e-9)):
            return Diagnosis(_("your dJ/d{key} is the same whatever the inputs: compute it from X, W, b, Y, R "
                               "and lambda_").format(key=key))
        error_term = (X, W, b, Y, R, 0.0)
        lambda_term = (X, W, b, np.zeros_like(Y), np.zeros_like(R), lambda_)
        error_ok = agrees(*error_term)
        lambda_ok = True if key == "b" else agrees(*lambda_term)

        def said(args) -> str:
            value = gradient(*args)
            words = "" if value is None else relation(value, reference(*args), R, factors=GRADIENT_FACTORS)
            return _(": yours is {words}").format(words=words) if words else ""

        if error_ok and lambda_ok is False:
            return Diagnosis(_("the error term is right (checked with lambda_ = 0); the lambda_ * {key} term is not "
                               "(checked with R all zeros)").format(key=key) + said(lambda_term))
        if lambda_ok and error_ok is False:
            if key == "b":
                words = said(error_term)
                return Diagnosis(_("dJ/db is not the sum of E over the movies") + words) if words else None
            return Diagnosis(_("the lambda_ * {key} term is right (checked with R all zeros); the error term is not "
                               "(checked with lambda_ = 0)").format(key=key) + said(error_term))
        if error_ok is False and lambda_ok is None and said(error_term):
            return Diagnosis(_("the error term is wrong (checked with lambda_ = 0)") + said(error_term))
        if error_ok is False and lambda_ok is False and said(PROBE):
            return Diagnosis(_("both the error term and the lambda_ * {key} term differ").format(key=key)
                             + said(PROBE))
        return None
    return localize


def _gradient_exercise(key: str, shape_name: str, doc: str) -> Exercise:
    def reference(*args):
        return cofi.cofi_gradients(*args)[WHICH[key]]

    shape = array_of_shape(shape_name, _bias_shape_hint if key == "b" else None)
    return register(Exercise(
        f"grad_{key}", f"dJ/d{key}", COFI_PARAMS, cofi_cases(reference, False, _explain_shape_error(key)),
        [_one_number, shape, close_to_expected()] if key == "b" else [shape, close_to_expected()],
        doc=doc, forbidden=cofi_references, mistakes=GRADIENT_MISTAKES[key], localize=_gradient_localize(key),
    ))


_gradient_exercise("X", "(num_movies, num_features)", N_("dJ/dX = E W + lambda_ X, with E the masked error."))
_gradient_exercise("W", "(num_users, num_features)", "dJ/dW = E^T X + lambda_ W.")
_gradient_exercise("b", "(1, num_users)", N_("dJ/db = the sum of E over movies, shape (1, num_users)."))
