"""A worked example small enough to follow by hand: a corner of MovieLens with fixed parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import MovieLens, load_movielens
from .i18n import _


@dataclass(frozen=True)
class CofiExample:
    """X (num_movies, num_features), W (num_users, num_features), b (1, num_users), Y and R
    (num_movies, num_users), and the titles of the movies in Y's rows."""

    X: np.ndarray
    W: np.ndarray
    b: np.ndarray
    Y: np.ndarray
    R: np.ndarray
    titles: list[str]

    def ratings_table(self) -> pd.DataFrame:
        """Y as a table with titles, "-" where a user has not rated a movie. The column headers
        ("user 0", ...) are for reading only and are shown in the learner's language."""
        shown = np.where(self.R == 1, self.Y.astype(int).astype(str), "-")
        columns = [_("user {number}").format(number=j) for j in range(self.Y.shape[1])]
        return pd.DataFrame(shown, index=self.titles, columns=columns)


def tiny_example(num_movies: int = 5, num_users: int = 4, num_features: int = 3, seed: int = 0,
                 data: MovieLens | None = None) -> CofiExample:
    """The ``num_movies`` most-rated movies and the first ``num_users`` users of MovieLens 100K,
    with X, W and b drawn from N(0, 1) with ``seed`` (rounded to one decimal so the arithmetic
    stays readable). Where R is 0, Y holds a whole number of stars drawn with the same seed: it
    is not a rating, and a cost that forgets R counts it, so the example shows that mistake (a
    Y of 0 there would hide it)."""
    data = data if data is not None else load_movielens()
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(num_movies, num_features)), 1)
    W = np.round(rng.normal(size=(num_users, num_features)), 1)
    b = np.round(rng.normal(size=(1, num_users)), 1)
    rows = np.argsort(-data.movies["num_ratings"].to_numpy(), kind="stable")[:num_movies]
    Y, R = data.Y[rows, :num_users], data.R[rows, :num_users]
    Y = np.where(R == 1, Y, rng.integers(1, 6, size=Y.shape)).astype(Y.dtype)
    return CofiExample(X, W, b, Y, R, data.movies["title"].iloc[rows].tolist())
