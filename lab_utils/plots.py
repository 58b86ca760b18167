"""The figures the labs show, so notebooks call one function instead of twenty lines of matplotlib.

Every function draws a new figure and returns it; a notebook cell shows it inline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .data import MovieLens


def plot_cost_with_iterates(cost: Callable[[np.ndarray], np.ndarray], iterates: Sequence[float],
                            tangent_at: float | None = None, slope: float | None = None, w_range=(-1.0, 4.0)):
    """J(w) over ``w_range``, the values of w gradient descent visited, and the tangent at ``tangent_at``."""
    w = np.linspace(*w_range, 200)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(w, cost(w), label="J(w)")
    iterates = np.asarray(iterates, dtype=float)
    ax.scatter(iterates, cost(iterates), color="tab:red", s=18, zorder=3, label=f"{len(iterates) - 1} steps")
    if tangent_at is not None and slope is not None:
        near = np.linspace(tangent_at - 0.8, tangent_at + 0.8, 20)
        ax.plot(near, cost(np.array(tangent_at)) + slope * (near - tangent_at), "--", color="tab:green",
                label=f"tangent at w = {tangent_at:g}, slope {slope:g}")
    ax.set(xlabel="w", ylabel="J(w)", title="Gradient descent on J(w)")
    ax.legend()
    return fig


def plot_histories(histories: Mapping[str, Sequence[float]], ylabel: str = "cost", log: bool = False, title: str = ""):
    """One line per named history (cost or parameter value against the iteration), for side-by-side comparison."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, history in histories.items():
        ax.plot(np.arange(len(history)), history, label=name)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="iteration", ylabel=ylabel, title=title)
    ax.legend()
    return fig


def plot_rating_overview(data: MovieLens):
    """The distribution of ratings, and how many ratings each movie has (most have few)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    values, counts = np.unique(data.ratings["rating"], return_counts=True)
    left.bar(values, counts, width=0.4 if len(values) > 5 else 0.8)
    left.set(xlabel="rating", ylabel="number of ratings", title=f"{data.num_ratings:,} ratings")
    right.hist(data.movies["num_ratings"], bins=50, log=True)
    right.set(xlabel="ratings per movie", ylabel="movies (log scale)", title=f"{data.num_movies:,} movies")
    fig.tight_layout()
    return fig


def plot_lambda_sweep(lambdas: Sequence[float], train_rmse: Sequence[float], validation_rmse: Sequence[float],
                      baseline: float | None = None):
    """Training and validation RMSE against lambda: small lambda over-fits, large lambda under-fits."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(lambdas, train_rmse, "o-", label="training ratings")
    ax.plot(lambdas, validation_rmse, "o-", label="validation ratings")
    if baseline is not None:
        ax.axhline(baseline, color="gray", linestyle=":", label="movie-mean baseline")
    best = int(np.argmin(validation_rmse))
    ax.annotate(f"best lambda = {lambdas[best]:g}", (lambdas[best], validation_rmse[best]),
                textcoords="offset points", xytext=(0, 12), ha="center")
    ax.set_xscale("log")
    ax.set(xlabel="lambda", ylabel="RMSE", title="Regularization: over- and under-fitting")
    ax.legend()
    return fig


def plot_feature_map(X: np.ndarray, data: MovieLens, genres: Sequence[str] = ("Action", "Comedy", "Drama", "Horror", "Children's"),
                     min_ratings: int = 50):
    """The movies' feature vectors projected on their two main directions, coloured by genre.

    Only movies with at least ``min_ratings`` ratings are drawn (features of rarely rated
    movies are mostly regularization). A movie takes the first of ``genres`` it has.
    """
    X = np.asarray(X, dtype=float)
    keep = data.movies["num_ratings"].to_numpy() >= min_ratings
    centered = X[keep] - X[keep].mean(axis=0)
    _, _, directions = np.linalg.svd(centered, full_matrices=False)
    points = centered @ directions[:2].T
    movie_genres = data.movies["genres"].to_numpy()[keep]
    fig, ax = plt.subplots(figsize=(8, 6))
    placed = np.zeros(len(points), dtype=bool)
    for genre in genres:
        has = np.array([genre in g.split("|") for g in movie_genres]) & ~placed
        ax.scatter(points[has, 0], points[has, 1], s=10, alpha=0.7, label=genre)
        placed |= has
    ax.scatter(points[~placed, 0], points[~placed, 1], s=6, alpha=0.3, color="lightgray", label="other")
    ax.set(xlabel="first direction", ylabel="second direction",
           title=f"Movie features of {int(keep.sum())} movies with >= {min_ratings} ratings")
    ax.legend(markerscale=2)
    return fig
