"""The predictions, cost and gradients over the observed ratings alone, for data too big for Y and R.

The dense versions in cofi.py build (num_movies, num_users) matrices, which for MovieLens 25M
(59,000 movies x 162,000 users) would take 77 GB each. These take the ratings as three arrays
of one length, rows (movie row i), cols (user column j) and ratings (y(i,j)), gather the
features of each rating's movie and user, and so cost time and memory in proportion to the
number of ratings. They give the same values as the dense ones (tests/lab_utils/test_sparse.py).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .cofi import regularization
from .errors import ShapeError
from .i18n import _


def check_sparse_inputs(X, W, b, rows, cols, ratings) -> None:
    """Raise ShapeError when the rating arrays do not fit X, W and b."""
    num_movies, num_features = tuple(X.shape)
    num_users = tuple(W.shape)[0]
    if tuple(W.shape) != (num_users, num_features) or tuple(b.shape) != (1, num_users):
        raise ShapeError(_("expected W (num_users, num_features) and b (1, num_users) fitting X {shape_X}, "
                           "got W {shape_W} and b {shape_b}").format(
            shape_X=tuple(X.shape), shape_W=tuple(W.shape), shape_b=tuple(b.shape)))
    lengths = {len(rows), len(cols), len(ratings)}
    if len(lengths) != 1:
        raise ShapeError(_("rows, cols and ratings must have one length, got {rows}, {cols}, {ratings}").format(
            rows=len(rows), cols=len(cols), ratings=len(ratings)))
    rows, cols = np.asarray(rows), np.asarray(cols)
    if len(rows) and (rows.min() < 0 or rows.max() >= num_movies):
        raise ShapeError(_("rows must lie in 0..{last} (X's rows), got {smallest}..{largest}").format(
            last=num_movies - 1, smallest=rows.min(), largest=rows.max()))
    if len(cols) and (cols.min() < 0 or cols.max() >= num_users):
        raise ShapeError(_("cols must lie in 0..{last} (W's rows), got {smallest}..{largest}").format(
            last=num_users - 1, smallest=cols.min(), largest=cols.max()))


def pair_predictions(X, W, b, rows, cols):
    """The predictions w(j) . x(i) + b(j) for the pairs (rows[k], cols[k]) alone, shape (len(rows),):
    ``cofi.prediction(X, W, b)[rows, cols]`` without building the (num_movies, num_users) matrix.
    Tensors in (the sparse cost under a GradientTape) give a tensor, arrays give an array."""
    if tf.is_tensor(X) or isinstance(X, tf.Variable):
        return tf.reduce_sum(tf.gather(X, rows) * tf.gather(W, cols), axis=1) + tf.gather(b[0], cols)
    X, W, b = (np.asarray(a) for a in (X, W, b))
    rows, cols = np.asarray(rows), np.asarray(cols)
    return np.einsum("kf,kf->k", X[rows], W[cols]) + b[0, cols]


def squared_error_sparse(X, W, b, rows, cols, ratings):
    """The cost's first term, 1/2 sum over the given ratings of (w(j).x(i) + b(j) - y(i,j))^2."""
    predictions = pair_predictions(X, W, b, rows, cols)
    return 0.5 * tf.reduce_sum(tf.square(predictions - tf.cast(ratings, X.dtype)))


def cofi_cost_sparse(X, W, b, rows, cols, ratings, lambda_):
    """J over the given ratings, as a 0-d tensor of X's dtype that GradientTape can differentiate."""
    return squared_error_sparse(X, W, b, rows, cols, ratings) + regularization(X, W, lambda_)


def cofi_gradients_sparse(X, W, b, rows, cols, ratings, lambda_) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dJ/dX, dJ/dW, dJ/db) over the given ratings, shaped like X, W and b (NumPy)."""
    check_sparse_inputs(X, W, b, rows, cols, ratings)
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    rows, cols = np.asarray(rows), np.asarray(cols)
    error = pair_predictions(X, W, b, rows, cols) - np.asarray(ratings, dtype=float)
    dX, dW = lambda_ * X, lambda_ * W
    np.add.at(dX, rows, error[:, None] * W[cols])
    np.add.at(dW, cols, error[:, None] * X[rows])
    db = np.bincount(cols, weights=error, minlength=W.shape[0])[None, :]
    return dX, dW, db
