"""Train the collaborative-filtering model with the lecture's loop, and use what it learned.

The loop is the one the course teaches: compute the cost under ``tf.GradientTape``, take
``tape.gradient(J, [X, W, b])`` and hand it to ``keras.optimizers.Adam`` through
``apply_gradients(zip(grads, [X, W, b]))``. Only the step is wrapped in ``tf.function``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from .autodiff import adam_step
from .cofi import check_cofi_inputs, cofi_cost_func_v
from .data import MovieLens, normalize_ratings

DEFAULTS = {"num_features": 50, "lambda_": 20.0, "learning_rate": 0.05, "iterations": 300, "init_scale": 0.1}
"""Hyper-parameters ``train`` uses unless told otherwise."""


@dataclass
class CofiModel:
    """What ``train`` learned: X (num_movies, num_features), W (num_users, num_features),
    b (1, num_users), the per-movie means Ymean (num_movies, 1) added back to predictions,
    and the cost after each iteration."""

    X: np.ndarray
    W: np.ndarray
    b: np.ndarray
    Ymean: np.ndarray
    history: list[float] = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    def predict(self) -> np.ndarray:
        """Predicted ratings for every movie and user, shape (num_movies, num_users)."""
        return self.X @ self.W.T + self.b + self.Ymean

    def predict_user(self, user: int) -> np.ndarray:
        """Predicted ratings of every movie for the user in column ``user``, shape (num_movies,)."""
        return self.X @ self.W[user] + self.b[0, user] + self.Ymean[:, 0]

    def predict_pairs(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Predicted ratings for the (movie row, user column) pairs given."""
        return np.einsum("nf,nf->n", self.X[rows], self.W[cols]) + self.b[0, cols] + self.Ymean[rows, 0]


def train(
    Y,
    R,
    *,
    num_features: int = DEFAULTS["num_features"],
    lambda_: float = DEFAULTS["lambda_"],
    learning_rate: float = DEFAULTS["learning_rate"],
    iterations: int = DEFAULTS["iterations"],
    init_scale: float = DEFAULTS["init_scale"],
    normalize: bool = True,
    seed: int = 1234,
    initial: tuple | None = None,
    verbose: bool = True,
) -> CofiModel:
    """Learn X, W and b from ratings Y and mask R, both (num_movies, num_users).

    With ``normalize`` the movie means are subtracted first (mean normalization) and added
    back by the model's predictions. Initial values are drawn from N(0, init_scale^2) with
    ``seed``, so the same call gives the same model; ``initial=(X, W, b)`` starts from the
    values given instead. ``verbose`` prints the cost ten times.
    """
    Y, R = np.asarray(Y, dtype=np.float64), np.asarray(R, dtype=np.float64)
    num_movies, num_users = Y.shape if Y.ndim == 2 else (0, 0)
    if initial is None:
        rng = np.random.default_rng(seed)
        initial = (rng.normal(0, init_scale, (num_movies, num_features)),
                   rng.normal(0, init_scale, (num_users, num_features)), rng.normal(0, init_scale, (1, num_users)))
    X, W, b = (tf.Variable(np.array(value, dtype=np.float64), name=name) for value, name in zip(initial, "XWb"))
    check_cofi_inputs(X, W, b, Y, R, lambda_)
    if normalize:
        Ynorm, Ymean = normalize_ratings(Y, R)
    else:
        Ynorm, Ymean = Y, np.zeros((num_movies, 1))
    Ynorm, R_t = tf.constant(Ynorm), tf.constant(R)
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)

    @tf.function
    def step():
        return adam_step(lambda: cofi_cost_func_v(X, W, b, Ynorm, R_t, lambda_), [X, W, b], optimizer)

    history = []
    start = time.perf_counter()
    report_every = max(1, iterations // 10)
    for it in range(iterations):
        history.append(float(step()))
        if verbose and (it % report_every == 0 or it == iterations - 1):
            print(f"iteration {it:>5}/{iterations}: cost {history[-1]:,.1f}  ({time.perf_counter() - start:.1f} s)")
    settings = dict(num_features=X.shape[1], lambda_=lambda_, learning_rate=learning_rate,
                    iterations=iterations, init_scale=init_scale, normalize=normalize, seed=seed)
    return CofiModel(X.numpy(), W.numpy(), b.numpy(), Ymean, history, settings)


def recommend(model: CofiModel, data: MovieLens, user: int, n: int = 10, min_ratings: int = 0) -> pd.DataFrame:
    """The n movies with the highest predicted rating for the user in column ``user``.

    Movies the user rated are skipped, and so are movies with fewer than ``min_ratings``
    ratings in ``data``. Returns title, year, genres, the predicted rating, and the number and
    mean of the movie's ratings, best first.
    """
    if not 0 <= user < data.num_users:
        raise IndexError(f"user column {user} is outside the {data.num_users} users")
    predicted = model.predict_user(user)
    candidates = np.ones(data.num_movies, dtype=bool)
    candidates[data.ratings.loc[data.ratings["col"] == user, "row"].to_numpy()] = False
    candidates &= data.movies["num_ratings"].to_numpy() >= min_ratings
    rows = np.flatnonzero(candidates)
    best = rows[np.argsort(-predicted[rows], kind="stable")[:n]]
    table = data.movies.iloc[best][["movie_id", "title", "year", "genres", "num_ratings", "mean_rating"]]
    return table.assign(predicted=predicted[best]).reset_index(drop=True)
