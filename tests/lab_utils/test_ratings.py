"""lab_utils.ratings: per-movie means, splits, a new user and mean normalization, by hand and on MovieLens."""

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from lab_utils import add_user, load_movielens, movie_means, normalize_ratings, split_ratings
from lab_utils.ratings import with_movie_stats


def test_split_holds_out_a_fraction_of_each_user(movielens):
    train, test = split_ratings(movielens, test_fraction=0.2, seed=0)
    assert train.num_ratings + test.num_ratings == movielens.num_ratings
    assert np.all(train.R + test.R == movielens.R)
    per_user_test = test.R.sum(axis=0) / movielens.R.sum(axis=0)
    assert np.all(np.abs(per_user_test - 0.2) <= 0.5 / movielens.R.sum(axis=0) + 1e-12)
    assert train.R.sum(axis=0).min() >= 1
    again, _ = split_ratings(movielens, test_fraction=0.2, seed=0)
    other, _ = split_ratings(movielens, test_fraction=0.2, seed=1)
    assert np.array_equal(again.R, train.R) and not np.array_equal(other.R, train.R)


def test_split_keeps_one_training_rating_per_user(tiny_folder):
    train, test = split_ratings(load_movielens(tiny_folder), test_fraction=0.9, seed=0)
    assert train.R.sum(axis=0).tolist() == [1, 1, 1] and test.num_ratings == 1


def test_split_rejects_fraction_outside_zero_one(movielens):
    with pytest.raises(ValueError, match=r"test_fraction must lie strictly between 0 and 1, got 1.5"):
        split_ratings(movielens, test_fraction=1.5)


def test_add_user_by_id_and_title(movielens):
    data, col = add_user(movielens, {"Toy Story (1995)": 5, 50: 4.0, "twelve monkeys": 1})
    assert col == 943 and data.num_users == 944 and data.user_ids[col] == 944
    assert data.Y[[0, data.movie_row(50), data.movie_row(7)], col].tolist() == [5.0, 4.0, 1.0]
    assert data.R[:, col].sum() == 3 and movielens.num_users == 943
    assert data.movies["num_ratings"].iloc[0] == 453


def test_add_user_with_a_given_id_refuses_one_taken(movielens):
    data, col = add_user(movielens, {"Toy Story": 4}, user_id=5000)
    assert data.user_ids[col] == 5000 and data.user_col(5000) == col
    with pytest.raises(ValueError, match=r"user id 196 is already taken in .*movielens"):
        add_user(movielens, {"Toy Story": 4}, user_id=196)


@pytest.mark.parametrize(
    "ratings, error, message",
    [
        ({"Toy Story": 6}, ValueError, r"rating 6 for 'Toy Story' is outside the scale 1 to 5"),
        ({"Chasing Amy": 4}, KeyError, r"'Chasing Amy' matches several movies, ids 246 \(1997\), 268 \(1997\)"),
        ({"Toy Stroy": 4}, KeyError, r"no movie titled 'Toy Stroy' .* did you mean 'Toy Story'"),
        ({99999: 4}, KeyError, r"no movie with id 99999"),
        ({1: 4, "Toy Story": 5}, ValueError, r"'Toy Story' is rated twice"),
        ({}, ValueError, r"has rated no movies"),
    ],
)
def test_add_user_rejects_bad_ratings(movielens, ratings, error, message):
    with pytest.raises(error, match=message):
        add_user(movielens, ratings)


def test_normalize_ratings_is_nan_and_warning_free_with_unrated_movie():
    Y = np.array([[5.0, 3.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 2.0]])
    R = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Ynorm, Ymean = normalize_ratings(Y, R)
    np.testing.assert_allclose(Ymean, [[4.0], [11 / 4], [1.5]])
    np.testing.assert_allclose(Ynorm, [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0], [-0.5, 0.0, 0.5]])


def test_shrunk_means_count_pseudo_ratings_at_the_overall_mean():
    Y = np.array([[5.0, 3.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 2.0]])
    R = (Y > 0).astype(float)
    overall = 11 / 4
    _, Ymean = normalize_ratings(Y, R, shrinkage=2.0)
    np.testing.assert_allclose(Ymean[:, 0], [(8 + 2 * overall) / 4, overall, (3 + 2 * overall) / 4])
    np.testing.assert_allclose(movie_means([0, 0, 2, 2], [5, 3, 1, 2], 3, 2.0), Ymean[:, 0])
    with pytest.raises(ValueError, match="shrinkage must be a finite number >= 0"):
        movie_means([0], [5], 1, -1)


def test_normalized_movielens_rows_average_zero(movielens):
    Ynorm, Ymean = normalize_ratings(movielens.Y, movielens.R)
    assert Ymean.shape == (1_682, 1) and not np.isnan(Ynorm).any()
    np.testing.assert_allclose((Ynorm * movielens.R).sum(axis=1), 0, atol=1e-9)


@pytest.mark.parametrize("shrinkage, unrated, expected", [
    (0.0, None, [4.0, 11 / 4, 1.5]),
    (0.0, np.nan, [4.0, np.nan, 1.5]),
    # With pseudo-ratings a movie nobody rated has a mean, the overall one, whatever unrated says.
    (2.0, np.nan, [(8 + 2 * 11 / 4) / 4, 11 / 4, (3 + 2 * 11 / 4) / 4]),
])
def test_movie_means_of_a_movie_nobody_rated(shrinkage, unrated, expected):
    # Movie 0 rated 5 and 3, movie 1 never, movie 2 rated 1 and 2: overall mean 11/4.
    means = movie_means([0, 0, 2, 2], [5.0, 3.0, 1.0, 2.0], 3, shrinkage, unrated=unrated)
    np.testing.assert_allclose(means, expected)


def test_movie_stats_are_recounted_from_the_ratings_held(tiny_folder):
    data = load_movielens(tiny_folder)
    fewer = with_movie_stats(replace(data, ratings=data.ratings.iloc[:2]))  # user 10's: movie 1 at 5, movie 2 at 3
    assert fewer.movies["num_ratings"].tolist() == [1, 1, 0]
    np.testing.assert_array_equal(fewer.movies["mean_rating"], [5.0, 3.0, np.nan])
    assert list(fewer.movies.columns) == ["movie_id", "title", "year", "genres", "num_ratings", "mean_rating"]
    pd.testing.assert_frame_equal(with_movie_stats(data).movies, data.movies)
