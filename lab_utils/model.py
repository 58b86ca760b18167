"""The trained model (``CofiModel``): its predictions in every form, and recommendations from them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .cofi import prediction
from .data import MovieLens
from .i18n import _
from .sparse import pair_predictions


@dataclass
class CofiModel:
    """What ``train`` learned: X (num_movies, num_features), W (num_users, num_features),
    b (1, num_users), the per-movie means Ymean (num_movies, 1) added back to predictions,
    and the cost before each iteration. Predictions are clipped to ``rating_scale``."""

    X: np.ndarray
    W: np.ndarray
    b: np.ndarray
    Ymean: np.ndarray
    history: list[float] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    rating_scale: tuple[float, float] = (-np.inf, np.inf)

    def _clip(self, values: np.ndarray, clip: bool) -> np.ndarray:
        return np.clip(values, *self.rating_scale) if clip else values

    def predict(self, clip: bool = True) -> np.ndarray:
        """Predicted ratings for every movie and user, shape (num_movies, num_users)."""
        return self._clip(prediction(self.X, self.W, self.b) + self.Ymean, clip)

    def predict_user(self, user: int, clip: bool = True) -> np.ndarray:
        """Predicted ratings of every movie for the user in column ``user``, shape (num_movies,)."""
        return self._clip(prediction(self.X, self.W[[user]], self.b[:, [user]])[:, 0] + self.Ymean[:, 0], clip)

    def predict_pairs(self, rows: np.ndarray, cols: np.ndarray, clip: bool = True) -> np.ndarray:
        """Predicted ratings for the (movie row, user column) pairs given."""
        rows, cols = np.asarray(rows), np.asarray(cols)
        return self._clip(pair_predictions(self.X, self.W, self.b, rows, cols) + self.Ymean[rows, 0], clip)


def recommend(model: CofiModel, data: MovieLens, user: int, n: int = 10, min_ratings: int = 0) -> pd.DataFrame:
    """The n movies with the highest predicted rating for the user in column ``user``.

    Movies the user rated are skipped, and so are movies with fewer than ``min_ratings``
    ratings in ``data``. Returns title, year, genres, the predicted rating, and the number and
    mean of the movie's ratings, best first.
    """
    if not 0 <= user < data.num_users:
        raise IndexError(_("user column {user} is outside the {num_users} users").format(
            user=user, num_users=data.num_users))
    scores = model.predict_user(user, clip=False)  # ranked unclipped: several may pass the top of the scale
    candidates = np.ones(data.num_movies, dtype=bool)
    candidates[data.ratings.loc[data.ratings["col"] == user, "row"].to_numpy()] = False
    candidates &= data.movies["num_ratings"].to_numpy() >= min_ratings
    rows = np.flatnonzero(candidates)
    best = rows[np.argsort(-scores[rows], kind="stable")[:n]]
    table = data.movies.iloc[best][["movie_id", "title", "year", "genres", "num_ratings", "mean_rating"]]
    return table.assign(predicted=np.clip(scores[best], *model.rating_scale)).reset_index(drop=True)
