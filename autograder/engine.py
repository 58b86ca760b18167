"""Run a learner's function through its cases in the order a learner fixes things.

The order is: callable with the expected parameters, then the function runs on every case
without error, then each stage in turn (typically the type of what it returns, its shape, its
values). The first stage that fails ends the check, so the learner sees one kind of problem at
a time. Nothing here knows a course: the exercise brings its cases, stages and diagnoses.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lab_utils.i18n import _, ngettext

from .compare import describe, difference, is_array, is_number, matches, scale, short, to_numpy
from .result import CaseResult, CheckResult
from .runner import Guards, Outcome, call


@dataclass(frozen=True)
class Problem:
    """Why a case fails a stage: the message, and what was expected, what came back, a hint."""

    message: str
    expected: str | None = None
    actual: str | None = None
    hint: str = ""
    mistake: str = ""
    """The name of the known mistake, when a diagnosis recognised one."""


@dataclass(frozen=True)
class Diagnosis:
    """What a diagnosis found about a wrong value: a hint, and the known mistake's name if any."""

    hint: str
    mistake: str = ""


Invoke = Callable[..., Outcome]
"""``invoke(*args, watch={})`` calls the learner's function with every guard of runner.call set."""


@dataclass(frozen=True)
class Run:
    """A custom way to exercise the learner's function (a training step, a tape around it):
    ``function(invoke, *params)``. The function is defined at a module's top level and the params
    are plain data, so a sealed verification can run it by name where the learner's code lives."""

    function: Callable[..., Outcome]
    params: tuple = ()

    @property
    def name(self) -> str:
        return f"{self.function.__module__}:{self.function.__qualname__}"


class Target:
    """The learner's function as the engine reaches it: here, in this process, held to guards.
    A sealed verification reaches it in another process through the same three methods."""

    def __init__(self, fn, guards: Guards):
        self.fn, self.guards = fn, guards

    def signature_problem(self, params: Sequence[str]) -> Problem | None:
        return signature_problem(self.fn, params)

    def call(self, *args, watch=None) -> Outcome:
        return call(self.fn, args, self.guards, watch=watch)

    def run(self, run: Run) -> Outcome:
        return run.function(self.call, *run.params)


@dataclass
class Case:
    """Inputs to give the learner's function and the reference's answer for them."""

    name: str
    args: tuple = ()
    expected: Any = None
    run: Run | None = None
    """Instead of fn(*args): a custom way to exercise fn."""
    watch: dict[int, str] = field(default_factory=dict)
    rtol: float = 1e-6
    info: dict = field(default_factory=dict)
    explain_error: Callable[[Invoke, Case, str], Diagnosis | None] | None = None
    """When the call raised: ``explain_error(invoke, case, error)`` may probe the learner's function
    (on inputs where the mistake does not raise) and name the mistake better than the error's hint."""


Stage = Callable[[Case, Any], "Problem | None"]
Diagnose = Callable[[Invoke, Sequence[Case], list, Case], "Diagnosis | None"]


@dataclass(frozen=True)
class FollowUp:
    """A case that needs the learner's function itself, run once every stage has passed (a tape
    around a cost, say): ``run`` exercises it, ``judge(value)`` says what is wrong, or None."""

    name: str
    run: Run
    judge: Callable[[Any], Problem | None]


@dataclass(frozen=True)
class Spec:
    """How to check one exercise: its title and parameters, its stages, and its guards."""

    title: str
    params: tuple[str, ...]
    stages: Sequence[Stage]
    guards: Guards
    diagnose: Diagnose | None = None
    follow_ups: Sequence[FollowUp] = ()


def signature_problem(fn, params: Sequence[str]) -> Problem | None:
    """Whether fn can be called with the exercise's parameters, in order."""
    wanted = f"({', '.join(params)})"
    if not callable(fn):
        return Problem(_("expected a function taking {parameters}, got {type} {value!r}").format(
            parameters=wanted, type=type(fn).__name__, value=fn), hint="")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*params)
    except TypeError:
        return Problem(_("the function takes {signature}, expected {parameters}").format(
            signature=signature, parameters=wanted), wanted, str(signature),
                       _("keep the parameters the exercise gives, in the same order"))
    return None


def _failed(name: str, problem: Problem) -> CaseResult:
    return CaseResult(name, False, problem.message, problem.expected, problem.actual, problem.hint, problem.mistake)


def _apply(stage: Stage, case: Case | None, value) -> Problem | None:
    """A stage's verdict; whatever the learner returned, a stage that cannot read it is a failure
    of the learner's value, never a crash of the check."""
    try:
        return stage(value) if case is None else stage(case, value)
    except Exception as error:  # the value may be anything: a function, a generator, a ragged list
        return Problem(_("returns something the check cannot read ({error_type}: {error})").format(
            error_type=type(error).__name__, error=error),
                       actual=describe(value), hint=_("return plain numbers, arrays or tensors, as the exercise asks"))


