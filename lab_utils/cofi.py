"""The reference implementation of every collaborative-filtering formula the labs teach.

Shapes follow the course: X (num_movies, num_features), W (num_users, num_features),
b (1, num_users), Y and R (num_movies, num_users). The cost is

    J = 1/2 sum_{r(i,j)=1} (w(j) . x(i) + b(j) - y(i,j))^2 + lambda_/2 (sum W^2 + sum X^2)

and the autograder compares a learner's functions against the ones here.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .errors import ShapeError
from .i18n import N_, _

ARRAY_NAMES = ("X", "W", "b", "Y", "R")


def _shape(array) -> tuple[int, ...]:
    shape = getattr(array, "shape", None)
    return tuple(int(d) for d in shape) if shape is not None else np.shape(array)


def check_nonnegative(name: str, value) -> float:
    """``value`` as a float; ValueError unless it is a finite number >= 0 (lambda_, a scale, a shrinkage)."""
    number = float(np.asarray(value))
    if not np.isfinite(number) or number < 0:
        raise ValueError(_("{name} must be a finite number >= 0, got {value}").format(name=name, value=number))
    return number


NOT_FINITE = N_("{name} contains {value} at index {where}; all inputs must be finite numbers")
NOT_BINARY = N_("R must hold only 0 and 1 (1 where user j rated movie i); R{index} = {value}")


def _first_bad(name: str, array, bad: np.ndarray, what: str) -> None:
    """ValueError at the first True of ``bad``; ``what`` is a message marked with N_ (NOT_FINITE, NOT_BINARY)."""
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(_(what).format(name=name, where=where, index=list(where), value=np.asarray(array)[where]))


def _transposed_hint(got, want) -> str:
    return " " + _("(is it transposed?)") if tuple(got) == tuple(want)[::-1] else ""


def _not_2d(name: str, shape) -> ShapeError:
    return ShapeError(_("{name} must be a 2-D array, got shape {shape}").format(name=name, shape=shape))


def check_ratings(Y, R) -> None:
    """Raise ShapeError or ValueError unless Y and R are (num_movies, num_users) arrays of one
    shape, Y finite and R holding only 0 and 1. Tensors inside a ``tf.function`` are checked
    for shape only."""
    shapes = {"Y": _shape(Y), "R": _shape(R)}
    for name, shape in shapes.items():
        if len(shape) != 2:
            raise _not_2d(name, shape)
    if shapes["R"] != shapes["Y"]:
        raise ShapeError(
            _("R has shape {got}, expected (num_movies, num_users) = {want}{hint}; "
              "Y {want} has num_movies={num_movies}, num_users={num_users}").format(
                got=shapes["R"], want=shapes["Y"], hint=_transposed_hint(shapes["R"], shapes["Y"]),
                num_movies=shapes["Y"][0], num_users=shapes["Y"][1])
        )
    if not _readable(Y, R):
        return
    _first_bad("Y", Y, ~np.isfinite(np.asarray(Y)), NOT_FINITE)
    R = np.asarray(R)
    _first_bad("R", R, ~np.isfinite(R), NOT_FINITE)
    _first_bad("R", R, (R != 0) & (R != 1), NOT_BINARY)


def _readable(*arrays) -> bool:
    """Whether the values can be read: NumPy arrays, or tensors outside a ``tf.function``."""
    return tf.executing_eagerly() or not any(tf.is_tensor(a) for a in arrays)


@tf.autograph.experimental.do_not_convert
def check_cofi_inputs(X, W, b, Y, R, lambda_=0.0) -> None:
    """Raise ShapeError or ValueError when the inputs do not fit the course's shapes and values.

    Shapes are always checked. Values (NaN or inf anywhere, R holding only 0 and 1, lambda_
    a finite number >= 0) are checked when they can be read: NumPy arrays, or tensors outside
    a ``tf.function``.
    """
    check_ratings(Y, R)
    shapes = dict(zip(ARRAY_NAMES, map(_shape, (X, W, b, Y, R))))
    for name, shape in shapes.items():
        if len(shape) != 2:
            raise _not_2d(name, shape)
    # Y fixes num_movies and num_users; num_features comes from whichever of X and W is
    # otherwise right, so that a transposed one is reported as such.
    num_movies, num_users = shapes["Y"]
    num_features = shapes["X"][1] if shapes["X"][0] == num_movies or shapes["W"][0] != num_users else shapes["W"][1]
    expected = {
        "X": ((num_movies, num_features), "(num_movies, num_features)"),
        "W": ((num_users, num_features), "(num_users, num_features)"),
        "b": ((1, num_users), "(1, num_users)"),
    }
    for name, (want, notation) in expected.items():
        got = shapes[name]
        if got != want:
            raise ShapeError(
                _("{name} has shape {got}, expected {notation} = {want}{hint}; Y {shape_Y} has "
                  "num_movies={num_movies}, num_users={num_users}, and num_features={num_features}").format(
                    name=name, got=got, notation=notation, want=want, hint=_transposed_hint(got, want),
                    shape_Y=shapes["Y"], num_movies=num_movies, num_users=num_users, num_features=num_features)
            )
    if not np.isscalar(lambda_) and _shape(lambda_) != ():
        raise ValueError(_("lambda_ must be a single number, got shape {shape}").format(shape=_shape(lambda_)))
    if not _readable(X, W, b, lambda_):
        return
    check_nonnegative("lambda_", lambda_)
    for name, array in zip(("X", "W", "b"), (X, W, b)):
        _first_bad(name, array, ~np.isfinite(np.asarray(array)), NOT_FINITE)


def prediction(X, W, b):
    """The predicted ratings w(j) . x(i) + b(j) for every movie i and user j: X W^T + b, shape
    (num_movies, num_users). The one place the course's prediction is written: tensors in (the
    cost under a GradientTape) give a tensor, arrays give an array. To predict for a few users,
    pass their rows of W and columns of b."""
    if tf.is_tensor(X) or isinstance(X, tf.Variable):
        return tf.linalg.matmul(X, W, transpose_b=True) + b
    return np.asarray(X) @ np.asarray(W).T + np.asarray(b)


def masked_error(X, W, b, Y, R):
    """E = (X W^T + b - Y) * R: each prediction's error, 0 where the movie is unrated."""
    return (prediction(X, W, b) - Y) * R


