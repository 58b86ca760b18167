"""Synthetic ratings with the shape of MovieLens 25M, for trying lab_utils at scale.

MovieLens 25M has about 25 million ratings by 162,000 users of 59,000 movies, on a scale of
0.5 to 5 stars in half stars, with a few movies rated by tens of thousands and most by a
handful. ``synthetic_movielens`` draws ratings with that shape: movie popularity falls off as
a power law, user activity is log-normal, and a
rating is a low-rank score (movie and user offsets plus x(i).w(j)) with noise, rounded to the
half-star scale. No (user, movie) pair is rated twice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import MovieLens
from .i18n import _
from .ratings import with_movie_stats

ML25M_SHAPE = {"num_ratings": 25_000_095, "num_users": 162_541, "num_movies": 59_047}


def synthetic_movielens(num_ratings: int = ML25M_SHAPE["num_ratings"], num_users: int = ML25M_SHAPE["num_users"],
                        num_movies: int = ML25M_SHAPE["num_movies"], rank: int = 8, noise: float = 0.8,
                        seed: int = 0) -> MovieLens:
    """A MovieLens object of ``num_ratings`` distinct synthetic ratings (see the module's docstring)."""
    if num_ratings > num_users * num_movies:
        raise ValueError(_("{num_ratings:,} ratings do not fit in {num_users:,} users x {num_movies:,} movies").format(
            num_ratings=num_ratings, num_users=num_users, num_movies=num_movies))
    rng = np.random.default_rng(seed)
    popularity = 1.0 / (np.arange(num_movies) + 20.0) ** 1.1
    popularity /= popularity.sum()
    activity = rng.lognormal(0.0, 1.1, num_users)
    activity /= activity.sum()

    pairs = np.empty(0, dtype=np.int64)
    while len(pairs) < num_ratings:
        missing = num_ratings - len(pairs)
        # Draw a few more than missing, the duplicates are dropped below.
        extra = int(missing * 1.05) + 1000
        cols = rng.choice(num_users, size=extra, p=activity)
        rows = rng.choice(num_movies, size=extra, p=popularity)
        pairs = np.unique(np.concatenate([pairs, rows.astype(np.int64) * num_users + cols]))
        if len(pairs) > num_ratings:
            pairs = rng.choice(pairs, size=num_ratings, replace=False)
    rows, cols = np.divmod(np.sort(pairs), num_users)

    X = rng.normal(0, 1 / np.sqrt(rank), (num_movies, rank)).astype(np.float32)
    W = rng.normal(0, 1 / np.sqrt(rank), (num_users, rank)).astype(np.float32)
    movie_offset = rng.normal(0, 0.45, num_movies).astype(np.float32)
    user_offset = rng.normal(0, 0.35, num_users).astype(np.float32)
    ratings = np.empty(num_ratings, dtype=np.float32)
    for start in range(0, num_ratings, 1 << 22):  # in blocks: the gathered features stay small
        r, c = rows[start:start + (1 << 22)], cols[start:start + (1 << 22)]
        score = 3.5 + movie_offset[r] + user_offset[c] + np.einsum("nk,nk->n", X[r], W[c])
        ratings[start:start + len(r)] = score + rng.normal(0, noise, len(r))
    ratings = np.clip(np.round(ratings * 2) / 2, 0.5, 5.0)

    table = pd.DataFrame({"user_id": cols + 1, "movie_id": rows + 1, "rating": ratings.astype(np.float64),
                          "timestamp": np.zeros(num_ratings, dtype=np.int64), "row": rows, "col": cols})
    movies = pd.DataFrame({"movie_id": np.arange(1, num_movies + 1),
                           "title": [f"Synthetic movie {i}" for i in range(1, num_movies + 1)],
                           "year": pd.array([pd.NA] * num_movies, dtype="Int64"), "genres": ""})
    data = MovieLens(table, movies, np.arange(1, num_users + 1), (0.5, 5.0),
                     f"synthetic MovieLens-shaped ratings ({num_ratings:,}, seed {seed})")
    return with_movie_stats(data)