def run_check(spec: Spec, fn, cases: Sequence[Case], target: Target | None = None) -> CheckResult:
    """Check fn (or the function ``target`` reaches) on every case, stage by stage; the first
    failing stage ends the check.

    When the last stage (the values) fails, ``spec.diagnose`` may name the likely mistake.
    """
    target = target or Target(fn, spec.guards)
    result = CheckResult(spec.title)
    problem = target.signature_problem(spec.params)
    if problem:
        result.add(_failed(_("can be called as the exercise asks"), problem))
        return result
    invoke = target.call
    outputs = []
    for case in cases:
        outcome = target.run(case.run) if case.run else invoke(*case.args, watch=case.watch)
        if outcome.error:
            problem = Problem(outcome.error, hint=outcome.hint, mistake=outcome.mistake)
            if case.explain_error is not None and not case.run:
                problem = _diagnosed(problem, _explained(case, invoke, outcome.error))
            result.add(_failed(case.name, problem))
            return result
        outputs.append(outcome.value)
    for stage in spec.stages:
        failures = [(case, p) for case, out in zip(cases, outputs) if (p := _apply(stage, case, out))]
        if failures:
            case, problem = failures[0]
            if len(failures) > 1:
                problem = _more(problem, len(failures) - 1)
            if stage is spec.stages[-1] and spec.diagnose is not None and not problem.hint:
                problem = _diagnosed(problem, spec.diagnose(invoke, cases, outputs, case))
            result.add(_failed(case.name, problem))
            return result
    for case in cases:
        result.add(CaseResult(case.name, True))
    for follow_up in spec.follow_ups:
        outcome = target.run(follow_up.run)
        problem = (Problem(outcome.error, hint=outcome.hint, mistake=outcome.mistake) if outcome.error
                   else _apply(follow_up.judge, None, outcome.value))
        result.add(_failed(follow_up.name, problem) if problem else CaseResult(follow_up.name, True))
        if problem:
            break
    return result


def _more(problem: Problem, count: int) -> Problem:
    return Problem(ngettext("{message} (and {count} more case(s) fail the same way)",
                            "{message} (and {count} more case(s) fail the same way)", count).format(
        message=problem.message, count=count), problem.expected,
                   problem.actual, problem.hint, problem.mistake)


def _explained(case: Case, invoke: Invoke, error: str) -> Diagnosis | None:
    try:
        return case.explain_error(invoke, case, error)
    except Exception:  # probing with the learner's values must not crash the check; keep the error's hint
        return None


def _diagnosed(problem: Problem, diagnosis: Diagnosis | None) -> Problem:
    if diagnosis is None or not diagnosis.hint:
        return problem
    return Problem(problem.message, problem.expected, problem.actual, diagnosis.hint, diagnosis.mistake)


# ----- stages every kind of exercise uses -------------------------------------------------------

def number_type(case: Case, value) -> Problem | None:
    if not is_number(value):
        return Problem(_("returns {got}, expected a single number").format(got=describe(value)),
                       _("a float or a 0-d tensor"), describe(value),
                       _("return the total as one number, not an array or a list"))
    return None


def finite(case: Case, value) -> Problem | None:
    array = to_numpy(value).astype(float)
    if not np.all(np.isfinite(array)):
        if array.ndim == 0:
            message = _("returns NaN or inf")
        else:
            index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            message = _("returns NaN or inf at index {index}").format(index=index)
        return Problem(message, _("finite numbers"), short(array),
                       _("look for a division by zero or a log of 0, e.g. dividing by a count that can be 0"))
    return None


def array_of_shape(shape_name: str, shape_hint: Callable[[Case, tuple], str] | None = None) -> Stage:
    """Stage: an array of floats of the shape of case.expected, named ``shape_name`` in messages;
    ``shape_hint(case, wrong_shape)`` may explain a wrong shape better than the generic hints."""

    def stage(case: Case, value) -> Problem | None:
        expected = tuple(np.shape(case.expected))
        if not is_array(value):
            return Problem(_("returns {got}, expected an array").format(got=describe(value)),
                           _("array of shape {shape_name} = {shape}").format(shape_name=shape_name, shape=expected),
                           describe(value), "")
        got = tuple(value.shape)
        if got != expected:
            hint = _("it looks transposed") if got == expected[::-1] else ""
            if len(got) == len(expected) - 1:
                hint = _("a sum lost a dimension: keep it with keepdims=True (or reshape)")
            if shape_hint is not None:
                hint = shape_hint(case, got) or hint
            return Problem(_("returns shape {got}, expected {shape_name} = {shape}").format(
                got=got, shape_name=shape_name, shape=expected), str(expected), str(got), hint)
        if not np.issubdtype(to_numpy(value).dtype, np.floating):
            return Problem(_("returns dtype {dtype}, expected floating point").format(dtype=to_numpy(value).dtype),
                           _("float32 or float64"),
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
            return Problem(_("wrong value"), short(expected), short(actual), hint)
        diff = difference(actual, expected)
        first = tuple(int(i) for i in np.argwhere(diff > case.rtol * scale(expected))[0])
        message = _("wrong values: first mismatch at index {index} ({actual:.6g} instead of {expected:.6g}), "
                    "largest difference {difference:.3g}").format(index=first, actual=actual[first],
                                                                  expected=expected[first], difference=diff.max())
        return Problem(message, short(expected), short(actual), hint)

    return stage
