"""Checks that tell a learner what is wrong with a graded exercise, and grading a whole class.

In a notebook: ``check_cofi_cost(cofi_cost_func)`` shows a green or red line per case and
raises AssertionError when something is wrong, so nbgrader scores the cell 0. For a class:
``python -m autograder grade ASSIGNMENT --jobs N`` (see classroom.py).

The checks import TensorFlow; they are loaded on first use so the command line starts quickly.
"""

from .result import CaseResult, CheckResult

__all__ = ["CaseResult", "CheckResult"]  # and check_* / evaluate_* from checks, loaded on first use


def __getattr__(name):
    if name.startswith(("check_", "evaluate_")):
        from . import checks
        return getattr(checks, name)
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")
