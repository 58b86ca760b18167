"""Labs 3 and 4: wrong answers that used to pass or got the wrong words are caught and named."""

import numpy as np
import pytest
import tensorflow as tf

from autograder.exercises import cofi_cost, load

from . import solutions
from .test_checks import failing

registry = load()


def cost_with_np_sum_regularization(X, W, b, Y, R, lambda_):
    error = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y) * R
    return 0.5 * tf.reduce_sum(error**2) + lambda_ / 2 * (np.sum(W**2) + np.sum(X**2))


def test_a_regularization_the_tape_cannot_see_fails_the_tape_case():
    result = registry.evaluate("cofi_cost_v", cost_with_np_sum_regularization)
    case = failing(result)
    assert all(c.passed for c in result.cases[:-1]) and case.name == cofi_cost.TAPE_CASE
    assert case.message.startswith("the tape's dJ/dX lacks lambda_ * X and dJ/dW lacks lambda_ * W")
    assert "tf.reduce_sum" in case.hint and "not np.sum" in case.hint


def test_a_squared_error_the_tape_cannot_see_fails_the_tape_case():
    def cofi_cost_func_v(X, W, b, Y, R, lambda_):
        error = (np.asarray(X) @ np.asarray(W).T + np.asarray(b) - np.asarray(Y)) * np.asarray(R)
        return 0.5 * np.sum(error**2) + lambda_ / 2 * (tf.reduce_sum(X**2) + tf.reduce_sum(W**2))

    case = failing(registry.evaluate("cofi_cost_v", cofi_cost_func_v))
    assert case.name == cofi_cost.TAPE_CASE
    assert case.message.startswith("no gradient for b: the tape does not see the squared-error")
    assert "not NumPy" in case.hint


def test_the_correct_cost_passes_the_tape_case():
    assert registry.evaluate("cofi_cost_v", solutions.cofi_cost_func_v).passed


def test_y_leaking_in_at_unrated_entries_is_named_not_both_terms():
    def cofi_cost_func_v(X, W, b, Y, R, lambda_):
        error = (tf.linalg.matmul(X, tf.transpose(W)) + b) * R - Y
        return 0.5 * tf.reduce_sum(error**2) + lambda_ / 2 * (tf.reduce_sum(X**2) + tf.reduce_sum(W**2))

    case = failing(registry.evaluate("cofi_cost_v", cofi_cost_func_v))
    assert case.mistake == "Y leaks in at unrated entries" and "both" not in case.hint
    assert "multiply the whole error (X W^T + b - Y) by R" in case.hint


def test_the_visible_cases_hold_ratings_where_r_is_0():
    cases = registry.EXERCISES["cofi_cost"].cases(None)
    assert any(np.any((np.asarray(c.args[4]) == 0) & (np.asarray(c.args[3]) != 0)) for c in cases)


@pytest.mark.parametrize("key, gradient, words", [
    ("grad_X", lambda X, W, b, Y, R, l: ((X @ W.T + b - Y) * R).T @ W + l * X, "it is E that is transposed"),
    ("grad_W", lambda X, W, b, Y, R, l: ((X @ W.T + b - Y) * R) @ X + l * W, "it is E that is transposed"),
    ("grad_W", lambda X, W, b, Y, R, l: ((X @ W.T + b - Y) * R).T @ X + l * X, "is lambda_ * W, not lambda_ * X"),
], ids=["E.T @ W", "E @ X", "lambda_ * X in dJ/dW"])
def test_a_shape_error_from_a_transposed_e_or_lambda_x_is_named_not_blamed_on_x_or_w(key, gradient, words):
    case = failing(registry.evaluate(key, gradient))
    assert case.message.startswith("raised ValueError") and words in case.hint
    assert "is X or W transposed" not in case.hint


def test_a_shape_error_of_another_kind_keeps_the_shape_hint():
    case = failing(registry.evaluate("grad_X", lambda X, W, b, Y, R, l: ((X @ W.T + b - Y) * R) @ W.T + l * X))
    assert "is X or W transposed" in case.hint and not case.mistake


@pytest.mark.parametrize("total", [lambda E: np.sum(E), lambda E: tf.reduce_sum(E)], ids=["np.sum", "tf.reduce_sum"])
def test_db_summed_to_one_number_says_so(total):
    case = failing(registry.evaluate("grad_b", lambda X, W, b, Y, R, l: total((X @ W.T + b - Y) * R)))
    assert case.message.startswith("returns one number") and "np.sum(E, axis=0, keepdims=True)" in case.hint


