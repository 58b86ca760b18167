"""lab_utils.training: the lecture's GradientTape + Adam loop, and recommending from what it learns."""

import numpy as np
import pytest

from lab_utils import (
    MovieMean, ShapeError, add_user, cofi_cost_func_np, load_movielens, normalize_ratings, recommend, rmse,
    split_ratings, train,
)
from lab_utils import training


@pytest.fixture(scope="module")
def split():
    return split_ratings(load_movielens(), test_fraction=0.2, seed=0)


@pytest.fixture(scope="module")
def model(split):
    train_set, _ = split
    return train(train_set, verbose=False)


def test_training_lowers_the_cost_it_reports(split, model):
    train_set, _ = split
    assert len(model.history) == model.settings["iterations"] and model.settings["path"] == "dense"
    assert model.history[-1] < 0.8 * model.history[0]
    assert model.history[-1] == pytest.approx(min(model.history), rel=1e-3)  # nearly converged
    Ynorm, _ = normalize_ratings(train_set.Y, train_set.R, shrinkage=model.settings["mean_shrinkage"])
    # history[k] is the cost before step k; the returned parameters are those after the last step.
    final = cofi_cost_func_np(model.X, model.W, model.b, Ynorm, train_set.R, model.settings["lambda_"])
    assert final == pytest.approx(model.history[-1], rel=1e-3)
    assert final <= model.history[-1] * (1 + 1e-6)


def test_trained_model_beats_the_movie_mean_baseline_on_held_out_ratings(split, model):
    train_set, test_set = split
    assert rmse(model, test_set) < rmse(MovieMean(train_set), test_set) - 0.05


def test_same_seed_gives_the_same_model():
    rng = np.random.default_rng(0)
    R = (rng.random((12, 9)) < 0.6).astype(float)
    Y = rng.integers(1, 6, (12, 9)) * R
    first, second = (train(Y, R, num_features=3, iterations=20, seed=7, verbose=False) for _ in range(2))
    # The second call reuses the first one's traced loop: its variables and Adam state start afresh.
    np.testing.assert_allclose(first.X, second.X, rtol=1e-12)
    assert first.history == pytest.approx(second.history, rel=1e-12)
    other = train(Y, R, num_features=3, iterations=20, seed=8, verbose=False)
    assert not np.allclose(first.X, other.X)


def small_problem(seed=0, shape=(40, 30), density=0.3):
    rng = np.random.default_rng(seed)
    R = (rng.random(shape) < density).astype(float)
    Y = np.round(rng.uniform(1, 5, shape) * 2) / 2 * R
    return Y, R


def test_sparse_path_trains_the_same_model_as_the_dense_one(monkeypatch):
    Y, R = small_problem()
    dense = train(Y, R, path="dense", verbose=False)
    monkeypatch.setattr(training, "SPARSE_CHUNK", 37)  # many chunks, the last one partial
    sparse = train(Y, R, path="sparse", verbose=False)
    assert (dense.settings["path"], sparse.settings["path"]) == ("dense", "sparse")
    np.testing.assert_allclose(sparse.history, dense.history, rtol=1e-4)
    np.testing.assert_allclose(sparse.predict(), dense.predict(), atol=1e-3)


def test_sparse_path_is_chosen_when_a_dense_Y_would_be_too_big(monkeypatch):
    Y, R = small_problem()
    monkeypatch.setattr(training, "DENSE_LIMIT_ENTRIES", Y.size - 1)
    assert train(Y, R, iterations=2, verbose=False).settings["path"] == "sparse"
    monkeypatch.setattr(training, "DENSE_LIMIT_ENTRIES", Y.size)
    assert train(Y, R, iterations=2, verbose=False).settings["path"] == "dense"


def test_movielens_data_and_its_Y_and_R_train_the_same_model(split):
    train_set, _ = split
    from_data = train(train_set, iterations=10, verbose=False)
    from_arrays = train(train_set.Y, train_set.R, iterations=10, verbose=False)
    np.testing.assert_allclose(from_data.history, from_arrays.history, rtol=1e-6)
    np.testing.assert_allclose(from_data.predict(clip=False), from_arrays.predict(), atol=1e-5)
    assert from_data.predict().min() >= 1 and from_data.predict().max() <= 5  # clipped to the data's scale


