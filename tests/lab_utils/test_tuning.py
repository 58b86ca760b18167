"""lab_utils.tuning and the defaults it chose: picked on validation splits, never the test ratings."""

import json
from pathlib import Path

import pytest

from lab_utils import load_movielens, split_ratings, tuning
from lab_utils.training import DEFAULTS

SELECTION = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "selection.json"


def pairs(data):
    return set(zip(data.ratings["row"], data.ratings["col"]))


def test_train_defaults_are_the_ones_the_recorded_selection_chose():
    selection = json.loads(SELECTION.read_text())
    assert {k: DEFAULTS[k] for k in selection["chosen"]} == selection["chosen"]
    assert set(selection["chosen"]) == set(DEFAULTS)
    # The selection saw the training part of the benchmark's split, and nothing else.
    train_data, _ = split_ratings(load_movielens(), selection["test_fraction"], seed=selection["split_seed"])
    assert selection["fit_ratings"] + selection["validation_ratings"] == train_data.num_ratings
    chosen = [r for r in selection["rows"] if r["stage"] == "optimizer"
              and all(r[k] == v for k, v in selection["chosen"].items())]
    assert chosen and chosen[0]["validation_rmse"] == selection["validation_rmse"]


def test_selection_fits_and_validates_on_the_training_ratings_only(monkeypatch):
    train_data, test_data = split_ratings(load_movielens(), 0.2, seed=0)
    seen = []
    real_train, real_rmse = tuning.train, tuning.rmse
    monkeypatch.setattr(tuning, "train", lambda data, **kw: seen.append(("fit", pairs(data))) or real_train(data, **kw))
    monkeypatch.setattr(tuning, "rmse", lambda model, data: seen.append(("score", pairs(data))) or real_rmse(model, data))
    result = tuning.select_defaults(
        train_data, seeds=(1, 2), model_grid={"num_features": [2], "lambda_": [5.0, 50.0], "mean_shrinkage": [5.0]},
        optimizer_grid={"learning_rate": [0.1], "init_scale": [0.1], "iterations": [3, 30]},
        converged={"learning_rate": 0.1, "init_scale": 0.1, "iterations": 30}, progress=None)
    allowed, forbidden = pairs(train_data), pairs(test_data)
    # Each setting is fitted and scored once per split: fit, score, fit, score, ...
    assert [kind for kind, _ in seen] == ["fit", "score"] * (4 * 2)
    for (_, fitted), (_, scored) in zip(seen[::2], seen[1::2]):
        assert fitted <= allowed and scored <= allowed
        assert not fitted & scored and not (fitted | scored) & forbidden
    # The two splits differ, and the row's RMSE is their mean.
    assert seen[0][1] != seen[2][1]
    assert len(result["rows"]) == 4
    for row in result["rows"]:
        assert len(row["split_rmses"]) == 2 and row["validation_rmse"] == pytest.approx(sum(row["split_rmses"]) / 2)
    model_rows = [r for r in result["rows"] if r["stage"] == "model"]
    assert result["chosen"]["lambda_"] == min(model_rows, key=lambda r: r["validation_rmse"])["lambda_"]
    optimizer_rows = {r["iterations"]: r["validation_rmse"] for r in result["rows"] if r["stage"] == "optimizer"}
    # The fewest iterations within the tolerance of the best, else the best.
    expected = 3 if optimizer_rows[3] <= min(optimizer_rows.values()) + result["tolerance"] else 30
    assert result["chosen"]["iterations"] == expected


def test_selection_rows_are_complete_and_ranked():
    rows = json.loads(SELECTION.read_text())["rows"]
    grid = {**tuning.MODEL_GRID}
    model_rows = [r for r in rows if r["stage"] == "model"]
    assert len(model_rows) == len(grid["num_features"]) * len(grid["lambda_"]) * len(grid["mean_shrinkage"])
    assert all(0.85 < r["validation_rmse"] < 1.1 for r in rows)
    assert all(len(r["split_rmses"]) == len(tuning.SEEDS) for r in rows)
