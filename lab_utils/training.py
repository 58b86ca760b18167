"""Train the collaborative-filtering model with the lecture's GradientTape + Adam loop.

The loop is the one the course teaches: compute the cost under ``tf.GradientTape``, take the
gradients with respect to [X, W, b] and hand them to ``keras.optimizers.Adam`` through
``apply_gradients(zip(grads, [X, W, b]))``. Two things make it fast:

- the whole loop, not only the step, runs inside one ``tf.function``, and the traced loop is
  kept for the next call with the same shapes (a new start resets the variables and Adam's
  state), so a sweep over lambda pays for tracing once;
- the cost is the dense ``cofi_cost_func_v`` while a (num_movies, num_users) matrix is small,
  and the sparse one (``lab_utils.sparse``, the observed ratings only, in chunks) when it is
  not, so MovieLens 25M (59,000 x 162,000) trains in a few GiB.

The defaults were chosen on validation splits carved out of the training ratings, never the
test ratings: ``benchmarks/select_defaults.py`` did it and wrote its table to
``benchmarks/results/selection.json``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .cofi import check_nonnegative, check_ratings, cofi_cost_func_v, regularization
from .data import MovieLens
from .errors import ShapeError
from .i18n import _
from .model import CofiModel, recommend  # noqa: F401  (recommend: re-exported, it lived here)
from .ratings import movie_means
from .sparse import squared_error_sparse

DEFAULTS = {"num_features": 8, "lambda_": 12.0, "learning_rate": 0.2, "iterations": 60, "init_scale": 0.1,
            "mean_shrinkage": 5.0}
"""Hyper-parameters ``train`` uses unless told otherwise (see the module's docstring)."""

DENSE_LIMIT_ENTRIES = 50_000_000
"""Above this many num_movies x num_users entries (200 MB per float32 matrix) ``train`` uses the
sparse cost; a dense step holds about six such matrices."""

SPARSE_CHUNK = 1 << 21
"""Ratings per chunk of the sparse cost: bounds the gathered (chunk, num_features) arrays."""

_LOOPS_KEPT = 4


def train(
    Y,
    R=None,
    *,
    num_features: int = DEFAULTS["num_features"],
    lambda_: float = DEFAULTS["lambda_"],
    learning_rate: float = DEFAULTS["learning_rate"],
    iterations: int = DEFAULTS["iterations"],
    init_scale: float = DEFAULTS["init_scale"],
    normalize: bool = True,
    mean_shrinkage: float = DEFAULTS["mean_shrinkage"],
    seed: int = 1234,
    initial: tuple | None = None,
    path: str = "auto",
    verbose: bool = True,
) -> CofiModel:
    """Learn X, W and b from ratings: ``train(Y, R)`` with (num_movies, num_users) arrays, or
    ``train(data)`` with a ``MovieLens``, which never builds Y and R when they are too big.

    With ``normalize`` each movie's mean rating is subtracted first (mean normalization) and
    added back by the model's predictions; ``mean_shrinkage`` counts pseudo-ratings at the
    overall mean in each movie's mean, so a movie rated once is not taken at its word (0 gives
    the plain mean). Initial X and W are drawn from N(0, init_scale^2) with ``seed`` and b
    starts at 0, so the same call gives the same model; ``initial=(X, W, b)`` starts from the
    values given instead. ``path`` is "dense", "sparse" or "auto" (dense up to
    ``DENSE_LIMIT_ENTRIES`` entries). ``verbose`` prints the cost ten times.
    """
    ratings = _Ratings.from_arguments(Y, R)
    if path not in ("auto", "dense", "sparse"):
        raise ValueError(_('path must be "auto", "dense" or "sparse", got {path!r}').format(path=path))
    if path == "auto":
        path = "dense" if ratings.num_movies * ratings.num_users <= DENSE_LIMIT_ENTRIES else "sparse"
    _check_settings(num_features, lambda_, learning_rate, iterations, init_scale, mean_shrinkage)
    if normalize:
        Ymean = movie_means(ratings.rows, ratings.values, ratings.num_movies, mean_shrinkage)[:, None]
    else:
        Ymean = np.zeros((ratings.num_movies, 1))
    start = _starting_values(ratings, num_features, init_scale, seed, initial)
    num_features = start[0].shape[1]

    loop = _compiled_loop(path, ratings.num_movies, ratings.num_users, num_features)
    loop.restart(start, learning_rate)
    inputs = loop.inputs(ratings, ratings.values - Ymean[ratings.rows, 0])
    history: list[float] = []
    clock = time.perf_counter()
    report_every = max(1, iterations // 10) if verbose else iterations
    while len(history) < iterations:
        done = len(history)
        n = min(report_every, iterations - done)
        history.extend(float(c) for c in loop.run(tf.constant(n), tf.constant(lambda_, tf.float32), *inputs))
        if verbose:
            for it in range(done, done + n):
                if it % report_every == 0 or it == iterations - 1:
                    print(_("iteration {iteration:>5}/{iterations}: cost {cost:,.1f}  ({seconds:.1f} s)").format(
                        iteration=it, iterations=iterations, cost=history[it], seconds=time.perf_counter() - clock))
    settings = dict(num_features=num_features, lambda_=lambda_, learning_rate=learning_rate, iterations=iterations,
                    init_scale=init_scale, normalize=normalize, mean_shrinkage=mean_shrinkage, seed=seed, path=path)
    X, W, b = (v.numpy().astype(np.float64) for v in loop.variables)
    return CofiModel(X, W, b, Ymean, history, settings, ratings.rating_scale)


@dataclass
class _Ratings:
    """The observed ratings as three arrays of one length, whatever form they came in."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    num_movies: int
    num_users: int
    rating_scale: tuple[float, float]

    @classmethod
    def from_arguments(cls, Y, R) -> _Ratings:
        if isinstance(Y, MovieLens):
            if R is not None:
                raise TypeError(_("train(data) takes the MovieLens data alone: its ratings already say what is rated"))
            table = Y.ratings
            return cls(table["row"].to_numpy(np.int64), table["col"].to_numpy(np.int64),
                       table["rating"].to_numpy(np.float64), Y.num_movies, Y.num_users, Y.rating_scale)
        if R is None:
            raise TypeError(_("train needs Y and R, both (num_movies, num_users), or a MovieLens data set alone"))
        Y, R = np.asarray(Y, dtype=np.float64), np.asarray(R, dtype=np.float64)
        if Y.ndim != 2:
            raise ShapeError(_("Y must be a 2-D (num_movies, num_users) array, got shape {shape}").format(shape=Y.shape))
        check_ratings(Y, R)
        rows, cols = np.nonzero(R)
        num_movies, num_users = Y.shape
        return cls(rows, cols, Y[rows, cols], num_movies, num_users, (-np.inf, np.inf))


def _check_settings(num_features, lambda_, learning_rate, iterations, init_scale, mean_shrinkage) -> None:
    for name, value, smallest in (("num_features", num_features, 1), ("iterations", iterations, 1)):
        if not isinstance(value, (int, np.integer)) or value < smallest:
            raise ValueError(_("{name} must be a whole number >= {smallest}, got {value!r}").format(
                name=name, smallest=smallest, value=value))
    for name, value in (("lambda_", lambda_), ("init_scale", init_scale), ("mean_shrinkage", mean_shrinkage)):
        check_nonnegative(name, value)
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(_("learning_rate must be a finite number > 0, got {value!r}").format(value=learning_rate))


def _starting_values(ratings: _Ratings, num_features, init_scale, seed, initial) -> tuple[np.ndarray, ...]:
    if initial is None:
        rng = np.random.default_rng(seed)
        return (rng.normal(0, init_scale, (ratings.num_movies, num_features)),
                rng.normal(0, init_scale, (ratings.num_users, num_features)), np.zeros((1, ratings.num_users)))
    X, W, b = (np.asarray(v, dtype=np.float64) for v in initial)
    features = X.shape[1] if X.ndim == 2 else 0
    want = {"X": (ratings.num_movies, features), "W": (ratings.num_users, features), "b": (1, ratings.num_users)}
    for (name, shape), value in zip(want.items(), (X, W, b)):
        if value.shape != shape:
            raise ShapeError(_("initial {name} has shape {got}, expected {want}").format(
                name=name, got=value.shape, want=shape))
    return X, W, b


class _Loop:
    """Variables, an Adam optimizer and the traced training loop for one problem size."""

    def __init__(self, path: str, num_movies: int, num_users: int, num_features: int, chunk: int):
        self.path, self.chunk = path, chunk
        self.X = tf.Variable(tf.zeros((num_movies, num_features)), name="X")
        self.W = tf.Variable(tf.zeros((num_users, num_features)), name="W")
        self.b = tf.Variable(tf.zeros((1, num_users)), name="b")
        self.variables = [self.X, self.W, self.b]
        self.optimizer = keras.optimizers.Adam()
        self.optimizer.build(self.variables)
        self.run = tf.function(self._dense_loop if path == "dense" else self._sparse_loop, autograph=False)

    def restart(self, start, learning_rate: float) -> None:
        """Start from new values with a fresh Adam: zero moments and step count."""
        for variable, value in zip(self.variables, start):
            variable.assign(tf.constant(value, tf.float32))
        for variable in self.optimizer.variables:
            variable.assign(tf.zeros_like(variable))
        self.optimizer.learning_rate = learning_rate

    def inputs(self, ratings: _Ratings, normalized: np.ndarray) -> tuple:
        if self.path == "dense":
            Ynorm = np.zeros((ratings.num_movies, ratings.num_users), dtype=np.float32)
            R = np.zeros_like(Ynorm)
            Ynorm[ratings.rows, ratings.cols], R[ratings.rows, ratings.cols] = normalized, 1.0
            return tf.constant(Ynorm), tf.constant(R)
        index = tf.int32 if max(ratings.num_movies, ratings.num_users) < 2**31 else tf.int64
        return (tf.constant(ratings.rows, index), tf.constant(ratings.cols, index),
                tf.constant(normalized, tf.float32))

    def _dense_loop(self, iterations, lambda_, Ynorm, R):
        def step(it, costs):
            with tf.GradientTape() as tape:
                cost = cofi_cost_func_v(self.X, self.W, self.b, Ynorm, R, lambda_)
            grads = tape.gradient(cost, self.variables)
            self.optimizer.apply_gradients(zip(grads, self.variables))
            return it + 1, costs.write(it, cost)

        return self._iterate(iterations, step)

    @staticmethod
    def _iterate(iterations, step):
        """Run step(it, costs) for it = 0 .. iterations - 1 as one graph loop, and stack the costs."""
        # tf.while_loop written out rather than a for loop converted by AutoGraph: converting
        # the loop's source took about 0.3 s of the first call.
        start = (tf.constant(0), tf.TensorArray(tf.float32, size=iterations))
        _last, costs = tf.while_loop(lambda it, costs: it < iterations, step, start)
        return costs.stack()

    def _sparse_loop(self, iterations, lambda_, rows, cols, ratings):
        # J = sum over chunks of the ratings' squared errors + the regularization, so the
        # gradients are summed chunk by chunk; only one chunk's gathered features live at a time.
        # The chunk loop is a Python loop, unrolled when traced (the number of ratings is fixed
        # per trace): a graph loop nested in the iterations' loop trips a Grappler bug
        # (AlreadyExistsError on a temporary variable) once there are two chunks or more.
        count = int(rows.shape[0])

        def step(it, costs):
            with tf.GradientTape() as tape:
                cost = regularization(self.X, self.W, lambda_)
            grads = [tf.convert_to_tensor(g) for g in tape.gradient(cost, self.variables,
                                                                     unconnected_gradients="zero")]
            for start in range(0, count, self.chunk):
                end = min(start + self.chunk, count)
                with tf.GradientTape() as tape:
                    part = squared_error_sparse(self.X, self.W, self.b, rows[start:end], cols[start:end],
                                                ratings[start:end])
                parts = tape.gradient(part, self.variables)
                grads = [g + tf.convert_to_tensor(p) for g, p in zip(grads, parts)]
                cost += part
            self.optimizer.apply_gradients(zip(grads, self.variables))
            return it + 1, costs.write(it, cost)

        return self._iterate(iterations, step)


_loops: OrderedDict[tuple, _Loop] = OrderedDict()


def _compiled_loop(path: str, num_movies: int, num_users: int, num_features: int) -> _Loop:
    """The loop for this size, traced on its first run and kept for the next few sizes used."""
    key = (path, num_movies, num_users, num_features, SPARSE_CHUNK)
    if key not in _loops:
        _loops[key] = _Loop(*key)
        while len(_loops) > _LOOPS_KEPT:
            _loops.popitem(last=False)
    _loops.move_to_end(key)
    return _loops[key]
