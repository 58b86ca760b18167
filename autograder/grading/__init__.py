"""Grading a whole class with nbgrader: ``python -m autograder grade ASSIGNMENT --jobs N``.

settings (the course and its limits, from nbgrader_config.py) -> scheduler.ClassGrader (what to
grade, several at a time, resumably) -> nbgrader_run (one ``nbgrader autograde`` process, forked
from forkserver's, which has imported nbgrader and TensorFlow once) ->
reasons (why a notebook scored less, from what nbgrader wrote) -> records (one JSON file per
student) and csv_report (``grades-<assignment>.csv``).
"""

from .records import SubmissionRecord
from .scheduler import ClassGrader
from .settings import Course, Limits, load_course

__all__ = ["ClassGrader", "Course", "Limits", "SubmissionRecord", "load_course"]
