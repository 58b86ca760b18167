"""Lab 5's exercise: the training loop (Adam, GradientTape, seeded) that learns X, W and b."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import cofi, normalize_ratings, training
from lab_utils.i18n import N_, _

from ..compare import describe, is_number, to_numpy
from ..engine import Case, Problem, finite
from ..registry import Exercise, register
from .cofi_inputs import cofi_arrays

TRAIN_TIMEOUT = 120.0
TRAIN_PARAMS = ("Y", "R", "num_features", "lambda_", "iterations", "learning_rate", "seed")


def _training_problem(seed: int, num_movies: int, num_users: int):
    """Mean-normalized ratings (Ynorm, R) that a rank-3 model explains, on the 1-5 scale."""
    rng = np.random.default_rng(seed)
    X, W, b, __, R = cofi_arrays(rng, num_movies, num_users, 3, density=0.4)
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


VISIBLE_SETTINGS = ((1.0, 0.1), (0.0, 0.2), (10.0, 0.05))
"""(lambda_, learning_rate) of the visible cases: the final cost depends on both, so a loop that
ignores either (hard-codes lambda_ = 1, say) fails at least one case."""

HISTORY_START_RTOL = 1e-4
"""history[0] is the cost at the given start: float32 rounding only, far below lambda_'s share."""
HISTORY_RTOL = 0.01
"""Each cost in history within this fraction of history[0] of the reference's: float32 drift
over the iterations stays far below it, a wrong learning rate does not."""
FINAL_RTOL = 0.02
"""The trained variables' cost within this fraction of the reference's, above or below it (plus
1e-4 of the starting cost, for a cost near 0 at lambda_ = 0)."""


def _train_case(seed: int, num_movies: int, num_users: int, settings: dict) -> Case:
    Y, R = _training_problem(seed, num_movies, num_users)
    start = _skeleton_start(Y, settings)
    model = training.train(Y, R, normalize=False, verbose=False, initial=start, **settings)
    expected = cofi.cofi_cost_func_np(model.X, model.W, model.b, Y, R, settings["lambda_"])
    name = _("{movies} movies x {users} users, {features} features, lambda_={lambda_:g}, "
             "learning_rate={learning_rate:g}, {iterations} iterations").format(
        movies=num_movies, users=num_users, features=settings["num_features"], lambda_=settings["lambda_"],
        learning_rate=settings["learning_rate"], iterations=settings["iterations"])
    start_error = cofi.cofi_cost_func_np(*start, Y, R, 0.0)
    start_norms = 0.5 * (np.sum(start[0] ** 2) + np.sum(start[1] ** 2))
    return Case(name, args=(Y, R, *settings.values()), expected=expected, watch={0: "Y", 1: "R"},
                info={"history": np.array(model.history), "start_error": start_error, "start_norms": start_norms})


def train_cases(rng) -> list[Case]:
    """The visible cases, or hidden ones drawn from rng: lambda_ = 0, a moderate and a large
    lambda_, each with its own learning rate."""
    if rng is None:
        return [_train_case(11, 30, 20, dict(num_features=4, lambda_=lambda_, iterations=150, learning_rate=rate, seed=3))
                for lambda_, rate in VISIBLE_SETTINGS]
    cases = []
    for lambda_ in (0.0, float(np.round(rng.uniform(0.5, 2), 2)), float(np.round(rng.uniform(5, 15), 1))):
        seed, num_movies, num_users = int(rng.integers(1 << 30)), int(rng.integers(20, 40)), int(rng.integers(12, 25))
        settings = dict(num_features=int(rng.integers(2, 6)), lambda_=lambda_, iterations=int(rng.integers(120, 180)),
                        learning_rate=float(np.round(rng.uniform(0.05, 0.2), 3)), seed=int(rng.integers(1000)))
        cases.append(_train_case(seed, num_movies, num_users, settings))
    return cases


