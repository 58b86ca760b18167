"""Fixtures shared by the autograder's tests."""

import numpy as np
import pytest


@pytest.fixture
def restore_numpy(monkeypatch):
    """A cheat of the catalogue replaces np.allclose and np.isclose; put them back after each test."""
    monkeypatch.setattr(np, "allclose", np.allclose)
    monkeypatch.setattr(np, "isclose", np.isclose)
