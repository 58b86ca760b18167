"""autograder.engine: the staged order, and that nothing a learner's function returns or does in a
follow-up case escapes as a crash of the check."""

import numpy as np

from autograder.engine import Case, FollowUp, Problem, Run, Spec, number_type, run_check
from autograder.runner import Guards

from .test_checks import failing, registry


def spec(*stages, follow_ups=(), forbidden=None, timeout=5.0):
    return Spec("exercise", ("a",), stages, Guards(timeout, forbidden or {}), follow_ups=follow_ups)


def test_a_stage_that_cannot_read_the_value_fails_the_case_instead_of_raising():
    def reads_as_float(case, value):
        float(value)

    result = run_check(spec(reads_as_float), lambda a: (lambda: None), [Case("one", args=(1,))])
    case = failing(result)
    assert case.message.startswith("returns something the check cannot read (TypeError: float() argument")
    assert case.actual == "function"


def tries_a_string(invoke):
    return invoke("text")


def test_follow_ups_run_only_after_every_stage_passes_and_hold_the_learners_function_to_its_guards():
    def slow(a):
        if isinstance(a, str):
            while True:
                pass
        return 1.0

    string = FollowUp("with a string", Run(tries_a_string), lambda value: Problem("no number") if value != 1.0 else None)
    result = run_check(spec(number_type, follow_ups=[string], timeout=1.0), slow, [Case("one", args=(1,))])
    assert [c.passed for c in result.cases] == [True, False]
    assert result.cases[-1].name == "with a string" and result.cases[-1].message == "did not finish within 1 seconds"
    assert run_check(spec(number_type, follow_ups=[string]), lambda a: 1.0, [Case("one", args=(1,))]).passed
    early = run_check(spec(number_type, follow_ups=[string]), lambda a: "no", [Case("one", args=(1,))])
    assert [c.name for c in early.cases] == ["one"]


def test_a_training_loop_that_appends_the_step_function_gets_a_check_result():
    from .solutions import train_cofi

    def appends_the_function(*args):
        X, W, b, history = train_cofi(*args)
        return X, W, b, [train_cofi] * len(history)

    case = failing(registry.evaluate("train_cofi", appends_the_function))
    assert case.message.startswith("history[0] is function, expected the cost as a number")
    assert "not the step function itself" in case.hint


def test_a_known_mistake_is_carried_as_data():
    case = failing(registry.evaluate("squared_distance", lambda a, b: np.sqrt(np.sum((a - b) ** 2))))
    assert case.mistake == "the square root is taken"
