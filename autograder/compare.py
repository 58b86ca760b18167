"""Read and compare a learner's values: as NumPy, described in words, within a tolerance of the reference.

A learner's cell shares the kernel with the checks and could set ``np.isclose`` or
``np.allclose`` to a function that always agrees. These comparisons use neither, only ufuncs
bound here when the autograder is imported (before any learner cell runs).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils.i18n import _, ngettext

from .sealed.wire import Opaque

_abs, _max, _all, _isfinite = np.abs, np.max, np.all, np.isfinite


def is_array(value) -> bool:
    """A NumPy array, a tensor or a variable: something with a shape and a dtype."""
    return isinstance(value, (np.ndarray, tf.Tensor, tf.Variable))


def to_numpy(value) -> np.ndarray:
    """A value as a NumPy array; a 0-d tensor of strings gives a 0-d array too, not bytes."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return np.asarray(value.numpy())
    return np.asarray(value)


def is_number(value) -> bool:
    """A single number: a Python or NumPy scalar, or a 0-d array or tensor."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    if is_array(value):
        return tuple(value.shape) == () and np.issubdtype(to_numpy(value).dtype, np.number)
    return False


def describe(value) -> str:
    """What a value is, in a few words: its type, for arrays their shape and dtype, for lists and tuples
    their length."""
    if is_array(value):
        dtype = value.dtype.name if isinstance(value, (tf.Tensor, tf.Variable)) else value.dtype
        return _("{type} of shape {shape} and dtype {dtype}").format(type=type(value).__name__,
                                                                    shape=tuple(value.shape), dtype=dtype)
    if isinstance(value, Opaque):  # back from a sealed run as only the name of its type
        return value.type_name
    if isinstance(value, (list, tuple)):
        try:
            count = len(value)
            return ngettext("{type} of {count} item", "{type} of {count} items", count).format(
                type=type(value).__name__, count=count)
        except Exception:  # a learner's list subclass may make len() raise
            pass
    return type(value).__name__


def short(value) -> str:
    """An array or number as text short enough for a one-line message."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.6g}"
    return np.array2string(array, precision=4, threshold=12, edgeitems=2, max_line_width=100)


def short_list(values) -> str:
    return ", ".join(f"{float(v):.6g}" for v in values)


def scale(expected: np.ndarray) -> float:
    """The size tolerances are relative to: the largest magnitude expected, at least 1."""
    return max(1.0, float(_max(_abs(expected)))) if expected.size else 1.0


def difference(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):  # a learner's 1e308 overflows to inf: a mismatch, not a warning
        return _abs(actual - expected)


def as_floats(value) -> np.ndarray | None:
    """A learner's number or array as floats, or None when it is not real numbers (text, objects,
    complex numbers with an imaginary part, a ragged list, a value whose conversion raises)."""
    try:
        array = to_numpy(value)
        if array.dtype.kind == "c":
            if bool(_all(array.imag == 0)):
                array = array.real
            else:
                return None
        if array.dtype.kind not in "biuf":
            return None
        return array.astype(float)
    except Exception:  # the value is the learner's: any conversion of it may raise anything
        return None


def matches(actual, expected, rtol: float = 1e-6) -> bool:
    """Whether two numbers or arrays of one shape agree within rtol times ``scale(expected)``;
    whatever ``actual`` is, a value that is not real numbers of that shape does not match."""
    actual, expected = as_floats(actual), np.asarray(expected, dtype=float)
    if actual is None or actual.shape != expected.shape or not bool(_all(_isfinite(actual))):
        return False
    if expected.size == 0:
        return True
    return bool(_max(difference(actual, expected)) <= rtol * scale(expected))
