"""Checks that tell a learner what is wrong with a graded exercise, and grading a whole class.

In a notebook: ``check_cofi_cost(cofi_cost_func)`` shows a green or red line per case and
raises AssertionError when something is wrong, so nbgrader scores the cell 0;
``evaluate_cofi_cost(fn)`` returns the CheckResult. For a class:
``python -m autograder grade ASSIGNMENT --jobs N``.

The layout: a core that knows no course (``engine``, ``runner``, ``compare``, ``mistakes``,
``result``, ``registry``, ``pristine``), the course's exercises in ``exercises/`` (one module per
lab), and class grading in ``grading/``. The exercises import TensorFlow, so they are loaded on
first use and the command line starts quickly.
"""

from .result import CaseResult, CheckResult

__all__ = ["CaseResult", "CheckResult"]  # and check_* / evaluate_* for every exercise, loaded on first use


def __getattr__(name):
    if name.startswith(("check_", "evaluate_")):
        from .exercises import load

        registry = load()
        key = name.split("_", 1)[1]
        if key in registry.EXERCISES:
            evaluate, check = registry.checker(key)
            return check if name.startswith("check_") else evaluate
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")
