"""lab_utils.training: the lecture's GradientTape + Adam loop, and recommending from what it learns."""

import numpy as np
import pytest

from lab_utils import (
    MovieMean, add_user, cofi_cost_func_np, load_movielens, normalize_ratings, recommend, rmse, split_ratings, train,
)


@pytest.fixture(scope="module")
def split():
    return split_ratings(load_movielens(), test_fraction=0.2, seed=0)


@pytest.fixture(scope="module")
def model(split):
    train_set, _ = split
    return train(train_set.Y, train_set.R, verbose=False)


def test_training_lowers_the_cost_it_reports(split, model):
    train_set, _ = split
    assert len(model.history) == model.settings["iterations"]
    assert model.history[-1] < 0.7 * model.history[0]
    assert model.history[-1] == pytest.approx(min(model.history), rel=1e-6)  # converged, Adam jitter aside
    Ynorm, _ = normalize_ratings(train_set.Y, train_set.R)
    # history[k] is the cost before step k; the returned parameters are those after the last step.
    final = cofi_cost_func_np(model.X, model.W, model.b, Ynorm, train_set.R, model.settings["lambda_"])
    assert final == pytest.approx(model.history[-1], rel=1e-5)


def test_trained_model_beats_the_movie_mean_baseline_on_held_out_ratings(split, model):
    train_set, test_set = split
    assert rmse(model, test_set) < rmse(MovieMean(train_set), test_set) - 0.05


def test_same_seed_gives_the_same_model():
    rng = np.random.default_rng(0)
    R = (rng.random((12, 9)) < 0.6).astype(float)
    Y = rng.integers(1, 6, (12, 9)) * R
    first, second = (train(Y, R, num_features=3, iterations=20, seed=7, verbose=False) for _ in range(2))
    np.testing.assert_allclose(first.X, second.X, rtol=1e-12)
    assert first.history == pytest.approx(second.history, rel=1e-12)
    other = train(Y, R, num_features=3, iterations=20, seed=8, verbose=False)
    assert not np.allclose(first.X, other.X)


def test_training_can_start_from_given_values():
    rng = np.random.default_rng(0)
    R = (rng.random((12, 9)) < 0.6).astype(float)
    Y = rng.integers(1, 6, (12, 9)) * R
    start = (rng.normal(size=(12, 2)), rng.normal(size=(9, 2)), np.zeros((1, 9)))
    model = train(Y, R, initial=start, normalize=False, iterations=5, verbose=False)
    assert model.history[0] == pytest.approx(cofi_cost_func_np(*start, Y, R, model.settings["lambda_"]))
    assert model.X.shape == (12, 2)


def test_verbose_training_prints_progress(capsys):
    R = np.ones((4, 3))
    train(R * 3, R, num_features=2, iterations=20, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11 and lines[0].startswith("iteration     0/20: cost") and "19/20" in lines[-1]


def test_training_refuses_bad_inputs():
    with pytest.raises(ValueError, match=r"R must hold only 0 and 1"):
        train(np.ones((4, 3)), np.full((4, 3), 2.0), iterations=1, verbose=False)
    with pytest.raises(ValueError, match=r"R has shape \(3, 4\), expected \(num_movies, num_users\) = \(4, 3\)"):
        train(np.ones((4, 3)), np.ones((3, 4)), iterations=1, verbose=False)


def test_model_predictions_agree_in_every_form(model, split):
    _, test_set = split
    full = model.predict()
    rows, cols = test_set.ratings["row"].to_numpy(), test_set.ratings["col"].to_numpy()
    np.testing.assert_allclose(model.predict_pairs(rows, cols), full[rows, cols])
    np.testing.assert_allclose(model.predict_user(5), full[:, 5])
    assert rmse(full, test_set) == pytest.approx(rmse(model, test_set))


def test_recommendations_for_a_new_user_skip_what_they_rated():
    data, user = add_user(load_movielens(), {"Star Wars": 5, "Empire Strikes Back, The": 5, "Return of the Jedi": 5,
                                             "Sleepless in Seattle": 1, "While You Were Sleeping": 1})
    model = train(data.Y, data.R, iterations=100, verbose=False)
    table = recommend(model, data, user, n=10, min_ratings=20)
    assert len(table) == 10
    assert list(table.columns) == ["movie_id", "title", "year", "genres", "num_ratings", "mean_rating", "predicted"]
    assert not set(table["title"]) & {"Star Wars", "Sleepless in Seattle"}
    assert (table["num_ratings"] >= 20).all() and table["predicted"].is_monotonic_decreasing
    np.testing.assert_allclose(table["predicted"], model.predict_user(user)[[data.movie_row(m) for m in table["movie_id"]]])
    with pytest.raises(IndexError, match=r"user column 944 is outside the 944 users"):
        recommend(model, data, 944)
