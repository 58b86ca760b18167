"""Sealed verification: the score decided in a process that never runs learner code.

The learner's notebook runs in a sandbox (``harness``); the grading side (``decide``) draws the
hidden cases, sends each call's inputs over a pipe as plain data (``wire``), and compares what
comes back with expected values that never leave the grading process. While the learner's code
runs, the reference of the exercises being checked is replaced by stubs (``mask``).
"""
