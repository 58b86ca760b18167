"""The worked example of Labs 3 and 4 can show the mistakes the labs warn about."""

import numpy as np

from lab_utils import cofi
from lab_utils.examples import tiny_example


def test_the_worked_example_tells_a_cost_that_lets_y_leak_in_from_the_right_one():
    example = tiny_example()
    X, W, b, Y, R = example.X, example.W, example.b, example.Y, example.R
    assert np.any(R == 0) and np.all(Y[R == 0] != 0), "unrated entries must hold numbers for the mask to matter"
    right = cofi.cofi_cost_func_np(X, W, b, Y, R, 1.5)
    leaking = 0.5 * np.sum(((X @ W.T + b) * R - Y) ** 2) + 0.75 * (np.sum(W**2) + np.sum(X**2))
    assert abs(leaking - right) > 1
    assert set(example.ratings_table().to_numpy()[R == 0]) == {"-"}


def test_the_rated_entries_are_movielens_ratings():
    example = tiny_example()
    rated = example.R == 1
    assert set(np.unique(example.Y[rated])) <= {1, 2, 3, 4, 5}
    assert example.Y.shape == example.R.shape == (5, 4)
