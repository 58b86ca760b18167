import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session", autouse=True)
def bwrap():
    """Grading runs learners' code in bubblewrap sandboxes (nbgrader_config.py's SealedVerdict):
    install it where it is missing, as tests/browser installs chromium, and fail early if this
    machine cannot make one."""
    from autograder.sandbox import available, ensure_bwrap

    path = ensure_bwrap()
    reason = available()
    assert reason is None, reason
    return path

