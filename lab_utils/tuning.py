"""Choose ``train``'s hyper-parameters on validation splits of the training ratings.

The test ratings never enter: ``select_defaults`` receives the training ratings only, holds out
a fraction of each user's ratings from them as a validation set (several times, with different
seeds), and scores every setting by its RMSE on those validation sets, averaged. Averaging over
splits matters: the settings near the best differ by less than one split's noise. It works in
two stages so the grid stays small:

1. the model: num_features x lambda_ x mean_shrinkage, each trained to convergence;
2. the optimization, for the best model: learning_rate x init_scale x iterations, keeping the
   fewest iterations whose validation RMSE is within ``tolerance`` of the best (a faster fit
   that predicts as well).
"""

from __future__ import annotations

import itertools
import statistics
import time

from .data import MovieLens
from .metrics import rmse
from .ratings import split_ratings
from .training import train

MODEL_GRID = {"num_features": [5, 8, 10, 15, 20],
              "lambda_": [9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 16.0],
              "mean_shrinkage": [0.0, 2.5, 5.0, 7.5, 10.0]}
OPTIMIZER_GRID = {"learning_rate": [0.05, 0.1, 0.2], "init_scale": [0.01, 0.1, 0.3],
                  "iterations": [20, 40, 60, 80, 120]}
CONVERGED = {"learning_rate": 0.1, "init_scale": 0.1, "iterations": 150}
SEEDS = (1, 2, 3)


def select_defaults(train_data: MovieLens, validation_fraction: float = 0.2, seeds=SEEDS,
                    model_grid: dict = MODEL_GRID, optimizer_grid: dict = OPTIMIZER_GRID,
                    converged: dict = CONVERGED, tolerance: float = 0.0005, progress=print) -> dict:
    """Score the grids on validation splits of ``train_data`` (one per seed); return the chosen
    settings, the rows scored ({settings..., "stage", "validation_rmse" (the mean over the
    splits), "split_rmses", "fit_seconds"}) and the splits' sizes."""
    splits = [split_ratings(train_data, validation_fraction, seed=seed) for seed in seeds]
    rows = []

    def score(stage, settings):
        clock = time.perf_counter()
        rmses = [rmse(train(fit, verbose=False, **settings), validation) for fit, validation in splits]
        row = {"stage": stage, **settings, "validation_rmse": statistics.fmean(rmses), "split_rmses": rmses,
               "fit_seconds": (time.perf_counter() - clock) / len(splits)}
        rows.append(row)
        if progress:
            progress(f"{stage}: " + ", ".join(f"{k}={v}" for k, v in settings.items())
                     + f" -> validation RMSE {row['validation_rmse']:.4f}")
        return row

    model_rows = [score("model", {**dict(zip(model_grid, values)), **converged})
                  for values in itertools.product(*model_grid.values())]
    best_model = min(model_rows, key=lambda r: r["validation_rmse"])
    model_settings = {k: best_model[k] for k in model_grid}
    optimizer_rows = [score("optimizer", {**model_settings, **dict(zip(optimizer_grid, values))})
                      for values in itertools.product(*optimizer_grid.values())]
    best = min(r["validation_rmse"] for r in optimizer_rows)
    good_enough = [r for r in optimizer_rows if r["validation_rmse"] <= best + tolerance]
    chosen_row = min(good_enough, key=lambda r: (r["iterations"], r["validation_rmse"]))
    chosen = {k: chosen_row[k] for k in (*model_grid, *optimizer_grid)}
    fit, validation = splits[0]
    return {"chosen": chosen, "validation_rmse": chosen_row["validation_rmse"], "rows": rows,
            "fit_ratings": fit.num_ratings, "validation_ratings": validation.num_ratings,
            "validation_fraction": validation_fraction, "seeds": list(seeds), "tolerance": tolerance}
