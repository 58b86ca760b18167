"""Hidden tests that a learner's cell cannot talk round.

A learner's cell runs in the same kernel as the tests, so it can redefine ``check_cofi_cost``,
patch ``autograder.engine`` or replace ``np.allclose``. ``verify`` therefore loads a private
copy of the autograder and of the course's reference packages from disk (new module objects
that no learner cell has touched; the checks never use np.isclose or np.allclose) and runs the
exercise's hidden cases, drawn afresh, with it. nbgrader puts these calls between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, so learners never see them in their
notebook or in their feedback.
"""

from __future__ import annotations

import importlib
import os
import sys

_HOME = __name__.rpartition(".")[0]

SEALED = "AUTOGRADER_SEALED"
"""Set in the grading kernel's environment (autograder/sandbox/kernel.py) to the exercises whose
hidden cases the sealed verification checks right after, comma-separated: ``verify`` leaves those
to it, whose result shows in the same cell, instead of running them twice. The learner's code may
change it, which decides nothing: the score is the sealed verification's."""
EXERCISES = f"{_HOME}.exercises"
"""The course's exercise package: it names the reference packages to load afresh as well."""


def _within(name: str, packages) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def fresh_registry():
    """A newly imported registry with the course's exercises and reference packages freshly
    loaded from disk; the modules the notebook already uses are put back in place afterwards."""
    saved = dict(sys.modules)
    packages = [_HOME]
    try:
        _forget(packages)
        packages.extend(importlib.import_module(EXERCISES).REFERENCE_PACKAGES)
        _forget(packages)
        return importlib.import_module(EXERCISES).load()
    finally:
        _forget(packages)
        sys.modules.update({n: m for n, m in saved.items() if _within(n, packages)})


def _forget(packages) -> None:
    for name in [n for n in sys.modules if _within(n, packages)]:
        del sys.modules[name]


def verify(key: str, fn) -> None:
    """Run exercise ``key``'s hidden cases on fn with a fresh copy of the checks; show the result
    and raise AssertionError if anything is wrong. Nothing when grading seals them (``SEALED``)."""
    if key in os.environ.get(SEALED, "").split(","):
        return
    registry = fresh_registry()
    registry.check(key, fn, hidden=True)
