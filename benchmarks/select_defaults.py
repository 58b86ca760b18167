"""Choose lab_utils.train's defaults on validation splits, never on the test ratings.

    .venv/bin/python benchmarks/select_defaults.py

The benchmark's split is MovieLens 100K with 20 % of each user's ratings held out (seed 0).
Only its training part goes to lab_utils.tuning.select_defaults, which holds out 20 % of each
user's training ratings as a validation set three times (seeds 1, 2, 3) and scores each setting
by its mean validation RMSE. The table of every setting scored is
written to benchmarks/results/selection.json; lab_utils.training.DEFAULTS must match its
"chosen" (tests/lab_utils/test_tuning.py checks that).
"""

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from machine import describe  # noqa: E402

from lab_utils import load_movielens, split_ratings  # noqa: E402
from lab_utils.tuning import select_defaults  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "selection.json"
TEST_FRACTION, SPLIT_SEED = 0.2, 0


def main():
    train_data, _ = split_ratings(load_movielens(), TEST_FRACTION, seed=SPLIT_SEED)
    result = select_defaults(train_data)
    result.update(machine=describe("tensorflow", "keras", "numpy"), test_fraction=TEST_FRACTION,
                  split_seed=SPLIT_SEED)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    rows = sorted(result["rows"], key=lambda r: r["validation_rmse"])
    print(f"\nOn {result['machine']}")
    print(f"fit on {result['fit_ratings']:,} ratings, validated on {result['validation_ratings']:,}, "
          f"{len(result['seeds'])} splits (seeds {result['seeds']})\n")
    for stage in ("model", "optimizer"):
        print(f"Best five of stage '{stage}':\n")
        keys = [k for k in rows[0] if k not in ("stage", "validation_rmse", "split_rmses", "fit_seconds")]
        print("| " + " | ".join(keys) + " | mean validation RMSE | fit s |")
        print("|" + " --- |" * (len(keys) + 2))
        for r in [r for r in rows if r["stage"] == stage][:5]:
            print("| " + " | ".join(str(r[k]) for k in keys) + f" | {r['validation_rmse']:.4f} | {r['fit_seconds']:.2f} |")
        print()
    print("chosen:", result["chosen"], f"validation RMSE {result['validation_rmse']:.4f}")
    print(f"written to {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    main()
