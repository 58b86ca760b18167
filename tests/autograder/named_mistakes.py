"""Every named mistake of every exercise, written the way a learner would make it (independent of
the autograder's own formulas): exercise key -> {mistake name: the learner's function}."""

import numpy as np


def _error(X, W, b, Y, R):
    return (X @ W.T + b - Y) * R


def _norms(X, W):
    return np.sum(W**2) + np.sum(X**2)


def _looped(regularize_where):
    """The loop version with the regularization added at the wrong place in the loops."""
    def cofi_cost_func(X, W, b, Y, R, lambda_):
        J = 0.0
        for j in range(Y.shape[1]):
            for i in range(Y.shape[0]):
                if R[i, j]:
                    J += 0.5 * (np.dot(W[j], X[i]) + b[0, j] - Y[i, j]) ** 2
                if regularize_where == "pair" or (regularize_where == "rating" and R[i, j]):
                    J += lambda_ / 2 * _norms(X, W)
            if regularize_where == "user":
                J += lambda_ / 2 * _norms(X, W)
        return J
    return cofi_cost_func


COST = {
    "the 1/2 is missing": lambda X, W, b, Y, R, l: np.sum(_error(X, W, b, Y, R) ** 2) + l / 2 * _norms(X, W),
    "the 1/2 is missing everywhere": lambda X, W, b, Y, R, l: np.sum(_error(X, W, b, Y, R) ** 2) + l * _norms(X, W),
    "the 1/2 is applied twice": lambda X, W, b, Y, R, l: 0.25 * np.sum(_error(X, W, b, Y, R) ** 2) + l / 2 * _norms(X, W),
    "the 1/2 is applied twice everywhere":
        lambda X, W, b, Y, R, l: 0.5 * (0.5 * np.sum(_error(X, W, b, Y, R) ** 2) + l / 2 * _norms(X, W)),
    "lambda_ is missing from the regularization":
        lambda X, W, b, Y, R, l: 0.5 * np.sum(_error(X, W, b, Y, R) ** 2) + 0.5 * _norms(X, W),
    "the regularization has no 1/2": lambda X, W, b, Y, R, l: 0.5 * np.sum(_error(X, W, b, Y, R) ** 2) + l * _norms(X, W),
    "the regularization is added inside the loop over users": _looped("user"),
    "the regularization is added inside the loop over movies and users": _looped("pair"),
    "the regularization is added for every rating": _looped("rating"),
    "unrated entries are counted (R is ignored)":
        lambda X, W, b, Y, R, l: 0.5 * np.sum((X @ W.T + b - Y) ** 2) + l / 2 * _norms(X, W),
    "Y leaks in at unrated entries":
        lambda X, W, b, Y, R, l: 0.5 * np.sum(((X @ W.T + b) * R - Y) ** 2) + l / 2 * _norms(X, W),
    "b is left out": lambda X, W, b, Y, R, l: 0.5 * np.sum(((X @ W.T - Y) * R) ** 2) + l / 2 * _norms(X, W),
    "b is regularized":
        lambda X, W, b, Y, R, l: 0.5 * np.sum(_error(X, W, b, Y, R) ** 2) + l / 2 * (_norms(X, W) + np.sum(b**2)),
    "W is not regularized": lambda X, W, b, Y, R, l: 0.5 * np.sum(_error(X, W, b, Y, R) ** 2) + l / 2 * np.sum(X**2),
    "X is not regularized": lambda X, W, b, Y, R, l: 0.5 * np.sum(_error(X, W, b, Y, R) ** 2) + l / 2 * np.sum(W**2),
    "the error is not squared": lambda X, W, b, Y, R, l: 0.5 * np.sum(_error(X, W, b, Y, R)) + l / 2 * _norms(X, W),
    "the absolute error is used instead of its square":
        lambda X, W, b, Y, R, l: 0.5 * np.sum(np.abs(_error(X, W, b, Y, R))) + l / 2 * _norms(X, W),
}


def _gradient_mistakes(gradient, regularized):
    """The common mistakes for the gradient ``gradient(E, X, W)`` + lambda_ * ``regularized``."""
    return {
        "the error's sign is wrong":
            lambda X, W, b, Y, R, l: gradient(-_error(X, W, b, Y, R), X, W) + l * regularized(X, W, b),
        "the sign is wrong": lambda X, W, b, Y, R, l: -(gradient(_error(X, W, b, Y, R), X, W) + l * regularized(X, W, b)),
        "the mask R is missing": lambda X, W, b, Y, R, l: gradient(X @ W.T + b - Y, X, W) + l * regularized(X, W, b),
    }


GRAD_X = {
    **_gradient_mistakes(lambda E, X, W: E @ W, lambda X, W, b: X),
    "the lambda_ term is missing": lambda X, W, b, Y, R, l: _error(X, W, b, Y, R) @ W,
    "the lambda_ term has a stray 1/2": lambda X, W, b, Y, R, l: _error(X, W, b, Y, R) @ W + l / 2 * X,
}
GRAD_W = {
    **_gradient_mistakes(lambda E, X, W: E.T @ X, lambda X, W, b: W),
    "the lambda_ term is missing": lambda X, W, b, Y, R, l: _error(X, W, b, Y, R).T @ X,
    "the lambda_ term has a stray 1/2": lambda X, W, b, Y, R, l: _error(X, W, b, Y, R).T @ X + l / 2 * W,
}
GRAD_B = {
    "the sign is wrong": lambda X, W, b, Y, R, l: np.sum((Y - (X @ W.T + b)) * R, axis=0, keepdims=True),
    "the mask R is missing": lambda X, W, b, Y, R, l: np.sum(X @ W.T + b - Y, axis=0, keepdims=True),
    "b is regularized": lambda X, W, b, Y, R, l: np.sum(_error(X, W, b, Y, R), axis=0, keepdims=True) + l * b,
}

DERIVATIVE = {
    "the chain rule's factor x is missing": lambda w, x, y: 2 * (w * x - y),
    "the power rule's factor 2 is missing": lambda w, x, y: (w * x - y) * x,
    "w instead of x in the chain rule's factor": lambda w, x, y: 2 * (w * x - y) * w,
    "the sign is flipped": lambda w, x, y: 2 * (y - w * x) * x,
}

DISTANCE = {
    "the square root is taken": lambda a, b: np.linalg.norm(a - b),
}

NAMED = {"cofi_cost": COST, "cofi_cost_v": {}, "grad_X": GRAD_X, "grad_W": GRAD_W, "grad_b": GRAD_B,
         "hand_derivative": DERIVATIVE, "squared_distance": DISTANCE}
"""Exercise key -> its catalogue's mistakes as a learner writes them. The vectorized cost shares
the loop version's catalogue; its learner versions are the same functions in TensorFlow (below)."""

SHAPE = {
    "grad_X": {"E is transposed": lambda X, W, b, Y, R, l: _error(X, W, b, Y, R).T @ W + l * X},
    "grad_W": {"E is transposed": lambda X, W, b, Y, R, l: _error(X, W, b, Y, R) @ X + l * W,
               "the lambda_ term uses X": lambda X, W, b, Y, R, l: _error(X, W, b, Y, R).T @ X + l * X},
    "grad_b": {"the sum is over every entry": lambda X, W, b, Y, R, l: np.sum(_error(X, W, b, Y, R))},
}
"""Mistakes that fail before the values are compared (a shape error, one number instead of an
array), as a learner writes them: exercise key -> {mistake name: the learner's function}."""