def cofi_cost_func(X, W, b, Y, R, lambda_) -> float:
    """The cost J with explicit loops over users and movies, as first written in the course."""
    check_cofi_inputs(X, W, b, Y, R, lambda_)
    X, W, b, Y, R = (np.asarray(a, dtype=np.float64) for a in (X, W, b, Y, R))
    num_movies, num_users = Y.shape
    J = 0.0
    for j in range(num_users):
        w, b_j = W[j, :], b[0, j]
        for i in range(num_movies):
            if R[i, j]:
                J += (np.dot(w, X[i, :]) + b_j - Y[i, j]) ** 2
    J /= 2
    J += (lambda_ / 2) * (np.sum(np.square(W)) + np.sum(np.square(X)))
    return float(J)


def cofi_cost_func_np(X, W, b, Y, R, lambda_) -> float:
    """The cost J, vectorized with NumPy."""
    check_cofi_inputs(X, W, b, Y, R, lambda_)
    X, W, b, Y, R = (np.asarray(a) for a in (X, W, b, Y, R))
    error = masked_error(X, W, b, Y, R)
    return float(0.5 * np.sum(error**2) + (lambda_ / 2) * (np.sum(W**2) + np.sum(X**2)))


def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    """The cost J, vectorized with TensorFlow so ``tf.GradientTape`` can differentiate it.

    Returns a 0-d tensor of X's dtype; Y and R are cast to that dtype, so float32
    variables work with float64 NumPy ratings.
    """
    check_cofi_inputs(X, W, b, Y, R, lambda_)
    dtype = X.dtype if tf.is_tensor(X) or isinstance(X, tf.Variable) else tf.float64
    X, W, b, Y, R = (tf.convert_to_tensor(a, dtype=dtype) for a in (X, W, b, Y, R))
    error = masked_error(X, W, b, Y, R)
    # tf.square rather than ** 2: Pow is several times slower, and only Grappler rewrites it.
    J = 0.5 * tf.reduce_sum(tf.square(error)) + regularization(X, W, lambda_)
    return tf.cast(J, dtype)


def regularization(X, W, lambda_):
    """The cost's second term, lambda/2 (sum W^2 + sum X^2), as a tensor; it does not depend on
    the ratings, so the dense and the sparse costs share it."""
    return (lambda_ / 2) * (tf.reduce_sum(tf.square(X)) + tf.reduce_sum(tf.square(W)))


def cofi_gradients(X, W, b, Y, R, lambda_) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The closed-form gradients (dJ/dX, dJ/dW, dJ/db), shaped like X, W and b.

    With E = (X W^T + b - Y) * R, the masked error:
    dJ/dX = E W + lambda_ X,  dJ/dW = E^T X + lambda_ W,  dJ/db = column sums of E.
    """
    check_cofi_inputs(X, W, b, Y, R, lambda_)
    X, W, b, Y, R = (np.asarray(a) for a in (X, W, b, Y, R))
    return gradients_from_error(masked_error(X, W, b, Y, R), X, W, lambda_)


def gradients_from_error(E, X, W, lambda_) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dJ/dX, dJ/dW, dJ/db) = (E W + lambda_ X, E^T X + lambda_ W, column sums of E) for a
    masked error E (num_movies, num_users)."""
    return E @ W + lambda_ * X, E.T @ X + lambda_ * W, E.sum(axis=0, keepdims=True)


def predict(X, W, b, Ymean=None) -> np.ndarray:
    """Predicted ratings X W^T + b for every movie and user, plus Ymean when ratings were normalized."""
    predictions = prediction(*(np.asarray(a) for a in (X, W, b)))
    return predictions if Ymean is None else predictions + np.asarray(Ymean).reshape(-1, 1)


def squared_distance(a, b) -> float:
    """The squared distance ||a - b||^2 between two feature vectors."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ShapeError(_("feature vectors of different shapes {shape_a} and {shape_b}").format(
            shape_a=a.shape, shape_b=b.shape))
    return float(np.sum((a - b) ** 2))


def similar_movies(X, movie: int, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The k movies whose feature vectors lie closest to row ``movie`` of X.

    Returns (rows, distances): row indices of X sorted by ||x(k) - x(movie)||^2, the movie
    itself left out, ties broken by row; and those squared distances.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ShapeError(_("X must be (num_movies, num_features), got shape {shape}").format(shape=X.shape))
    if not 0 <= movie < X.shape[0]:
        raise IndexError(_("movie row {movie} is outside X's {num_rows} rows").format(movie=movie, num_rows=X.shape[0]))
    if not 1 <= k < X.shape[0]:
        raise ValueError(_("k must be between 1 and {largest} (the other movies), got {k}").format(
            largest=X.shape[0] - 1, k=k))
    distances = np.sum((X - X[movie]) ** 2, axis=1)
    distances[movie] = np.inf
    rows = np.argsort(distances, kind="stable")[:k]
    return rows, distances[rows]
