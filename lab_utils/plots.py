"""The figures the labs show, so notebooks call one function instead of twenty lines of matplotlib.

Every function draws a new figure and returns it; a notebook cell shows it inline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .data import MovieLens
from .i18n import N_, _, ngettext

GENRE_LABELS = frozenset((
    N_("unknown"), N_("Action"), N_("Adventure"), N_("Animation"), N_("Children's"), N_("Children"), N_("Comedy"),
    N_("Crime"), N_("Documentary"), N_("Drama"), N_("Fantasy"), N_("Film-Noir"), N_("Horror"), N_("IMAX"),
    N_("Musical"), N_("Mystery"), N_("Romance"), N_("Sci-Fi"), N_("Thriller"), N_("War"), N_("Western"),
))
"""MovieLens' genre names (ml-100k's and ml-latest's), marked for the catalog: they stay English
in the data, where they are matched; only a figure's legend shows them translated."""


def plot_cost_with_iterates(cost: Callable[[np.ndarray], np.ndarray], iterates: Sequence[float],
                            tangent_at: float | None = None, slope: float | None = None, w_range=(-1.0, 4.0)):
    """J(w) over ``w_range``, the values of w gradient descent visited, and the tangent at ``tangent_at``."""
    w = np.linspace(*w_range, 200)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(w, cost(w), label="J(w)")
    iterates = np.asarray(iterates, dtype=float)
    steps = len(iterates) - 1
    ax.scatter(iterates, cost(iterates), color="tab:red", s=18, zorder=3,
               label=ngettext("{steps} step", "{steps} steps", steps).format(steps=steps))
    if tangent_at is not None and slope is not None:
        near = np.linspace(tangent_at - 0.8, tangent_at + 0.8, 20)
        ax.plot(near, cost(np.array(tangent_at)) + slope * (near - tangent_at), "--", color="tab:green",
                label=_("tangent at w = {w:g}, slope {slope:g}").format(w=tangent_at, slope=slope))
    ax.set(xlabel="w", ylabel="J(w)", title=_("Gradient descent on J(w)"))
    ax.legend()
    return fig


def plot_histories(histories: Mapping[str, Sequence[float]], ylabel: str | None = None, log: bool = False,
                   title: str = ""):
    """One line per named history (cost or parameter value against the iteration), for side-by-side comparison.

    The names, ``ylabel`` (default: "cost", translated) and ``title`` are shown as given: the caller
    passes them in the learner's language."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, history in histories.items():
        ax.plot(np.arange(len(history)), history, label=name)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=_("iteration"), ylabel=_("cost") if ylabel is None else ylabel, title=title)
    ax.legend()
    return fig


def plot_rating_overview(data: MovieLens):
    """The distribution of ratings, and how many ratings each movie has (most have few)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    values, counts = np.unique(data.ratings["rating"], return_counts=True)
    left.bar(values, counts, width=0.4 if len(values) > 5 else 0.8)
    left.set(xlabel=_("rating"), ylabel=_("number of ratings"),
             title=ngettext("{count:,} rating", "{count:,} ratings", data.num_ratings).format(count=data.num_ratings))
    right.hist(data.movies["num_ratings"], bins=50, log=True)
    right.set(xlabel=_("ratings per movie"), ylabel=_("movies (log scale)"),
              title=ngettext("{count:,} movie", "{count:,} movies", data.num_movies).format(count=data.num_movies))
    fig.tight_layout()
    return fig


def plot_lambda_sweep(lambdas: Sequence[float], train_rmse: Sequence[float], validation_rmse: Sequence[float],
                      baseline: float | None = None):
    """Training and validation RMSE against lambda: small lambda over-fits, large lambda under-fits."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(lambdas, train_rmse, "o-", label=_("training ratings"))
    ax.plot(lambdas, validation_rmse, "o-", label=_("validation ratings"))
    if baseline is not None:
        ax.axhline(baseline, color="gray", linestyle=":", label=_("movie-mean baseline"))
    best = int(np.argmin(validation_rmse))
    ax.annotate(_("best lambda = {lambda_:g}").format(lambda_=lambdas[best]), (lambdas[best], validation_rmse[best]),
                textcoords="offset points", xytext=(0, 12), ha="center")
    ax.set_xscale("log")
    ax.set(xlabel="lambda", ylabel="RMSE", title=_("Regularization: over- and under-fitting"))
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
    directions = np.linalg.svd(centered, full_matrices=False)[2]
    points = centered @ directions[:2].T
    movie_genres = data.movies["genres"].to_numpy()[keep]
    fig, ax = plt.subplots(figsize=(8, 6))
    placed = np.zeros(len(points), dtype=bool)
    for genre in genres:
        has = np.array([genre in g.split("|") for g in movie_genres]) & ~placed
        ax.scatter(points[has, 0], points[has, 1], s=10, alpha=0.7, label=_(genre) if genre in GENRE_LABELS else genre)
        placed |= has
    ax.scatter(points[~placed, 0], points[~placed, 1], s=6, alpha=0.3, color="lightgray", label=_("other"))
    shown = int(keep.sum())
    ax.set(xlabel=_("first direction"), ylabel=_("second direction"),
           title=ngettext("Movie features of {count} movie with >= {min_ratings} ratings",
                          "Movie features of {count} movies with >= {min_ratings} ratings", shown).format(
               count=shown, min_ratings=min_ratings))
    ax.legend(markerscale=2)
    return fig
