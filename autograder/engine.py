"""Run a learner's function through its cases in the order a learner fixes things.

The order is: callable with the expected parameters, then the function runs on every case
without error, then the type of what it returns, then the shape, then the values. The first
stage that fails ends the check, so the learner sees one kind of problem at a time.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from .compare import difference, matches, scale
from .result import CaseResult, CheckResult
from .runner import Outcome, call

Problem = tuple  # (message, expected, actual, hint); any of the last three may be None or ""
Stage = Callable[["Case", Any], Problem | None]


@dataclass
class Case:
    """Inputs to give the learner's function and the reference's answer for them."""

    name: str
    args: tuple = ()
    expected: Any = None
    run: Callable[[Callable, "Case"], Outcome] | None = None
    """Instead of fn(*args): a custom way to exercise fn (a training step, a tape around it)."""
    watch: dict[int, str] = field(default_factory=dict)
    rtol: float = 1e-6
    info: dict = field(default_factory=dict)
    forbidden: dict | None = None
    """Code objects of reference functions the learner's function must not call."""


def signature_problem(fn, params: Sequence[str]) -> Problem | None:
    """Whether fn can be called with the exercise's parameters, in order."""
    wanted = f"({', '.join(params)})"
    if not callable(fn):
        return (f"expected a function taking {wanted}, got {type(fn).__name__} {fn!r}", None, None, "")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*params)
    except TypeError:
        return (f"the function takes {signature}, expected {wanted}", wanted, str(signature),
                "keep the parameters the exercise gives, in the same order")
    return None


def run_check(exercise: str, fn, params: Sequence[str], cases: Sequence[Case], stages: Sequence[Stage],
              timeout: float, diagnose: Callable | None = None) -> CheckResult:
    """Check fn on every case, stage by stage; the first failing stage ends the check.

    When the last stage (the values) fails, ``diagnose(fn, cases, outputs, failing_case)`` may
    name the likely mistake; its words become the hint.
    """
    result = CheckResult(exercise)
    problem = signature_problem(fn, params)
    if problem:
        result.add(CaseResult("can be called as the exercise asks", False, *problem))
        return result
    outputs = []
    for case in cases:
        if case.run:
            outcome = case.run(fn, case)
        else:
            outcome = call(fn, case.args, timeout=timeout, watch=case.watch, forbidden=case.forbidden)
        if outcome.error:
            result.add(CaseResult(case.name, False, outcome.error, hint=outcome.hint))
            return result
        outputs.append(outcome.value)
    for stage in stages:
        failures = [(case, p) for case, out in zip(cases, outputs) if (p := stage(case, out))]
        if failures:
            case, (message, expected, actual, hint) = failures[0]
            if len(failures) > 1:
                message += f" (and {len(failures) - 1} more case(s) fail the same way)"
            if stage is stages[-1] and diagnose is not None and not hint:
                hint = diagnose(fn, cases, outputs, case)
            result.add(CaseResult(case.name, False, message, expected, actual, hint or ""))
            return result
    for case in cases:
        result.add(CaseResult(case.name, True))
    return result


def to_numpy(value) -> np.ndarray:
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value.numpy()
    return np.asarray(value)


def is_number(value) -> bool:
    """A single number: a Python or NumPy scalar, or a 0-d array or tensor."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    if isinstance(value, (np.ndarray, tf.Tensor, tf.Variable)):
        return tuple(value.shape) == () and np.issubdtype(to_numpy(value).dtype, np.number)
    return False


def describe(value) -> str:
    if isinstance(value, (np.ndarray, tf.Tensor, tf.Variable)):
        return f"{type(value).__name__} of shape {tuple(value.shape)} and dtype {to_numpy(value).dtype}"
    return type(value).__name__


def short(value) -> str:
    """An array or number as text short enough for a one-line message."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.6g}"
    return np.array2string(array, precision=4, threshold=12, edgeitems=2, max_line_width=100)


def number_type(case: Case, value) -> Problem | None:
    if not is_number(value):
        return (f"returns {describe(value)}, expected a single number", "a float or a 0-d tensor",
                describe(value), "return the total as one number, not an array or a list")
    return None


def finite(case: Case, value) -> Problem | None:
    array = to_numpy(value).astype(float)
    if not np.all(np.isfinite(array)):
        where = "" if array.ndim == 0 else f" at index {tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])}"
        return (f"returns NaN or inf{where}", "finite numbers", short(array),
                "look for a division by zero or a log of 0, e.g. dividing by a count that can be 0")
    return None


def array_of_shape(shape_name: str, shape_hint: Callable[[Case, tuple], str] | None = None) -> Stage:
    """Stage: an array of floats of the shape of case.expected, named ``shape_name`` in messages;
    ``shape_hint(case, wrong_shape)`` may explain a wrong shape better than the generic hints."""

    def stage(case: Case, value) -> Problem | None:
        expected = tuple(np.shape(case.expected))
        if not isinstance(value, (np.ndarray, tf.Tensor, tf.Variable)):
            return (f"returns {describe(value)}, expected an array", f"array of shape {shape_name} = {expected}",
                    describe(value), "")
        got = tuple(value.shape)
        if got != expected:
            hint = "it looks transposed" if got == expected[::-1] else ""
            if len(got) == len(expected) - 1:
                hint = "a sum lost a dimension: keep it with keepdims=True (or reshape)"
            if shape_hint is not None:
                hint = shape_hint(case, got) or hint
            return (f"returns shape {got}, expected {shape_name} = {expected}", str(expected), str(got), hint)
        if not np.issubdtype(to_numpy(value).dtype, np.floating):
            return (f"returns dtype {to_numpy(value).dtype}, expected floating point", "float32 or float64",
                    str(to_numpy(value).dtype), "")
        return None

    return stage


def close_to_expected(hint_for: Callable[[Case, Any], str] | None = None) -> Stage:
    """Stage: values within the case's relative tolerance of the reference, with the first
    mismatch, the largest difference and, when ``hint_for`` recognizes it, the likely mistake."""

    def stage(case: Case, value) -> Problem | None:
        problem = finite(case, value)
        if problem:
            return problem
        actual, expected = to_numpy(value).astype(float), np.asarray(case.expected, dtype=float)
        if matches(actual, expected, case.rtol):
            return None
        hint = hint_for(case, value) if hint_for else ""
        if expected.ndim == 0:
            return ("wrong value", short(expected), short(actual), hint)
        diff = difference(actual, expected)
        first = tuple(int(i) for i in np.argwhere(diff > case.rtol * scale(expected))[0])
        message = (f"wrong values: first mismatch at index {first} ({actual[first]:.6g} instead of {expected[first]:.6g}), "
                   f"largest difference {diff.max():.3g}")
        return (message, short(expected), short(actual), hint)

    return stage