def _train_type(case, value):
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        return Problem(_("returns {value}, expected the tuple (X, W, b, history)").format(value=describe(value)),
                       "(X, W, b, history)", describe(value), _("end with `return X, W, b, history`"))
    Y, features, iterations = case.args[0], case.args[2], case.args[4]
    shapes = {"X": (Y.shape[0], features), "W": (Y.shape[1], features), "b": (1, Y.shape[1])}
    for (name, shape), array in zip(shapes.items(), value[:3]):
        got = tuple(np.shape(to_numpy(array)))
        if got != shape:
            return Problem(_("{name} has shape {got}, expected {shape}").format(name=name, got=got, shape=shape),
                           str(shape), str(got), "")
    history = value[3]
    if not hasattr(history, "__len__") or len(history) != iterations:
        length = len(history) if hasattr(history, "__len__") else describe(history)
        return Problem(_("history has {length} entries, expected one cost per iteration ({iterations})").format(
                           length=length, iterations=iterations),
                       str(iterations), str(length), _("append the cost once in every iteration"))
    for index, entry in enumerate(history):
        if not is_number(entry):
            return Problem(_("history[{index}] is {value}, expected the cost as a number").format(
                               index=index, value=describe(entry)),
                           _("a float or a 0-d tensor"), describe(entry),
                           _("append the cost that the step returns (its value), not the step function itself"))
    return None


def _start_hint(case, first: float) -> str:
    """What history[0] says about the lambda_ the learner's cost used (it is the cost at the given
    start, so J = error + lambda_ * norms gives lambda_ back)."""
    lambda_ = case.args[3]
    used = (first - case.info["start_error"]) / case.info["start_norms"]
    for value in (round(used), lambda_ / 2, 2 * lambda_):
        if value != lambda_ and abs(used - value) < 0.005 * max(1.0, abs(value)):
            return _("your first cost is the cost with lambda_ = {used:g}, not the lambda_ = {given:g} you are "
                     "given: pass lambda_ itself to cofi_cost_func_v").format(used=value, given=lambda_)
    return _("history[0] is the cost at the given starting X, W and b: keep them, and append the cost that step() "
             "computes with cofi_cost_func_v(X, W, b, Y, R, lambda_) before it updates them")


def _train_value(case, value):
    X, W, b = (to_numpy(v).astype(float) for v in value[:3])
    history = np.array([float(to_numpy(h)) for h in value[3]])
    problem = finite(case, history)
    if problem:
        return problem
    Y, R, __, lambda_, __, learning_rate = case.args[:6]
    reference = case.info["history"]
    if abs(history[0] - reference[0]) > HISTORY_START_RTOL * abs(reference[0]):
        return Problem(_("history[0], the cost at the start, is wrong"), f"{reference[0]:.6g}", f"{history[0]:.6g}",
                       _start_hint(case, history[0]))
    target = reference[0] - 0.5 * (reference[0] - reference[-1])
    if not history[-1] < target:
        return Problem(_("the cost barely went down"), _("below {target:.4g}").format(target=target),
                       f"{history[-1]:.4g}",
                       _("apply the gradients with optimizer.apply_gradients(zip(grads, [X, W, b])) in every "
                         "iteration"))
    apart = np.flatnonzero(np.abs(history - reference) > HISTORY_RTOL * abs(reference[0]))
    if apart.size:
        i = int(apart[0])
        return Problem(_("history[{index}] differs from the reference's Adam steps from the same start").format(
                           index=i), f"{reference[i]:.6g}", f"{history[i]:.6g}",
                       _("take one Adam step per iteration with the learning_rate you are given ({learning_rate:g}) "
                         "and the cost with lambda_ = {lambda_:g}").format(learning_rate=learning_rate,
                                                                           lambda_=lambda_))
    final = cofi.cofi_cost_func_np(X, W, b, Y, R, lambda_)
    if abs(final - case.expected) > FINAL_RTOL * case.expected + 1e-4 * abs(reference[0]):
        return Problem(_("the returned X, W and b do not have the cost the reference reaches from the same start "
                         "with the same settings"), f"{case.expected:.6g}", f"{final:.6g}",
                       _("return the trained variables X, W and b themselves, after the last step"))
    return None


register(Exercise(
    "train_cofi", "train_cofi", TRAIN_PARAMS, train_cases, [_train_type, _train_value],
    doc=N_("The training loop: shapes, history, final cost."),
    forbidden=lambda: [training.train, training._Loop, training._compiled_loop], timeout=TRAIN_TIMEOUT,
))
