"""Held-out RMSE and fit time on MovieLens 100K: lab_utils.train against the baselines and
scikit-surprise's BaselineOnly, SVD and SVD++, in one run on one split.

    make benchmark        # or: .venv/bin/pip install -e '.[benchmark]' && .venv/bin/python benchmarks/accuracy.py

The split holds out 20 % of each user's ratings (seed 0), the one select_defaults.py never saw.
Every method is fitted ``--repeats`` times on the training ratings; the table gives the first
fit (for train it includes tracing its loop) and the median of all. Surprise runs with its
defaults. A markdown table is printed, and a plot of RMSE against fit time is saved to
benchmarks/results/accuracy.png with the figures in benchmarks/results/accuracy.json.
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from machine import describe  # noqa: E402

from lab_utils import GlobalMean, MovieMean, load_movielens, rmse, split_ratings, train  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


class SurprisePredictor:
    """A fitted Surprise algorithm behind the predict_pairs interface lab_utils.rmse uses."""

    def __init__(self, algo, train_data):
        self.algo, self.data = algo, train_data

    def predict_pairs(self, rows, cols):
        movie_ids, user_ids = self.data.movie_ids[rows], self.data.user_ids[cols]
        return np.array([self.algo.predict(int(u), int(m)).est for u, m in zip(user_ids, movie_ids)])


def surprise_methods(train_data):
    try:
        from surprise import SVD, BaselineOnly, Dataset, Reader, SVDpp
    except ImportError:
        print("scikit-surprise is not installed: pip install -e '.[benchmark]' (its rows are left out)\n")
        return {}
    table = train_data.ratings[["user_id", "movie_id", "rating"]]
    trainset = Dataset.load_from_df(table, Reader(rating_scale=train_data.rating_scale)).build_full_trainset()

    def fitter(make):
        def fit():
            algo = make()
            algo.fit(trainset)
            return SurprisePredictor(algo, train_data)
        return fit

    return {"Surprise BaselineOnly": fitter(lambda: BaselineOnly(verbose=False)),
            "Surprise SVD": fitter(lambda: SVD(random_state=0)),
            "Surprise SVD++": fitter(lambda: SVDpp(random_state=0))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = load_movielens()
    train_data, test_data = split_ratings(data, 0.2, seed=0)
    methods = {"global mean": lambda: GlobalMean(train_data), "movie mean": lambda: MovieMean(train_data),
               "lab_utils.train (defaults)": lambda: train(train_data, verbose=False),
               **surprise_methods(train_data)}
    rows = []
    for name, fit in methods.items():
        times = []
        for _ in range(args.repeats):
            clock = time.perf_counter()
            model = fit()
            times.append(time.perf_counter() - clock)
        rows.append({"method": name, "rmse": rmse(model, test_data), "first_fit_s": times[0],
                     "median_fit_s": statistics.median(times)})
    machine = describe("tensorflow", "keras", "numpy", "scikit-surprise")
    print(f"MovieLens 100K, {train_data.num_ratings:,} training and {test_data.num_ratings:,} held-out ratings "
          f"(20 % of each user's, seed 0); {args.repeats} fits each\nOn {machine}\n")
    print("| method | held-out RMSE | first fit s | median fit s |")
    print("| --- | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['method']} | {r['rmse']:.4f} | {r['first_fit_s']:.3f} | {r['median_fit_s']:.3f} |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "accuracy.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n")
    plot(rows, machine)


def plot(rows, machine):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in rows:
        ax.scatter(max(r["median_fit_s"], 1e-4), r["rmse"], s=40)
        ax.annotate(r["method"], (max(r["median_fit_s"], 1e-4), r["rmse"]), textcoords="offset points",
                    xytext=(6, 4), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("median fit time (s, log scale)")
    ax.set_ylabel("held-out RMSE")
    ax.set_title("MovieLens 100K, 20 % of each user's ratings held out", fontsize=10)
    fig.text(0.01, 0.01, machine, fontsize=6)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(RESULTS / "accuracy.png", dpi=120)
    print(f"\nplot saved to {RESULTS / 'accuracy.png'}")


if __name__ == "__main__":
    main()
