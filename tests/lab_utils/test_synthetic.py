"""lab_utils.synthetic: MovieLens-25M-shaped ratings that train takes through its sparse path."""

import numpy as np
import pytest

from lab_utils import rmse, split_ratings, train
from lab_utils import training
from lab_utils.synthetic import synthetic_movielens


@pytest.fixture(scope="module")
def data():
    return synthetic_movielens(60_000, num_users=2_000, num_movies=1_500, seed=3)


def test_ratings_have_the_requested_count_distinct_pairs_and_half_star_scale(data):
    table = data.ratings
    assert data.num_ratings == 60_000 and (data.num_movies, data.num_users) == (1_500, 2_000)
    assert not table.duplicated(["row", "col"]).any()
    assert set(np.unique(table["rating"])) <= set(np.arange(1, 11) / 2) and data.rating_scale == (0.5, 5.0)
    assert (table["movie_id"] == data.movie_ids[table["row"]]).all()
    assert (table["user_id"] == data.user_ids[table["col"]]).all()


def test_popularity_is_skewed_like_movielens(data):
    counts = np.sort(data.movies["num_ratings"].to_numpy())[::-1]
    assert counts[0] > 20 * np.median(counts)


def test_same_seed_same_ratings():
    first, second = (synthetic_movielens(5_000, num_users=300, num_movies=200, seed=1) for _ in range(2))
    assert first.ratings.equals(second.ratings)
    assert not first.ratings.equals(synthetic_movielens(5_000, num_users=300, num_movies=200, seed=2).ratings)


def test_sparse_training_learns_the_low_rank_structure(data, monkeypatch):
    fit, held_out = split_ratings(data, 0.2, seed=0)
    monkeypatch.setattr(training, "DENSE_LIMIT_ENTRIES", 0)
    model = train(fit, verbose=False)
    assert model.settings["path"] == "sparse"
    spread = float(held_out.ratings["rating"].std())
    assert rmse(model, held_out) < 0.9 * spread


def test_impossible_requests_are_refused():
    with pytest.raises(ValueError, match=r"1,000 ratings do not fit in 10 users x 10 movies"):
        synthetic_movielens(1_000, num_users=10, num_movies=10)
