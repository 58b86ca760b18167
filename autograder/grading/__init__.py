"""Grading a whole class with nbgrader: ``python -m autograder grade ASSIGNMENT --jobs N``.

settings (the course and its limits, from nbgrader_config.py) -> scheduler.ClassGrader (what to
grade, several at a time, resumably) -> nbgrader_run (one ``nbgrader autograde`` process, forked
from forkserver's, which has imported nbgrader and TensorFlow once) ->
reasons (why a notebook scored less, from what nbgrader wrote) -> records (one JSON file per
student) and csv_report (``grades-<assignment>.csv``).
"""

__all__ = ["ClassGrader", "Course", "Limits", "SubmissionRecord", "load_course"]

_HOMES = {"ClassGrader": "scheduler", "Course": "settings", "Limits": "settings", "load_course": "settings",
          "SubmissionRecord": "records"}


def __getattr__(name):
    # Loaded on first use: they import nbgrader (about 1.5 s), and the command line starts the
    # fork server (forkserver.py, standard library only) before that.
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