def looped_cost(squared_rows=None, regularize_per_movie=False, mean=False):
    """A loop cost, changed as a learner's mistake changes it."""
    def cofi_cost_func(X, W, b, Y, R, lambda_):
        num_movies, num_users = Y.shape
        J = 0.0
        for i in range(num_movies if squared_rows is None else squared_rows(num_movies)):
            for j in range(num_users):
                J += R[i, j] * (np.dot(W[j], X[i]) + b[0, j] - Y[i, j]) ** 2 / 2
            if regularize_per_movie:
                J += lambda_ / 2 * (np.sum(W**2) + np.sum(X**2))
        if mean:
            J = J / np.sum(R)
        return J if regularize_per_movie else J + lambda_ / 2 * (np.sum(W**2) + np.sum(X**2))
    return cofi_cost_func


@pytest.mark.parametrize("cost, words", [
    (looped_cost(regularize_per_movie=True),
     "the regularization lambda_/2 (sum W^2 + sum X^2) is not (checked with R all zeros): yours is num_movies times "
     "the expected: is it added inside the loop over movies? add it once, after the loops"),
    (looped_cost(mean=True), "the squared-error term over the rated entries is wrong (checked with lambda_ = 0): "
     "yours is the expected divided by the number of ratings: it is a sum, not a mean; do not divide"),
    (looped_cost(squared_rows=lambda n: n - 1), "yours is the expected without the last movie (does a loop stop at "
     "num_movies - 1?)"),
    (lambda X, W, b, Y, R, lambda_: 27.0, "your cost is 27 whatever the inputs"),
], ids=["regularization-per-movie", "mean-of-ratings", "last-movie-left-out", "constant"])
def test_a_wrong_term_is_compared_with_the_right_one(cost, words):
    case = failing(registry.evaluate("cofi_cost", cost))
    assert words in case.hint, case.hint


def masked_error(X, W, b, Y, R):
    return (X @ W.T + b - Y) * R


@pytest.mark.parametrize("key, gradient, words", [
    ("grad_X", lambda X, W, b, Y, R, l: np.zeros_like(X), "your dJ/dX is the same whatever the inputs"),
    ("grad_X", lambda X, W, b, Y, R, l: 2 * masked_error(X, W, b, Y, R) @ W + l * X,
     "the lambda_ * X term is right (checked with R all zeros); the error term is not (checked with lambda_ = 0): "
     "yours is twice the expected: the cost's 1/2 cancels the 2 from the square"),
    ("grad_W", lambda X, W, b, Y, R, l: masked_error(X, W, b, Y, R).T @ X / np.sum(R) + l * W,
     "yours is the expected divided by the number of ratings"),
    ("grad_W", lambda X, W, b, Y, R, l: masked_error(X, W, b, Y, R).T @ X + 2 * l * W,
     "the error term is right (checked with lambda_ = 0); the lambda_ * W term is not (checked with R all zeros): "
     "yours is twice the expected"),
    ("grad_b", lambda X, W, b, Y, R, l: 2 * np.sum(masked_error(X, W, b, Y, R), axis=0, keepdims=True),
     "dJ/db is not the sum of E over the movies: yours is twice the expected"),
], ids=["constant", "X-error-term-doubled", "W-mean", "W-lambda-term-doubled", "b-doubled"])
def test_a_wrong_gradient_term_is_compared_with_the_right_one(key, gradient, words):
    case = failing(registry.evaluate(key, gradient))
    assert words in case.hint, case.hint


def test_sealed_the_tape_case_and_the_transposed_e_get_the_same_words():
    """The tape's gradients travel as plain data and are judged here; a transposed E is recognised
    by probing the function in the harness."""
    from .sealed.test_sealed import notebook, sealed

    lab3 = sealed(notebook("03_cofi_cost", {"cofi-cost-vectorized": (
        "def cofi_cost_func_v(X, W, b, Y, R, lambda_):\n"
        "    j = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y) * R\n"
        "    return 0.5 * tf.reduce_sum(j ** 2) + (lambda_ / 2) * (np.sum(W ** 2) + np.sum(X ** 2))\n")}))
    passed, text = lab3["test-cofi-cost-vectorized"]
    assert not passed and "the tape's dJ/dX lacks lambda_ * X and dJ/dW lacks lambda_ * W" in text, text
    lab4 = sealed(notebook("04_gradients", {"grad-W": (
        "def grad_W(X, W, b, Y, R, lambda_):\n    E = (X @ W.T + b - Y) * R\n    return E @ X + lambda_ * W\n")}))
    passed, text = lab4["test-grad-W"]
    assert not passed and "it is E that is transposed" in text and "is X or W transposed" not in text, text
