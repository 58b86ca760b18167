"""The graded exercises by key: what each needs to be checked, and the ``check_*`` functions.

An exercise module of a course (``autograder/exercises/``) builds an ``Exercise`` and hands it
to ``register``; ``evaluate`` and ``check`` find it by key. Every exercise has visible cases with
fixed inputs and hidden cases drawn afresh at grading time, so a function that returns
hard-coded numbers cannot pass. The registry never imports an exercise module itself.
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from lab_utils.i18n import _

from .engine import Case, Diagnosis, FollowUp, Invoke, Spec, Stage, Target, run_check
from .mistakes import Mistake, recognise
from .result import HIDDEN, CheckResult, report, translated
from .runner import Guards

TIMEOUT = 10.0
"""Seconds one call of a learner's function may take, unless the exercise says otherwise."""


@dataclass(frozen=True)
class Exercise:
    """Everything needed to check one graded exercise."""

    key: str
    title: str
    """Marked with ``N_``: ``CheckResult.exercise`` keeps it in English, it is shown translated."""
    params: tuple[str, ...]
    cases: Callable[[np.random.Generator | None], list[Case]]
    """Visible cases for None; hidden cases drawn from the generator otherwise."""
    stages: Sequence[Stage]
    doc: str = ""
    """Marked with ``N_``: the docstring of ``check_<key>``, translated when it is made."""
    forbidden: Callable[[], list[Callable]] = list
    """Reference functions the learner's code must not call to get its answer."""
    mistakes: Sequence[Mistake] = ()
    """The catalogue of known wrong answers: one that reproduces every output is the diagnosis."""
    localize: Callable[[Invoke, Case], Diagnosis | None] | None = None
    """When no known mistake fits: probe the learner's function to say which part is wrong."""
    mistake_rtol: float = 1e-4
    timeout: float = TIMEOUT
    follow_ups: Sequence[FollowUp] = ()

    def diagnose(self, invoke: Invoke, cases: Sequence[Case], outputs: list, failing: Case) -> Diagnosis | None:
        """The known mistake that reproduces the learner's outputs, else what the probes found."""
        found = recognise(self.mistakes, cases, outputs, self.mistake_rtol)
        if found is None and self.localize is not None:
            found = self.localize(invoke, failing)
        return found


@dataclass(frozen=True)
class Course:
    """What every exercise of a course shares: the packages holding its reference (their frames
    are not the learner's, their functions may be forbidden), and hints for error messages."""

    reference_paths: tuple[str, ...] = ()
    error_hints: Sequence[tuple[re.Pattern, str]] = ()


EXERCISES: dict[str, Exercise] = {}
_course = [Course()]


def register(exercise: Exercise) -> Exercise:
    EXERCISES[exercise.key] = exercise
    return exercise


def configure(course: Course) -> None:
    _course[0] = course


def course() -> Course:
    return _course[0]


def evaluate(key: str, fn, hidden: bool = False, seed: int | None = None,
             reach: Callable[[Guards], Target] | None = None) -> CheckResult:
    """Run exercise ``key``'s check on fn: the visible cases, or hidden ones drawn with ``seed``
    (a fresh random seed when None). ``reach(guards)`` gives a Target that reaches the learner's
    function elsewhere (a sealed verification); by default fn is called here."""
    exercise = EXERCISES[key]
    rng = np.random.default_rng(secrets.randbits(64) if seed is None else seed) if hidden else None
    cases = exercise.cases(rng)
    if hidden:
        cases = [replace(case, name=_("hidden case: {name}").format(name=case.name)) for case in cases]
    course = _course[0]
    guards = Guards(exercise.timeout, _forbidden_codes(exercise.forbidden()), course.reference_paths,
                    course.error_hints)
    title = exercise.title + (HIDDEN if hidden else "")  # English: the class report reads it
    diagnose = exercise.diagnose if exercise.mistakes or exercise.localize else None
    spec = Spec(title, exercise.params, exercise.stages, guards, diagnose, exercise.follow_ups)
    return run_check(spec, fn, cases, reach(guards) if reach else None)


def check(key: str, fn, hidden: bool = False) -> None:
    """Show exercise ``key``'s result on fn (visible or hidden cases) and raise AssertionError if
    anything is wrong."""
    report(evaluate(key, fn, hidden))


def _forbidden_codes(functions) -> dict:
    """Code objects of the reference functions, both these and the ones of the same name that the
    notebook imported (a private copy of the reference, see pristine.py, has code objects of its own)."""
    codes = {}
    for f in functions:
        name = f"{f.__module__}.{f.__qualname__}"
        loaded = getattr(sys.modules.get(f.__module__), f.__name__, None)
        for code in (_code(f), _code(loaded)):
            if code is not None:
                codes[code] = name
    return codes


def _code(f):
    """The code object a call of f runs first: the function's, or a class's __init__."""
    if isinstance(f, type):
        f = f.__dict__.get("__init__")
    return getattr(f, "__code__", None)


def checker(key: str) -> tuple[Callable, Callable]:
    """``evaluate_<key>(fn)`` and ``check_<key>(fn)`` for exercise ``key``, named and documented."""
    def evaluate_exercise(fn) -> CheckResult:
        return evaluate(key, fn)

    def check_exercise(fn) -> None:
        check(key, fn)

    evaluate_exercise.__name__, check_exercise.__name__ = f"evaluate_{key}", f"check_{key}"
    evaluate_exercise.__doc__ = check_exercise.__doc__ = translated(EXERCISES[key].doc)
    return evaluate_exercise, check_exercise
