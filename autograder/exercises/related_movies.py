"""Lab 6's exercises: the squared distance between feature vectors and the k closest movies."""

from __future__ import annotations

import numpy as np

from lab_utils import cofi
from lab_utils.i18n import N_, _, ngettext

from ..compare import describe, to_numpy
from ..engine import Case, Diagnosis, Problem, close_to_expected, number_type
from ..mistakes import Mistake
from ..registry import Exercise, register


def _distance_cases(rng) -> list[Case]:
    source = np.random.default_rng(6) if rng is None else rng
    lengths = (1, 3, 10) if rng is None else tuple(int(n) for n in rng.integers(1, 60, 3))
    cases = []
    for n in lengths:
        a, b = source.normal(size=n), source.normal(size=n)
        cases.append(Case(_("vectors of length {length}").format(length=n), args=(a, b),
                          expected=cofi.squared_distance(a, b),
                          watch={0: "a", 1: "b"}))
    return cases


DISTANCE_MISTAKES = (
    Mistake(N_("the square root is taken"),
            N_("that is the distance itself; the squared distance leaves out the square root"),
            lambda a, b: np.sqrt(cofi.squared_distance(a, b))),
)


register(Exercise(
    "squared_distance", "squared_distance", ("a", "b"), _distance_cases, [number_type, close_to_expected()],
    doc="||a - b||^2.", mistakes=DISTANCE_MISTAKES, forbidden=lambda: [cofi.squared_distance, cofi.similar_movies],
))


AXIS_0 = (N_("the distances are summed over axis=0"),
          N_("summing over axis=0 adds up the movies and gives one number per feature: sum over axis=1 to get "
             "one distance per movie"))
FARTHEST_FIRST = (N_("sorted farthest first"),
                  N_("np.argsort sorts from the smallest distance up: take its first k without reversing it"))
"""(name, hint) of the mistakes ``closest_movies``' stages recognise: English message ids, the name
also the mistake's key; ``_diagnosis`` translates them when a check finds one."""


def _diagnosis(mistake: tuple[str, str]) -> Diagnosis:
    name, hint = mistake
    return Diagnosis(_("{hint} (known mistake: {name})").format(hint=_(hint), name=_(name)), name)


def _axis_0_rows(X, movie: int, k: int) -> list[list[int]]:
    """What np.argsort gives when the squared differences are summed over axis=0 (one value per
    feature), with and without the movie's own entry set to infinity."""
    by_feature = np.sum((X - X[movie]) ** 2, axis=0)
    candidates = [np.argsort(by_feature)[:k].tolist()]
    if movie < len(by_feature):
        by_feature[movie] = np.inf
        candidates.append(np.argsort(by_feature)[:k].tolist())
    return candidates


def _farthest_first(X, movie: int, k: int, rows: list[int]) -> bool:
    """Whether rows are the farthest movies, farthest first (the movie itself may be among them,
    first when its distance was set to infinity)."""
    farthest = [r for r in np.argsort(np.sum((X - X[movie]) ** 2, axis=1))[::-1].tolist() if r != movie]
    others = [r for r in rows if r != movie]
    return len(others) >= 1 and others == farthest[:len(others)]


def _named(problem: Problem, mistake: tuple[str, str]) -> Problem:
    diagnosis = _diagnosis(mistake)
    return Problem(problem.message, problem.expected, problem.actual, diagnosis.hint, diagnosis.mistake)


def _rows_type(case, value):
    rows = np.asarray(to_numpy(value)) if not isinstance(value, list) else np.asarray(value)
    if rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer):
        return Problem(_("returns {value}, expected a 1-d array of row indices").format(value=describe(value)),
                       _("integers, one per movie"), describe(value),
                       _("np.argsort gives row indices; keep the first k"))
    if len(rows) != case.args[2]:
        problem = Problem(ngettext("returns {count} row, expected k = {k}", "returns {count} rows, expected k = {k}",
                                   len(rows)).format(count=len(rows), k=case.args[2]),
                          str(case.args[2]), str(len(rows)), "")
        return _named(problem, AXIS_0) if rows.tolist() in _axis_0_rows(*case.args) else problem
    return None


def _rows_value(case, value):
    rows = np.asarray(to_numpy(value)).tolist()
    expected = case.expected.tolist()
    if rows == expected:
        return None
    X, movie, k = case.args
    problem = Problem(_("wrong movies or order"), str(expected), str(rows))
    if rows in _axis_0_rows(X, movie, k):
        return _named(problem, AXIS_0)
    if _farthest_first(X, movie, k, rows):
        return _named(problem, FARTHEST_FIRST)
    if movie in rows:
        return Problem(_("wrong movies or order"), str(expected), str(rows),
                       _("the movie itself is its own closest match at distance 0: leave it out"),
                       N_("the movie itself is included"))
    if sorted(rows) == sorted(expected):
        return Problem(_("wrong movies or order"), str(expected), str(rows),
                       _("sort by distance from the smallest up"), N_("not sorted nearest first"))
    return problem


def _closest_cases(rng) -> list[Case]:
    if rng is None:
        X = np.random.default_rng(8).normal(size=(30, 4))
        picks = ((0, 5), (17, 1), (29, 10))
    else:
        X = rng.normal(size=(int(rng.integers(15, 60)), int(rng.integers(2, 8))))
        picks = tuple((int(rng.integers(len(X))), int(rng.integers(1, len(X)))) for __ in range(3))
    return [Case(_("{count} movies, movie {movie}, k={k}").format(count=len(X), movie=m, k=k), args=(X, m, k),
                 expected=cofi.similar_movies(X, m, k)[0],
                 watch={0: "X"}) for m, k in picks]


register(Exercise(
    "closest_movies", "closest_movies", ("X", "movie", "k"), _closest_cases, [_rows_type, _rows_value],
    doc=N_("The k nearest rows, nearest first."), forbidden=lambda: [cofi.similar_movies, cofi.squared_distance],
))
