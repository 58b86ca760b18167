"""The inputs Labs 3 and 4 share: (X, W, b, Y, R, lambda_) cases for the cost and its gradients."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import cofi
from lab_utils.i18n import N_, _

from ..compare import matches, to_numpy
from ..engine import Case

COFI_PARAMS = ("X", "W", "b", "Y", "R", "lambda_")
COFI_WATCH = dict(enumerate(("X", "W", "b", "Y", "R")))


def cofi_arrays(rng, num_movies, num_users, num_features, density=0.5):
    """Random X, W, b, Y, R of the given sizes; Y holds ratings where R is 0 too."""
    X = rng.normal(size=(num_movies, num_features))
    W = rng.normal(size=(num_users, num_features))
    b = rng.normal(size=(1, num_users))
    R = (rng.random((num_movies, num_users)) < density).astype(float)
    Y = rng.integers(1, 6, size=(num_movies, num_users)).astype(float)  # unrated entries hold ratings too
    return X, W, b, Y, R


def cofi_inputs(rng: np.random.Generator | None = None, tensors: bool = False) -> list[tuple[str, tuple, float]]:
    """(name, (X, W, b, Y, R), lambda_) for the cost and gradient checks: the visible cases for
    rng None, otherwise hidden ones with random, non-square shapes and lambda_."""
    if rng is None:
        source = np.random.default_rng(2024)
        hand = (np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 1.0], [2.0, 0.0]]), np.array([[0.0, 1.0]]),
                np.array([[1.0, 4.0], [2.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
        random = cofi_arrays(source, 7, 5, 3)
        lonely = cofi_arrays(source, 6, 4, 2)
        inputs = [(_("2 movies x 2 users, by hand, lambda_={lambda_}").format(lambda_=0), hand, 0.0),
                  (_("2 movies x 2 users, by hand, lambda_={lambda_}").format(lambda_=2), hand, 2.0)]
        lambdas = (0.0, 1.5, 1.0, 0.5)
    else:
        num_movies, num_users, num_features = (int(v) for v in rng.choice(np.arange(3, 11), 3, replace=False))
        random = cofi_arrays(rng, num_movies, num_users, num_features)
        lonely = cofi_arrays(rng, num_users + 1, num_users, num_features)
        inputs = []
        lambdas = (0.0, *(float(v) for v in np.round(rng.uniform(0.3, 3.0, 3), 2)))
    lonely[4][:, 1] = 0.0  # a user who rated nothing
    lonely[4][-1, :] = 0.0  # a movie nobody rated
    shape = "x".join(map(str, (random[0].shape[0], random[1].shape[0], random[0].shape[1])))
    inputs += [
        (_("{shape} movies x users x features, unrated entries hold ratings, lambda_={lambda_}").format(
            shape=shape, lambda_=lambdas[0]), random, lambdas[0]),
        (_("{shape} movies x users x features, lambda_={lambda_}").format(shape=shape, lambda_=lambdas[1]),
         random, lambdas[1]),
        (_("a user and a movie without ratings, lambda_={lambda_}").format(lambda_=lambdas[2]), lonely, lambdas[2]),
        (_("float32 inputs, lambda_={lambda_}").format(lambda_=lambdas[3]), tuple(a.astype(np.float32) for a in random),
         lambdas[3]),
    ]
    if tensors:
        inputs.append((_("tf.Variable inputs, lambda_={lambda_}").format(lambda_=lambdas[1]),
                       tuple(tf.Variable(a) for a in random), lambdas[1]))
    return inputs


def as_float(X, W, b, Y, R, lambda_) -> tuple:
    """The case's arrays as float64 NumPy, whatever they were given as (float32, tf.Variable)."""
    return (*(to_numpy(a).astype(np.float64) for a in (X, W, b, Y, R)), lambda_)


