"""Lab 4's exercises: dJ/dX, dJ/dW and dJ/db in vectorized form, with their named mistakes."""

from __future__ import annotations

import numpy as np

from lab_utils import cofi

from ..engine import array_of_shape, close_to_expected
from ..mistakes import Mistake
from ..registry import Exercise, register
from .cofi_inputs import COFI_PARAMS, cofi_cases, cofi_references, on_floats

WHICH = {"X": 0, "W": 1, "b": 2}
"""The position of each gradient in ``cofi.gradients_from_error``'s result."""


def _gradient(key: str, *, sign: float = 1.0, error_sign: float = 1.0, masked: bool = True,
              lambda_factor: float = 1.0):
    """The gradient with respect to ``key``, changed as a mistake changes it."""
    def compute(X, W, b, Y, R, lambda_):
        E = error_sign * (cofi.masked_error(X, W, b, Y, R) if masked else cofi.prediction(X, W, b) - Y)
        return sign * cofi.gradients_from_error(E, X, W, lambda_factor * lambda_)[WHICH[key]]
    return on_floats(compute)


def gradient_mistakes(key: str) -> tuple[Mistake, ...]:
    """The mistakes a gradient can have: the sign, the mask, and for X and W lambda_'s term, for b a
    regularization it should not have."""
    mistakes = [
        Mistake("the mask R is missing", "multiply the error by R so unrated entries contribute nothing",
                _gradient(key, masked=False)),
    ]
    if key != "b":
        mistakes[:0] = [Mistake("the error's sign is wrong", "the error is prediction - y, not y - prediction",
                                _gradient(key, error_sign=-1.0)),
                        Mistake("the sign is wrong", "the whole gradient has the opposite sign",
                                _gradient(key, sign=-1.0))]
        mistakes.append(Mistake("the lambda_ term is missing", f"add lambda_ * {key} for the regularization",
                                _gradient(key, lambda_factor=0.0)))
        mistakes.append(Mistake("the lambda_ term has a stray 1/2", f"the derivative of lambda_/2 * {key}^2 is "
                                f"lambda_ * {key}", _gradient(key, lambda_factor=0.5)))
    else:
        # dJ/db has no lambda_ term, so flipping the error's sign and flipping the whole
        # gradient give the same answer: one mistake, not two.
        mistakes.insert(0, Mistake("the sign is wrong", "dJ/db has the opposite sign: the error is prediction - y, "
                                   "not y - prediction", _gradient(key, sign=-1.0)))
        regularized = _gradient("b")
        mistakes.append(Mistake("b is regularized", "b is not regularized, so dJ/db has no lambda_ term",
                                lambda X, W, b, Y, R, lambda_: regularized(X, W, b, Y, R, lambda_)
                                + lambda_ * np.asarray(b, dtype=float)))
    return tuple(mistakes)


def _bias_shape_hint(case, got) -> str:
    num_movies, num_users = np.shape(case.args[3])
    if got in ((num_movies, 1), (num_movies,), (1, num_movies), (num_users, 1)):
        return ("sum the errors over the movies (axis=0), one number per user, and keep the shape "
                "(1, num_users) with keepdims=True")
    return ""


GRADIENT_MISTAKES = {key: gradient_mistakes(key) for key in WHICH}


def _gradient_exercise(key: str, shape_name: str, doc: str) -> Exercise:
    def reference(*args):
        return cofi.cofi_gradients(*args)[WHICH[key]]

    return register(Exercise(
        f"grad_{key}", f"dJ/d{key}", COFI_PARAMS, cofi_cases(reference, False),
        [array_of_shape(shape_name, _bias_shape_hint if key == "b" else None), close_to_expected()],
        doc=doc, forbidden=cofi_references, mistakes=GRADIENT_MISTAKES[key],
    ))


_gradient_exercise("X", "(num_movies, num_features)", "dJ/dX = E W + lambda_ X, with E the masked error.")
_gradient_exercise("W", "(num_users, num_features)", "dJ/dW = E^T X + lambda_ W.")
_gradient_exercise("b", "(1, num_users)", "dJ/db = the sum of E over movies, shape (1, num_users).")
