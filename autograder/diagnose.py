"""Say where a wrong answer's mistake is, in plain words.

Two tools. A catalogue of known mistakes, each a small wrong implementation with its name and
hint: when one of them reproduces the learner's answers on every case, that is the diagnosis.
And probes that localize a mistake nobody catalogued: evaluate the learner's cost with
lambda_ = 0 (the squared-error term alone), with R all zeros (the regularization alone) and with
b = 0, and say which part is off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .compare import matches
from .engine import to_numpy
from .runner import call


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: ``compute`` gives what a learner who made it would return."""

    name: str
    hint: str
    compute: Callable


def _parts(X, W, b, Y, R, lambda_):
    X, W, b, Y, R = (np.asarray(a, dtype=float) for a in (X, W, b, Y, R))
    error = X @ W.T + b - Y
    squared = 0.5 * np.sum(R * error**2)
    norms = np.sum(W**2) + np.sum(X**2)
    return X, W, b, Y, R, error, squared, norms


def _cost(adjust):
    def compute(X, W, b, Y, R, lambda_):
        X, W, b, Y, R, error, squared, norms = _parts(X, W, b, Y, R, lambda_)
        return adjust(X=X, W=W, b=b, Y=Y, R=R, E=error, sq=squared, norms=norms, lam=lambda_)
    return compute


def _transposed(which):
    def compute(X, W, b, Y, R, lambda_):
        X, W, b, Y, R = (np.asarray(a, dtype=float) for a in (X, W, b, Y, R))
        if which == "W" and W.shape[0] == W.shape[1]:
            W_used, X_used = W.T, X
        elif which == "X" and X.shape[0] == X.shape[1]:
            W_used, X_used = W, X.T
        else:
            return np.nan  # the transpose would not even have the right shape here
        error = X_used @ W_used.T + b - Y
        return 0.5 * np.sum(R * error**2) + lambda_ / 2 * (np.sum(W**2) + np.sum(X**2))
    return compute


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
            _cost(lambda X, W, Y, R, norms, lam, **_: 0.5 * np.sum(R * (X @ W.T - Y) ** 2) + lam / 2 * norms)),
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
    Mistake("W is transposed", "W is (num_users, num_features): user j's parameters are the row W[j, :]",
            _transposed("W")),
    Mistake("X is transposed", "X is (num_movies, num_features): movie i's features are the row X[i, :]",
            _transposed("X")),
)


def _masked_error(X, W, b, Y, R, masked=True):
    X, W, b, Y, R = (np.asarray(a, dtype=float) for a in (X, W, b, Y, R))
    error = X @ W.T + b - Y
    return (error * R if masked else error), X, W, b


def _grad(formula, masked=True):
    def compute(X, W, b, Y, R, lambda_):
        E, X, W, b = _masked_error(X, W, b, Y, R, masked)
        return formula(E=E, X=X, W=W, b=b, lam=lambda_)
    return compute


def _gradient_mistakes(correct: Callable, regularized: str | None) -> tuple[Mistake, ...]:
    """The mistakes every gradient can have: the sign, the mask, and lambda_'s term."""
    mistakes = [
        Mistake("the error's sign is wrong", "the error is prediction - y, not y - prediction",
                _grad(lambda E, **k: correct(E=-E, **k))),
        Mistake("the sign is wrong", "the whole gradient has the opposite sign",
                _grad(lambda **k: -correct(**k))),
        Mistake("the mask R is missing", "multiply the error by R so unrated entries contribute nothing",
                _grad(correct, masked=False)),
    ]
    if regularized:
        mistakes.append(Mistake("the lambda_ term is missing", f"add lambda_ * {regularized} for the regularization",
                                _grad(lambda lam, **k: correct(lam=0.0, **k))))
        mistakes.append(Mistake("the lambda_ term has a stray 1/2", f"the derivative of lambda_/2 * {regularized}^2 is "
                                f"lambda_ * {regularized}", _grad(lambda lam, **k: correct(lam=lam / 2, **k))))
    return tuple(mistakes)


def _dX(E, X, W, lam, **_):
    return E @ W + lam * X


def _dW(E, X, W, lam, **_):
    return E.T @ X + lam * W


def _db(E, **_):
    return E.sum(axis=0, keepdims=True)


GRADIENT_MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "X": _gradient_mistakes(_dX, "X"),
    "W": _gradient_mistakes(_dW, "W"),
    "b": _gradient_mistakes(_db, None) + (
        Mistake("b is regularized", "b is not regularized, so dJ/db has no lambda_ term",
                _grad(lambda E, b, lam, **_: E.sum(axis=0, keepdims=True) + lam * b)),
        Mistake("summed over the wrong axis", "sum over the movies (axis=0), one number per user",
                _grad(lambda E, **_: E.sum(axis=1, keepdims=True).T if E.shape[0] == E.shape[1] else np.nan)),
    ),
}


def recognise(mistakes: Sequence[Mistake], cases, outputs, rtol: float = 1e-6) -> Mistake | None:
    """The first catalogued mistake that reproduces every output the learner gave."""
    for mistake in mistakes:
        reproduced = True
        for case, output in zip(cases, outputs):
            wrong = mistake.compute(*(to_numpy(a).astype(float) for a in case.args[:5]), case.args[5])
            if not matches(to_numpy(output), wrong, max(rtol, 1e-5)):
                reproduced = False
                break
        if reproduced:
            return mistake
    return None


def localize_cost(fn, reference: Callable, case, timeout: float) -> str:
    """Re-evaluate the learner's cost on variants of a failing case to say which term is wrong."""
    X, W, b, Y, R = (to_numpy(a).astype(float) for a in case.args[:5])
    lambda_ = case.args[5]
    probes = []

    def agrees(*args) -> bool | None:
        outcome = call(fn, args, timeout=timeout)
        if outcome.error:
            return None
        return matches(to_numpy(outcome.value), reference(*args), 1e-5)

    squared_ok = agrees(X, W, b, Y, R, 0.0)
    regularization_ok = agrees(X, W, b, Y, np.zeros_like(R), lambda_ if lambda_ else 1.0)
    if squared_ok and regularization_ok is False:
        probes.append("the squared-error term is right (checked with lambda_ = 0); the regularization "
                      "lambda_/2 (sum W^2 + sum X^2) is not (checked with R all zeros)")
    elif regularization_ok and squared_ok is False:
        without_b = agrees(X, W, np.zeros_like(b), Y, R, 0.0)
        where = (" With b = 0 it is right, so look at how b enters the prediction." if without_b else "")
        probes.append("the regularization is right (checked with R all zeros); the squared-error term over the "
                      "rated entries is not (checked with lambda_ = 0)." + where)
    elif squared_ok is False and regularization_ok is False:
        probes.append("both the squared-error term (checked with lambda_ = 0) and the regularization (checked with "
                      "R all zeros) differ from the expected values")
    return " ".join(probes)
