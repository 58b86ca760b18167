"""What is done to loaded ratings: per-movie means, train/test splits, a new user, mean normalization.

``movie_means`` is the one place a movie's mean rating is computed: the movie table, the
normalization, training and the movie-mean baseline all take it from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .cofi import check_nonnegative
from .i18n import _

if TYPE_CHECKING:  # data.py imports this module to fill in its movie table
    from .data import MovieLens


def movie_means(rows: np.ndarray, ratings: np.ndarray, num_movies: int, shrinkage: float = 0.0,
                *, unrated: float | None = None) -> np.ndarray:
    """Each movie's mean rating, from the ratings' movie rows; shape (num_movies,).

    ``shrinkage`` adds that many pseudo-ratings at the overall mean to every movie, pulling the
    mean of a movie with few ratings towards the overall mean (0 gives the plain mean). A movie
    nobody rated gets ``unrated``, the overall mean unless given (the movie table passes NaN:
    no mean); with shrinkage it has pseudo-ratings and gets the overall mean. Nothing is divided
    by zero, so nothing warns.
    """
    rows, ratings = np.asarray(rows), np.asarray(ratings, dtype=float)
    shrinkage = check_nonnegative("shrinkage", shrinkage)
    overall = ratings.mean() if len(ratings) else 0.0
    counts = np.bincount(rows, minlength=num_movies) + shrinkage
    sums = np.bincount(rows, weights=ratings, minlength=num_movies) + shrinkage * overall
    means = np.full(num_movies, overall if unrated is None else unrated, dtype=float)
    np.divide(sums, counts, out=means, where=counts > 0)
    return means


def with_movie_stats(data: MovieLens) -> MovieLens:
    """``data`` with num_ratings and mean_rating per movie recounted from the ratings it holds
    (mean_rating NaN for a movie nobody rated); call it whenever the ratings change."""
    rows, ratings = data.ratings["row"].to_numpy(), data.ratings["rating"].to_numpy()
    movies = data.movies[["movie_id", "title", "year", "genres"]].assign(
        num_ratings=np.bincount(rows, minlength=data.num_movies),
        mean_rating=movie_means(rows, ratings, data.num_movies, unrated=np.nan),
    )
    return replace(data, movies=movies)


def split_ratings(data: MovieLens, test_fraction: float = 0.2, seed: int = 0) -> tuple[MovieLens, MovieLens]:
    """Hold out ``test_fraction`` of each user's ratings, chosen at random with ``seed``.

    Returns (train, test), both with the same movies and users as ``data`` so their Y and R
    line up; ``train.R`` and ``test.R`` are the train and test masks. Every user keeps at
    least one rating in train.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(_("test_fraction must lie strictly between 0 and 1, got {test_fraction}").format(
            test_fraction=test_fraction))
    rng = np.random.default_rng(seed)
    cols = data.ratings["col"].to_numpy()
    order = np.lexsort((rng.random(len(cols)), cols))
    counts = np.bincount(cols, minlength=data.num_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(len(cols), dtype=np.int64)
    rank[order] = np.arange(len(cols)) - starts[cols[order]]
    held_out = np.minimum(np.round(counts * test_fraction), counts - 1).astype(np.int64)
    in_test = rank < held_out[cols]
    train = replace(data, ratings=data.ratings[~in_test].reset_index(drop=True))
    test = replace(data, ratings=data.ratings[in_test].reset_index(drop=True))
    return with_movie_stats(train), with_movie_stats(test)


def add_user(data: MovieLens, ratings: Mapping[int | str, float], user_id: int | None = None) -> tuple[MovieLens, int]:
    """Append a user who rated the given movies; return the new data and the user's column.

    ratings maps a movie id or a title (see ``MovieLens.movie_row``) to a rating on the data
    set's scale. The new user's id is one more than the largest unless ``user_id`` is given.
    """
    if not ratings:
        raise ValueError(_("the new user has rated no movies: give at least one {movie: rating}"))
    low, high = data.rating_scale
    user_id = int(data.user_ids.max()) + 1 if user_id is None else int(user_id)
    if user_id in data.user_ids:
        raise ValueError(_("user id {user_id} is already taken in {source}").format(user_id=user_id, source=data.source))
    rows = {}
    for movie, rating in ratings.items():
        row = data.movie_row(movie)
        if not (isinstance(rating, (int, float, np.number)) and low <= float(rating) <= high):
            raise ValueError(_("rating {rating!r} for {movie!r} is outside the scale {low:g} to {high:g}").format(
                rating=rating, movie=movie, low=low, high=high))
        if row in rows:
            raise ValueError(_("{movie!r} is rated twice: it is the same movie as another entry").format(movie=movie))
        rows[row] = float(rating)
    col = data.num_users
    new = pd.DataFrame({
        "user_id": user_id,
        "movie_id": data.movie_ids[list(rows)],
        "rating": list(rows.values()),
        "timestamp": 0,
        "row": list(rows),
        "col": col,
    })
    extended = replace(
        data,
        ratings=pd.concat([data.ratings, new], ignore_index=True),
        user_ids=np.append(data.user_ids, user_id),
    )
    return with_movie_stats(extended), col


def normalize_ratings(Y: np.ndarray, R: np.ndarray, shrinkage: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Subtract each movie's mean rating over its rated entries.

    Returns (Ynorm, Ymean) with Ymean of shape (num_movies, 1) and Ynorm zero where R is 0.
    A movie nobody rated gets the mean of all ratings, so its prediction falls back to the
    overall average instead of 0. ``shrinkage`` is as in ``movie_means``.
    """
    Y, R = np.asarray(Y, dtype=float), np.asarray(R, dtype=float)
    if Y.shape != R.shape or Y.ndim != 2:
        raise ValueError(_("Y and R must be (num_movies, num_users) arrays of one shape, got {shape_Y} and {shape_R}")
                         .format(shape_Y=Y.shape, shape_R=R.shape))
    rows, cols = np.nonzero(R)
    Ymean = movie_means(rows, Y[rows, cols], Y.shape[0], shrinkage)[:, None]
    Ynorm = (Y - Ymean) * R
    return Ynorm, Ymean