def cofi_cases(reference, tensors: bool, explain_error=None):
    """A function of rng giving the cases, each expected to equal ``reference`` on float64 inputs;
    ``explain_error`` as in ``engine.Case``."""
    def make(rng) -> list[Case]:
        cases = []
        for name, arrays, lambda_ in cofi_inputs(rng, tensors):
            float32 = to_numpy(arrays[0]).dtype == np.float32
            cases.append(Case(name, args=(*arrays, lambda_), expected=reference(*as_float(*arrays, lambda_)),
                              watch=COFI_WATCH, rtol=1e-4 if float32 else 1e-6, explain_error=explain_error))
        return cases
    return make


def on_floats(formula):
    """A mistake's ``compute`` taking a case's arguments as given (float32, variables, arrays)."""
    def compute(*args):
        return formula(*as_float(*args))
    return compute


def cofi_references() -> list:
    """The reference functions a learner's cost or gradient must not call: the costs and
    gradients, and the pieces they are built from (a sealed verification replaces them all)."""
    from lab_utils import sparse

    return [cofi.cofi_cost_func, cofi.cofi_cost_func_np, cofi.cofi_cost_func_v, cofi.cofi_gradients,
            cofi.gradients_from_error, cofi.masked_error, cofi.prediction, cofi.regularization,
            sparse.cofi_cost_sparse, sparse.squared_error_sparse, sparse.cofi_gradients_sparse, sparse.pair_predictions]


def learner_values(invoke):
    """The learner's function on given inputs as a float array, or None when it raises or returns
    something that is not all finite numbers (for the probes of a diagnosis)."""
    def values(*args) -> np.ndarray | None:
        outcome = invoke(*args)
        if outcome.error:
            return None
        try:
            value = np.asarray(to_numpy(outcome.value), dtype=float)
        except (TypeError, ValueError):
            return None
        return value if np.all(np.isfinite(value)) else None
    return values


PROBE = (*cofi_arrays(np.random.default_rng(5), 5, 3, 2), 1.5)
"""Inputs on which the counts differ from each other and from 2: 5 movies, 3 users, 7 ratings,
15 (movie, user) pairs, lambda_ = 1.5; a wrong term's ratio to the right one tells which it is."""

FACTORS = (
    (2.0, N_("twice the expected: is a 1/2 missing?")),
    (0.5, N_("half the expected: is a 1/2 applied twice?")),
)
"""(factor, what it means): the words are English message ids, translated by ``relation``."""


def counts(R) -> tuple[tuple[float, str, str], ...]:
    """(count, what a factor of it means, what a division by it means) for the counts of R."""
    num_movies, num_users = np.shape(R)
    named = ((num_users, "num_users", _("inside the loop over users")),
             (num_movies, "num_movies", _("inside the loop over movies")),
             (float(np.sum(R)), _("the number of ratings"), _("once per rating")),
             (num_movies * num_users, "num_movies * num_users", _("inside both loops")))
    return tuple((count, _("{count} times the expected: is it added {where}? add it once, after the loops").format(
                      count=name, where=where),
                  _("the expected divided by {count}: it is a sum, not a mean; do not divide").format(count=name))
                 for count, name, where in named)


def relation(got, want, R, left_out: dict[str, np.ndarray | float] | None = None, factors=FACTORS) -> str:
    """How a wrong term ``got`` relates to the right one ``want`` (numbers or arrays of one shape),
    in words, when the relation is a recognisable one: a factor of 2 or 1/2, a count of R's entries
    (something added inside a loop that belongs outside it, a mean instead of a sum), zero, or the
    right value less one of the parts ``left_out`` names (what was left out -> its contribution).
    ``factors`` says what a factor of 2 or 1/2 means."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape or not np.any(want) or not np.all(np.isfinite(got)):
        return ""
    if not np.any(got):
        return _("zero where it should not be: is it added only where R[i, j] is 1? add it once, after the loops")
    for factor, words in factors:
        if matches(got, factor * want, 1e-5):
            return _(words)
    for count, times, divided in counts(R):
        if count > 1 and matches(got, count * want, 1e-5):
            return times
        if count > 1 and matches(got, want / count, 1e-5):
            return divided
    for what, part in (left_out or {}).items():
        if np.any(part) and matches(got, want - part, 1e-5):
            return _("the expected without {part}").format(part=what)
    return ""
