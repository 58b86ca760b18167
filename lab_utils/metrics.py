"""Held-out error of a model and of the simple baselines it has to beat."""

from __future__ import annotations

import numpy as np

from .data import MovieLens
from .i18n import _
from .ratings import movie_means


class GlobalMean:
    """Predicts the mean of all training ratings for every movie and user."""

    def __init__(self, train: MovieLens):
        self.mean = float(train.ratings["rating"].mean())

    def predict_pairs(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.full(len(rows), self.mean)


class MovieMean:
    """Predicts each movie's mean training rating, or the global mean for a movie with none."""

    def __init__(self, train: MovieLens):
        table = train.ratings
        self.means = movie_means(table["row"].to_numpy(), table["rating"].to_numpy(), train.num_movies)

    def predict_pairs(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.means[rows]


def rmse(predictor, data: MovieLens) -> float:
    """Root-mean-square error over the ratings in ``data`` (typically the test split).

    predictor: a (num_movies, num_users) array of predictions, or anything with a
    ``predict_pairs(rows, cols)`` method such as a trained model or a baseline.
    """
    rows, cols = data.ratings["row"].to_numpy(), data.ratings["col"].to_numpy()
    if len(rows) == 0:
        raise ValueError(_("no ratings to score in {source}").format(source=data.source))
    if hasattr(predictor, "predict_pairs"):
        predicted = predictor.predict_pairs(rows, cols)
    else:
        predictions = np.asarray(predictor)
        if predictions.shape != (data.num_movies, data.num_users):
            raise ValueError(
                _("predictions have shape {shape}, expected (num_movies, num_users) = "
                  "({num_movies}, {num_users})").format(
                    shape=predictions.shape, num_movies=data.num_movies, num_users=data.num_users)
            )
        predicted = predictions[rows, cols]
    return float(np.sqrt(np.mean((predicted - data.ratings["rating"].to_numpy()) ** 2)))
