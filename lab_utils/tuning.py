"""Choose ``train``'s hyper-parameters on a validation split of the training ratings.

The test ratings never enter: ``select_defaults`` receives the training ratings only, holds out
a fraction of each user's ratings from them as a validation set, and scores every setting on
that. It works in two stages so the grid stays small:

1. the model: num_features x lambda_ x mean_shrinkage, each trained to convergence;
2. the optimization, for the best model: learning_rate x init_scale x iterations, keeping the
   fewest iterations whose validation RMSE is within ``tolerance`` of the best (a faster fit
   that predicts as well).
"""

from __future__ import annotations

import itertools
import time

from .data import MovieLens, split_ratings
from .metrics import rmse
from .training import train

MODEL_GRID = {"num_features": [10, 20, 40], "lambda_": [8.0, 10.0, 12.0, 14.0, 16.0, 20.0],
              "mean_shrinkage": [0.0, 5.0, 10.0]}
OPTIMIZER_GRID = {"learning_rate": [0.05, 0.1, 0.2], "init_scale": [0.01, 0.1, 0.3],
                  "iterations": [20, 40, 60, 80, 120]}
CONVERGED = {"learning_rate": 0.1, "init_scale": 0.1, "iterations": 150}


def select_defaults(train_data: MovieLens, validation_fraction: float = 0.2, seed: int = 1,
                    model_grid: dict = MODEL_GRID, optimizer_grid: dict = OPTIMIZER_GRID,
                    converged: dict = CONVERGED, tolerance: float = 0.001, progress=print) -> dict:
    """Score the grids on a validation split of ``train_data``; return the chosen settings, the
    rows scored ({settings..., "stage", "validation_rmse", "fit_seconds"}) and the split's sizes."""
    fit, validation = split_ratings(train_data, validation_fraction, seed=seed)
    rows = []

    def score(stage, settings):
        clock = time.perf_counter()
        model = train(fit, verbose=False, **settings)
        row = {"stage": stage, **settings, "validation_rmse": rmse(model, validation),
               "fit_seconds": time.perf_counter() - clock}
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
    return {"chosen": chosen, "validation_rmse": chosen_row["validation_rmse"], "rows": rows,
            "fit_ratings": fit.num_ratings, "validation_ratings": validation.num_ratings,
            "validation_fraction": validation_fraction, "seed": seed, "tolerance": tolerance}