def test_new_settings_reuse_the_traced_loop():
    Y, R = small_problem(1)
    train(Y, R, iterations=3, verbose=False)
    loop = training._compiled_loop("dense", *Y.shape, training.DEFAULTS["num_features"])
    traced = loop.run.experimental_get_tracing_count()
    other = train(Y, R, iterations=7, lambda_=3.0, learning_rate=0.02, seed=5, verbose=False)
    assert loop.run.experimental_get_tracing_count() == traced
    assert len(other.history) == 7 and other.settings["lambda_"] == 3.0


@pytest.mark.parametrize("settings, message", [
    ({"num_features": 0}, r"num_features must be a whole number >= 1, got 0"),
    ({"iterations": 2.5}, r"iterations must be a whole number >= 1, got 2.5"),
    ({"lambda_": -1.0}, r"lambda_ must be a finite number >= 0, got -1.0"),
    ({"init_scale": -0.1}, r"init_scale must be a finite number >= 0, got -0.1"),
    ({"mean_shrinkage": float("nan")}, r"mean_shrinkage must be a finite number >= 0, got nan"),
    ({"learning_rate": 0.0}, r"learning_rate must be a finite number > 0, got 0.0"),
    ({"path": "gpu"}, r'path must be "auto", "dense" or "sparse", got \'gpu\''),
    ({"initial": (np.zeros((40, 2)), np.zeros((29, 2)), np.zeros((1, 30)))},
     r"initial W has shape \(29, 2\), expected \(30, 2\)"),
])
def test_bad_settings_are_refused_before_training(settings, message):
    Y, R = small_problem()
    with pytest.raises((ValueError, ShapeError), match=message):
        train(Y, R, verbose=False, **settings)


def test_training_can_start_from_given_values():
    rng = np.random.default_rng(0)
    R = (rng.random((12, 9)) < 0.6).astype(float)
    Y = rng.integers(1, 6, (12, 9)) * R
    start = (rng.normal(size=(12, 2)), rng.normal(size=(9, 2)), np.zeros((1, 9)))
    model = train(Y, R, initial=start, normalize=False, iterations=5, verbose=False)
    assert model.history[0] == pytest.approx(cofi_cost_func_np(*start, Y, R, model.settings["lambda_"]), rel=1e-5)
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
    Y = np.ones((4, 3))
    Y[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"Y contains nan at index \(1, 2\); all inputs must be finite numbers"):
        train(Y, np.ones((4, 3)), iterations=1, verbose=False)
    with pytest.raises(ShapeError, match=r"Y must be a 2-D \(num_movies, num_users\) array, got shape \(4,\)"):
        train(np.ones(4), np.ones(4), iterations=1, verbose=False)
    with pytest.raises(TypeError, match=r"train needs Y and R"):
        train(np.ones((4, 3)))
    with pytest.raises(TypeError, match=r"takes the MovieLens data alone"):
        train(load_movielens(), np.ones((4, 3)))


def test_model_predictions_agree_in_every_form(model, split):
    _, test_set = split
    full = model.predict()
    assert full.min() >= 1 and full.max() <= 5
    rows, cols = test_set.ratings["row"].to_numpy(), test_set.ratings["col"].to_numpy()
    np.testing.assert_allclose(model.predict_pairs(rows, cols), full[rows, cols])
    np.testing.assert_allclose(model.predict_user(5), full[:, 5])
    assert rmse(full, test_set) == pytest.approx(rmse(model, test_set))


def test_recommendations_for_a_new_user_skip_what_they_rated():
    data, user = add_user(load_movielens(), {"Star Wars": 5, "Empire Strikes Back, The": 5, "Return of the Jedi": 5,
                                             "Sleepless in Seattle": 1, "While You Were Sleeping": 1})
    model = train(data, verbose=False)
    table = recommend(model, data, user, n=10, min_ratings=20)
    assert len(table) == 10
    assert list(table.columns) == ["movie_id", "title", "year", "genres", "num_ratings", "mean_rating", "predicted"]
    assert not set(table["title"]) & {"Star Wars", "Sleepless in Seattle"}
    assert (table["num_ratings"] >= 20).all() and table["predicted"].is_monotonic_decreasing
    np.testing.assert_allclose(table["predicted"], model.predict_user(user)[[data.movie_row(m) for m in table["movie_id"]]])
    unclipped = model.predict_user(user, clip=False)[[data.movie_row(m) for m in table["movie_id"]]]
    assert np.all(np.diff(unclipped) <= 0)  # ranked by the unclipped score
    with pytest.raises(IndexError, match=r"user column 944 is outside the 944 users"):
        recommend(model, data, 944)
