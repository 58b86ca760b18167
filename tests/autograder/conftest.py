"""Fixtures shared by the autograder's tests."""

import contextlib
import signal

import numpy as np
import pytest


@contextlib.contextmanager
def interruptible():
    """SIGINT raising KeyboardInterrupt in this process meanwhile, and in the Python processes it
    starts, whatever this one inherited: a shell starts a background job (``make test &``) with
    SIGINT ignored, which Python and every process it starts then keep, so an interrupt test would
    interrupt nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture
def restore_numpy(monkeypatch):
    """A cheat of the catalogue replaces np.allclose and np.isclose; put them back after each test."""
    monkeypatch.setattr(np, "allclose", np.allclose)
    monkeypatch.setattr(np, "isclose", np.isclose)
