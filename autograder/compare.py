"""Compare a learner's numbers with the reference's, immune to a learner's cell replacing NumPy's helpers.

A learner's cell shares the kernel with the checks and could set ``np.isclose`` or
``np.allclose`` to a function that always agrees. These comparisons use neither, only ufuncs
bound here when the autograder is imported (before any learner cell runs).
"""

from __future__ import annotations

import numpy as np

_abs, _max, _all, _isfinite = np.abs, np.max, np.all, np.isfinite


def scale(expected: np.ndarray) -> float:
    """The size tolerances are relative to: the largest magnitude expected, at least 1."""
    return max(1.0, float(_max(_abs(expected)))) if expected.size else 1.0


def difference(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return _abs(actual - expected)


def matches(actual, expected, rtol: float = 1e-6) -> bool:
    """Whether two numbers or arrays of one shape agree within rtol times ``scale(expected)``."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape or not bool(_all(_isfinite(actual))):
        return False
    if expected.size == 0:
        return True
    return bool(_max(difference(actual, expected)) <= rtol * scale(expected))
