"""lab_utils.metrics: held-out RMSE and the baselines, on cases small enough to check by hand."""

import numpy as np
import pytest

from lab_utils import GlobalMean, MovieMean, load_movielens, rmse, split_ratings


MOVIES = "movie_id,title,year,genres\n1,A,1990,\n2,B,1991,\n3,C,1992,\n"
RATINGS = "user_id,movie_id,rating,timestamp\n1,1,5,0\n1,2,1,0\n2,1,3,0\n"


def folder(path, extra_ratings=""):
    path.mkdir()
    (path / "movies.csv").write_text(MOVIES)
    (path / "ratings.csv").write_text(RATINGS + extra_ratings)
    return load_movielens(path)


@pytest.fixture
def tiny(tmp_path):
    return folder(tmp_path / "all", "2,3,2,0\n")


def test_baselines_by_hand(tiny, tmp_path):
    # Train on every rating but the one of movie 3: global mean (5 + 1 + 3) / 3 = 3; movie means 4, 1, none.
    train_set = folder(tmp_path / "train")
    assert train_set.Y.shape == tiny.Y.shape
    assert GlobalMean(train_set).mean == 3.0
    np.testing.assert_array_equal(MovieMean(train_set).means, [4.0, 1.0, 3.0])
    # On all four ratings the movie-mean errors are 1, 0, -1 and 1 (movie 3 falls back to 3): RMSE sqrt(3/4).
    assert rmse(MovieMean(train_set), tiny) == pytest.approx(np.sqrt(3 / 4))


def test_rmse_of_a_prediction_matrix(tiny):
    predictions = np.full((3, 2), 3.0)
    assert rmse(predictions, tiny) == pytest.approx(np.sqrt((4 + 4 + 0 + 1) / 4))
    with pytest.raises(ValueError, match=r"predictions have shape \(2, 3\), expected \(num_movies, num_users\) = \(3, 2\)"):
        rmse(predictions.T, tiny)


def test_movie_means_are_the_movie_tables_with_the_global_mean_for_unrated_movies():
    train_set, _ = split_ratings(load_movielens(), 0.2, seed=0)
    unrated = train_set.movies["num_ratings"].to_numpy() == 0
    assert unrated.any()  # else the fallback is not exercised
    expected = train_set.movies["mean_rating"].fillna(GlobalMean(train_set).mean).to_numpy()
    np.testing.assert_array_equal(MovieMean(train_set).means, expected)


def test_movie_mean_beats_global_mean_on_movielens():
    train_set, test_set = split_ratings(load_movielens(), 0.2, seed=0)
    assert rmse(MovieMean(train_set), test_set) < rmse(GlobalMean(train_set), test_set)
