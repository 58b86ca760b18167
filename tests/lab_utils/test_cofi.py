"""lab_utils.cofi: the cost, its gradients and the similarity measure against hand-made answers."""

import numpy as np
import pytest
import tensorflow as tf

from lab_utils import (
    ShapeError, check_cofi_inputs, cofi_cost_func, cofi_cost_func_np, cofi_cost_func_v,
    cofi_gradients, predict, similar_movies, squared_distance,
)

COSTS = (cofi_cost_func, cofi_cost_func_np, cofi_cost_func_v)

# Each case: X, W, b, Y, R, lambda_, J worked out by hand in the comment.
HAND_CASES = {
    # prediction 2*3 + 1 = 7, error 3: J = 9/2
    "one-rating": ([[2.0]], [[3.0]], [[1.0]], [[4.0]], [[1.0]], 0.0, 4.5),
    # same error term, plus 1/2 (W^2 + X^2) = 1/2 (9 + 4): J = 4.5 + 6.5
    "one-rating-regularized": ([[2.0]], [[3.0]], [[1.0]], [[4.0]], [[1.0]], 1.0, 11.0),
    # the unrated movie holds 100, which must not count; the rated one has error 1 - 3: J = 4/2
    "unrated-entry-ignored": ([[1.0], [2.0]], [[1.0]], [[0.0]], [[3.0], [100.0]], [[1.0], [0.0]], 0.0, 2.0),
    # X W^T + b = [[1, 3], [1, 1]]; rated errors 0, -1, -1: J = 2/2
    "two-by-two": ([[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [2.0, 0.0]], [[0.0, 1.0]],
                   [[1.0, 4.0], [2.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]], 0.0, 1.0),
    # plus lambda/2 (sum W^2 + sum X^2) = 2/2 (6 + 2): J = 1 + 8
    "two-by-two-regularized": ([[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [2.0, 0.0]], [[0.0, 1.0]],
                               [[1.0, 4.0], [2.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]], 2.0, 9.0),
    # nothing rated: only 3/2 (W^2 + X^2) = 1.5 (1 + 1 + 4) is left, and b is not regularized
    "nothing-rated": ([[1.0, 2.0]], [[0.0, 1.0]], [[5.0]], [[9.0]], [[0.0]], 3.0, 9.0),
}


@pytest.mark.parametrize("cost", COSTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("case", HAND_CASES.values(), ids=HAND_CASES.keys())
def test_cost_matches_hand_computed_value(cost, case):
    *arrays, lambda_, expected = case
    assert float(cost(*map(np.array, arrays), lambda_)) == pytest.approx(expected, abs=1e-12)


def random_case(rng, num_movies=7, num_users=5, num_features=3, dtype=np.float64):
    X = rng.normal(size=(num_movies, num_features)).astype(dtype)
    W = rng.normal(size=(num_users, num_features)).astype(dtype)
    b = rng.normal(size=(1, num_users)).astype(dtype)
    R = (rng.random((num_movies, num_users)) < 0.5).astype(dtype)
    Y = rng.integers(1, 6, size=(num_movies, num_users)).astype(dtype)  # unrated entries too
    return X, W, b, Y, R


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lambda_", [0.0, 1.5])
def test_loop_numpy_and_tensorflow_costs_agree(dtype, seed, lambda_):
    arrays = random_case(np.random.default_rng(seed), dtype=dtype)
    loop = cofi_cost_func(*arrays, lambda_)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert cofi_cost_func_np(*arrays, lambda_) == pytest.approx(loop, rel=rtol)
    tf_cost = cofi_cost_func_v(*(tf.Variable(a) for a in arrays), lambda_)
    assert tf_cost.dtype == tf.as_dtype(dtype) and tf_cost.shape == ()
    assert float(tf_cost) == pytest.approx(loop, rel=rtol)


def test_tensorflow_cost_mixes_float32_variables_with_float64_ratings():
    X, W, b, Y, R = random_case(np.random.default_rng(9))
    J = cofi_cost_func_v(tf.Variable(X, dtype=tf.float32), tf.Variable(W, dtype=tf.float32),
                         tf.Variable(b, dtype=tf.float32), Y, R, 1.0)
    assert J.dtype == tf.float32 and float(J) == pytest.approx(cofi_cost_func(X, W, b, Y, R, 1.0), rel=1e-5)


@pytest.mark.parametrize("lambda_", [0.0, 0.7])
def test_gradients_agree_with_gradient_tape(lambda_):
    X, W, b, Y, R = random_case(np.random.default_rng(3), num_movies=6, num_users=4, num_features=2)
    variables = [tf.Variable(a) for a in (X, W, b)]
    with tf.GradientTape() as tape:
        J = cofi_cost_func_v(*variables, Y, R, lambda_)
    for ours, taped in zip(cofi_gradients(X, W, b, Y, R, lambda_), tape.gradient(J, variables)):
        np.testing.assert_allclose(ours, taped.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lambda_", [0.0, 0.7])
def test_gradients_agree_with_finite_differences(lambda_):
    X, W, b, Y, R = random_case(np.random.default_rng(4), num_movies=5, num_users=3, num_features=2)
    params = [X, W, b]
    grads = cofi_gradients(X, W, b, Y, R, lambda_)
    h = 1e-6
    for k, (param, grad) in enumerate(zip(params, grads)):
        assert grad.shape == param.shape
        for index in np.ndindex(param.shape):
            plus, minus = [p.copy() for p in params], [p.copy() for p in params]
            plus[k][index] += h
            minus[k][index] -= h
            numeric = (cofi_cost_func_np(*plus, Y, R, lambda_) - cofi_cost_func_np(*minus, Y, R, lambda_)) / (2 * h)
            assert grad[index] == pytest.approx(numeric, rel=1e-6, abs=1e-6), (("X", "W", "b")[k], index)


def test_bias_gradient_sums_each_users_errors():
    X, W, b, Y, R = (np.array(a) for a in HAND_CASES["two-by-two"][:5])
    _, _, db = cofi_gradients(X, W, b, Y, R, 0.0)
    np.testing.assert_array_equal(db, [[-1.0, -1.0]])  # user 0: errors 0 and -1; user 1: -1 (and one unrated)


@pytest.mark.parametrize("cost", COSTS, ids=lambda f: f.__name__)
def test_inputs_are_not_modified(cost):
    arrays = random_case(np.random.default_rng(5))
    copies = [a.copy() for a in arrays]
    cost(*arrays, 1.0)
    cofi_gradients(*arrays, 1.0)
    for a, c in zip(arrays, copies):
        np.testing.assert_array_equal(a, c)


def shapes_case(**changes):
    X, W, b, Y, R = random_case(np.random.default_rng(0), num_movies=4, num_users=3, num_features=2)
    arrays = dict(X=X, W=W, b=b, Y=Y, R=R)
    arrays.update(changes)
    return [arrays[k] for k in "XWbYR"]


BAD_INPUTS = {
    "W-transposed": (dict(W=np.zeros((2, 3))), ShapeError,
                     r"W has shape \(2, 3\), expected \(num_users, num_features\) = \(3, 2\) \(is it transposed\?\)"),
    "b-one-dimensional": (dict(b=np.zeros(3)), ShapeError, r"b must be a 2-D array, got shape \(3,\)"),
    "b-per-movie": (dict(b=np.zeros((1, 4))), ShapeError, r"b has shape \(1, 4\), expected \(1, num_users\) = \(1, 3\)"),
    "X-transposed": (dict(X=np.zeros((2, 4))), ShapeError,
                     r"X has shape \(2, 4\), expected \(num_movies, num_features\) = \(4, 2\) \(is it transposed\?\)"),
    "Y-transposed": (dict(Y=np.zeros((3, 4))), ShapeError, r"R has shape \(4, 3\), expected \(num_movies, num_users\) = \(3, 4\) \(is it transposed\?\)"),
    "R-wrong-size": (dict(R=np.zeros((4, 2))), ShapeError, r"R has shape \(4, 2\), expected \(num_movies, num_users\) = \(4, 3\)"),
    "R-not-binary": (dict(R=np.full((4, 3), 0.5)), ValueError, r"R must hold only 0 and 1 .*R\[0, 0\] = 0.5"),
    "NaN-in-Y": (dict(Y=np.where(np.eye(4, 3) == 1, np.nan, 1.0)), ValueError, r"Y contains nan at index \(0, 0\)"),
    "inf-in-X": (dict(X=np.array([[0.0, 0.0], [0.0, np.inf], [0.0, 0.0], [0.0, 0.0]])), ValueError, r"X contains inf at index \(1, 1\)"),
}


@pytest.mark.parametrize("cost", [*COSTS, cofi_gradients], ids=lambda f: f.__name__)
@pytest.mark.parametrize("change, error, message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_inputs_name_the_array_and_what_was_expected(cost, change, error, message):
    with pytest.raises(error, match=message):
        cost(*shapes_case(**change), 1.0)


@pytest.mark.parametrize("lambda_, message", [(-1.0, r"lambda_ must be a finite number >= 0, got -1.0"),
                                              (np.nan, r"lambda_ must be a finite number >= 0, got nan"),
                                              (np.ones(2), r"lambda_ must be a single number")])
def test_bad_lambda_is_refused(lambda_, message):
    with pytest.raises(ValueError, match=message):
        check_cofi_inputs(*shapes_case(), lambda_)


def test_shapes_are_checked_inside_tf_function():
    X, W, b, Y, R = shapes_case()

    @tf.function
    def cost(X, W):
        return cofi_cost_func_v(X, W, b, Y, R, 1.0)

    assert float(cost(tf.constant(X), tf.constant(W))) == pytest.approx(cofi_cost_func(X, W, b, Y, R, 1.0))
    # Autograph re-raises errors from tracing as its StagingError, keeping the message.
    with pytest.raises(Exception, match=r"ShapeError: W has shape \(2, 3\)"):
        cost(tf.constant(X), tf.constant(W.T))


def test_predict_adds_the_movie_means_back():
    X, W, b = np.array([[1.0], [2.0]]), np.array([[3.0], [0.0]]), np.array([[1.0, -1.0]])
    np.testing.assert_array_equal(predict(X, W, b), [[4.0, -1.0], [7.0, -1.0]])
    np.testing.assert_array_equal(predict(X, W, b, Ymean=np.array([[1.0], [2.0]])), [[5.0, 0.0], [9.0, 1.0]])


def test_squared_distance():
    assert squared_distance([1.0, 2.0, 3.0], [1.0, 0.0, 1.0]) == 8.0
    with pytest.raises(ShapeError, match=r"different shapes \(2,\) and \(3,\)"):
        squared_distance([1.0, 2.0], [1.0, 2.0, 3.0])


def test_similar_movies_ranks_by_squared_distance_without_the_movie_itself():
    X = np.array([[0.0, 0.0], [3.0, 0.0], [1.0, 1.0], [0.0, -1.0], [10.0, 10.0]])
    rows, distances = similar_movies(X, movie=0, k=3)
    assert rows.tolist() == [3, 2, 1] and distances.tolist() == [1.0, 2.0, 9.0]
    with pytest.raises(ValueError, match=r"k must be between 1 and 4"):
        similar_movies(X, movie=0, k=5)
    with pytest.raises(IndexError, match=r"movie row 7 is outside X's 5 rows"):
        similar_movies(X, movie=7, k=2)
