"""Checks that tell a learner what is wrong with a graded exercise.

In a notebook: ``check_cofi_cost(cofi_cost_func)`` shows a green or red line per case and
raises AssertionError when something is wrong, so nbgrader scores the cell 0.
"""

from .checks import (
    check_closest_movies, check_cofi_cost, check_cofi_cost_v, check_grad_b, check_grad_W, check_grad_X,
    check_hand_derivative, check_squared_distance, check_tape_cost, check_train_cofi, check_train_step,
    evaluate_closest_movies, evaluate_cofi_cost, evaluate_cofi_cost_v, evaluate_grad_b, evaluate_grad_W,
    evaluate_grad_X, evaluate_hand_derivative, evaluate_squared_distance, evaluate_tape_cost,
    evaluate_train_cofi, evaluate_train_step,
)
from .result import CaseResult, CheckResult

__all__ = [name for name in dir() if name.startswith(("check_", "evaluate_"))] + ["CaseResult", "CheckResult"]
