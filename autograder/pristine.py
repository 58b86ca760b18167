"""Hidden tests that a learner's cell cannot talk round.

A learner's cell runs in the same kernel as the tests, so it can redefine ``check_cofi_cost``,
patch ``autograder.engine`` or replace ``np.allclose``. ``verify`` therefore loads a private
copy of the autograder and lab_utils packages from disk (new module objects that no learner
cell has touched; the checks never use np.isclose or np.allclose) and runs the exercise's hidden
cases, drawn afresh, with it. nbgrader puts these calls between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS``, so learners never see them in their notebook or in their feedback.
"""

from __future__ import annotations

import importlib
import sys

_PACKAGES = ("lab_utils", "autograder")


def _ours(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in _PACKAGES)


def fresh_checks():
    """A newly imported ``autograder.checks`` with its own ``lab_utils``; the modules the
    notebook already uses are put back in place afterwards."""
    saved = {name: module for name, module in sys.modules.items() if _ours(name)}
    for name in saved:
        del sys.modules[name]
    try:
        return importlib.import_module("autograder.checks")
    finally:
        for name in [n for n in sys.modules if _ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved)


def verify(key: str, fn) -> None:
    """Run exercise ``key``'s hidden cases on fn with a fresh copy of the checks; show the result
    and raise AssertionError if anything is wrong."""
    checks = fresh_checks()
    checks.report(checks.evaluate(key, fn, hidden=True))
