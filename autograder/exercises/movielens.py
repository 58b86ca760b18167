"""Lab 5's exercise: the training loop (Adam, GradientTape, seeded) that learns X, W and b."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import cofi, normalize_ratings, training

from ..compare import describe, is_number, to_numpy
from ..engine import Case, Problem, finite
from ..registry import Exercise, register
from .cofi_inputs import cofi_arrays

TRAIN_TIMEOUT = 120.0
TRAIN_PARAMS = ("Y", "R", "num_features", "lambda_", "iterations", "learning_rate", "seed")


def _training_problem(seed: int, num_movies: int, num_users: int):
    """Mean-normalized ratings (Ynorm, R) that a rank-3 model explains, on the 1-5 scale."""
    rng = np.random.default_rng(seed)
    X, W, b, _, R = cofi_arrays(rng, num_movies, num_users, 3, density=0.4)
    Y = np.clip(np.round(cofi.prediction(X, W, b) + 3), 1, 5) * R
    return normalize_ratings(Y, R)[0], R


def _skeleton_start(Y, settings) -> tuple:
    """The starting X, W, b that Lab 5's given code draws. Low-rank completion has local minima,
    so the reference must start where the learner's loop starts for the final costs to compare."""
    (num_movies, num_users), num_features = Y.shape, settings["num_features"]
    initial = tf.random.Generator.from_seed(settings["seed"])
    X = initial.normal((num_movies, num_features), stddev=0.1)
    W = initial.normal((num_users, num_features), stddev=0.1)
    return X.numpy(), W.numpy(), np.zeros((1, num_users))


def train_cases(rng) -> list[Case]:
    if rng is None:
        seed, num_movies, num_users = 11, 30, 20
        settings = dict(num_features=4, lambda_=1.0, iterations=150, learning_rate=0.1, seed=3)
    else:
        seed, num_movies, num_users = int(rng.integers(1 << 30)), int(rng.integers(20, 40)), int(rng.integers(12, 25))
        settings = dict(num_features=int(rng.integers(2, 6)), lambda_=float(np.round(rng.uniform(0.5, 2), 2)),
                        iterations=int(rng.integers(120, 180)), learning_rate=0.1, seed=int(rng.integers(1000)))
    Y, R = _training_problem(seed, num_movies, num_users)
    model = training.train(Y, R, normalize=False, verbose=False, initial=_skeleton_start(Y, settings), **settings)
    expected = cofi.cofi_cost_func_np(model.X, model.W, model.b, Y, R, settings["lambda_"])
    name = (f"{num_movies} movies x {num_users} users, {settings['num_features']} features, "
            f"{settings['iterations']} iterations")
    return [Case(name, args=(Y, R, *settings.values()), expected=expected, watch={0: "Y", 1: "R"})]


def _train_type(case, value):
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        return Problem(f"returns {describe(value)}, expected the tuple (X, W, b, history)", "(X, W, b, history)",
                       describe(value), "end with `return X, W, b, history`")
    Y, features, iterations = case.args[0], case.args[2], case.args[4]
    shapes = {"X": (Y.shape[0], features), "W": (Y.shape[1], features), "b": (1, Y.shape[1])}
    for (name, shape), array in zip(shapes.items(), value[:3]):
        got = tuple(np.shape(to_numpy(array)))
        if got != shape:
            return Problem(f"{name} has shape {got}, expected {shape}", str(shape), str(got), "")
    history = value[3]
    if not hasattr(history, "__len__") or len(history) != iterations:
        length = len(history) if hasattr(history, "__len__") else describe(history)
        return Problem(f"history has {length} entries, expected one cost per iteration ({iterations})",
                       str(iterations), str(length), "append the cost once in every iteration")
    for index, entry in enumerate(history):
        if not is_number(entry):
            return Problem(f"history[{index}] is {describe(entry)}, expected the cost as a number",
                           "a float or a 0-d tensor", describe(entry),
                           "append the cost that the step returns (its value), not the step function itself")
    return None


def _train_value(case, value):
    X, W, b = (to_numpy(v).astype(float) for v in value[:3])
    history = np.array([float(to_numpy(h)) for h in value[3]])
    problem = finite(case, history)
    if problem:
        return problem
    Y, R, _, lambda_ = case.args[:4]
    final = cofi.cofi_cost_func_np(X, W, b, Y, R, lambda_)
    if not history[-1] < 0.5 * history[0]:
        return Problem("the cost barely went down", f"below {0.5 * history[0]:.4g}", f"{history[-1]:.4g}",
                       "apply the gradients with optimizer.apply_gradients(zip(grads, [X, W, b])) in every iteration")
    if final > 1.1 * case.expected + 1e-6:
        return Problem("the trained X, W and b cost more than the reference reaches from the same start with the "
                       "same settings", f"at most {1.1 * case.expected:.4g}", f"{final:.4g}",
                       "keep the given starting values, use the learning rate and lambda_ you are given, and return "
                       "the trained variables")
    return None


register(Exercise(
    "train_cofi", "train_cofi", TRAIN_PARAMS, train_cases, [_train_type, _train_value],
    doc="The training loop: shapes, history, final cost.",
    forbidden=lambda: [training.train, training._Loop, training._compiled_loop], timeout=TRAIN_TIMEOUT,
))
