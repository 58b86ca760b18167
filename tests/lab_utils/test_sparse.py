"""lab_utils.sparse: the cost and gradients over observed ratings equal the dense ones."""

import numpy as np
import pytest
import tensorflow as tf

from lab_utils import ShapeError, cofi_cost_func_np, cofi_gradients
from lab_utils.cofi import prediction
from lab_utils.sparse import cofi_cost_sparse, cofi_gradients_sparse, pair_predictions


def random_problem(seed, num_movies=9, num_users=6, num_features=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(num_movies, num_features))
    W = rng.normal(size=(num_users, num_features))
    b = rng.normal(size=(1, num_users))
    R = (rng.random((num_movies, num_users)) < 0.4).astype(float)
    R[:, 0] = 0.0  # a user without ratings
    Y = rng.integers(1, 6, size=(num_movies, num_users)) * R
    rows, cols = np.nonzero(R)
    return X, W, b, Y, R, rows, cols, Y[rows, cols]


def test_pair_predictions_are_the_dense_predictions_at_those_pairs():
    X, W, b, *_ = random_problem(0)
    rows, cols = np.array([0, 8, 3, 3]), np.array([5, 0, 2, 2])  # a pair twice is predicted twice
    expected = prediction(X, W, b)[rows, cols]
    arrays = pair_predictions(X, W, b, rows, cols)
    tensors = pair_predictions(tf.constant(X), tf.Variable(W), tf.constant(b), tf.constant(rows), tf.constant(cols))
    assert isinstance(arrays, np.ndarray) and tf.is_tensor(tensors)
    np.testing.assert_allclose(arrays, expected, rtol=1e-12)
    np.testing.assert_allclose(tensors.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("lambda_", [0.0, 1.3])
def test_sparse_cost_equals_dense_cost(seed, lambda_):
    X, W, b, Y, R, rows, cols, ratings = random_problem(seed)
    sparse = cofi_cost_sparse(tf.constant(X), tf.constant(W), tf.constant(b), rows, cols, ratings, lambda_)
    assert float(sparse) == pytest.approx(cofi_cost_func_np(X, W, b, Y, R, lambda_), rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("lambda_", [0.0, 1.3])
def test_sparse_gradients_equal_dense_gradients_and_the_tape(seed, lambda_):
    X, W, b, Y, R, rows, cols, ratings = random_problem(seed)
    dense = cofi_gradients(X, W, b, Y, R, lambda_)
    closed_form = cofi_gradients_sparse(X, W, b, rows, cols, ratings, lambda_)
    variables = [tf.Variable(a) for a in (X, W, b)]
    with tf.GradientTape() as tape:
        J = cofi_cost_sparse(*variables, rows, cols, ratings, lambda_)
    taped = [tf.convert_to_tensor(g).numpy() for g in tape.gradient(J, variables)]
    for d, c, t in zip(dense, closed_form, taped):
        np.testing.assert_allclose(c, d, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(t, d, rtol=1e-12, atol=1e-12)


def test_float32_variables_with_float64_ratings():
    X, W, b, Y, R, rows, cols, ratings = random_problem(7)
    J = cofi_cost_sparse(*(tf.Variable(a, dtype=tf.float32) for a in (X, W, b)), rows, cols, ratings, 0.5)
    assert J.dtype == tf.float32 and float(J) == pytest.approx(cofi_cost_func_np(X, W, b, Y, R, 0.5), rel=1e-5)


@pytest.mark.parametrize("change, message", [
    (dict(cols=np.array([0, 9])), r"cols must lie in 0..5 \(W's rows\), got 0..9"),
    (dict(rows=np.array([-1, 2])), r"rows must lie in 0..8 \(X's rows\), got -1..2"),
    (dict(ratings=np.array([1.0])), r"rows, cols and ratings must have one length, got 2, 2, 1"),
])
def test_bad_rating_arrays_are_named(change, message):
    X, W, b, *_ = random_problem(0)
    arrays = dict(rows=np.array([0, 1]), cols=np.array([1, 2]), ratings=np.array([3.0, 4.0]))
    arrays.update(change)
    with pytest.raises(ShapeError, match=message):
        cofi_gradients_sparse(X, W, b, arrays["rows"], arrays["cols"], arrays["ratings"], 1.0)
