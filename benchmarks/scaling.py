"""Time per Adam iteration and peak memory of lab_utils.train at 1M, 5M and 25M ratings.

    .venv/bin/python benchmarks/scaling.py [--sizes 1e6 5e6 25e6] [--iterations 60]

Ratings are synthetic with the shape of MovieLens 25M (lab_utils.synthetic: 162,541 users,
59,047 movies, power-law popularity), so only the number of ratings changes between rows and
every size takes train's sparse path (a dense Y would hold 9.6 billion entries). Each size runs
in a fresh process: 20 % of each user's ratings are held out, train runs with its defaults,
and the process reports its peak resident memory (ru_maxrss) after generating the data and
after training. The table is printed and written to benchmarks/results/scaling.json.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

RESULTS = Path(__file__).resolve().parent / "results" / "scaling.json"


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def one_size(num_ratings: int, iterations: int) -> dict:
    from lab_utils import rmse, split_ratings, train
    from lab_utils.synthetic import synthetic_movielens

    clock = time.perf_counter()
    data = synthetic_movielens(num_ratings)
    fit, held_out = split_ratings(data, 0.2, seed=0)
    del data
    generated = time.perf_counter() - clock
    data_peak = peak_gib()
    clock = time.perf_counter()
    model = train(fit, iterations=1, verbose=False)  # traces the loop for this size
    first = time.perf_counter() - clock
    clock = time.perf_counter()
    model = train(fit, iterations=iterations, verbose=False)
    seconds = time.perf_counter() - clock
    return {"ratings": num_ratings, "fit_ratings": fit.num_ratings, "path": model.settings["path"],
            "generate_s": generated, "trace_and_first_s": first, "iterations": iterations, "train_s": seconds,
            "s_per_iteration": seconds / iterations, "first_cost": model.history[0], "last_cost": model.history[-1],
            "held_out_rmse": rmse(model, held_out), "peak_gib_data": data_peak, "peak_gib": peak_gib()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 5e6, 25e6])
    parser.add_argument("--iterations", type=int, default=None, help="default: train's default")
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.iterations is None:
        from lab_utils.training import DEFAULTS
        args.iterations = DEFAULTS["iterations"]
    if args.one:
        print("RESULT " + json.dumps(one_size(int(args.one), args.iterations)), flush=True)
        return
    from machine import describe

    rows = []
    for size in args.sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(size), "--iterations", str(args.iterations)],
                             capture_output=True, text=True)
        lines = [l for l in run.stdout.splitlines() if l.startswith("RESULT ")]
        if run.returncode or not lines:
            sys.exit(f"size {size:g} failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
        rows.append(json.loads(lines[-1][len("RESULT "):]))
        print(f"{int(size):,} ratings done", file=sys.stderr)
    machine = describe("tensorflow", "keras", "numpy")
    print(f"On {machine}; {args.iterations} iterations of train's defaults, sparse path\n")
    print("| ratings | trained on | s / iteration | s / iteration per 1M ratings | trace + 1st iteration s "
          "| peak GiB (data only) | peak GiB (training) | cost first -> last | held-out RMSE |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for r in rows:
        print(f"| {r['ratings']:,} | {r['fit_ratings']:,} | {r['s_per_iteration']:.3f} | "
              f"{r['s_per_iteration'] / (r['fit_ratings'] / 1e6):.3f} | {r['trace_and_first_s']:.1f} | "
              f"{r['peak_gib_data']:.2f} | {r['peak_gib']:.2f} | {r['first_cost']:,.0f} -> {r['last_cost']:,.0f} | "
              f"{r['held_out_rmse']:.4f} |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
