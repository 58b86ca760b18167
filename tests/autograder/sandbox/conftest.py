"""A submission folder per test (tests/conftest.py installs bwrap where it is missing)."""

import pytest


@pytest.fixture
def writable(tmp_path):
    """The private copy of a submission: the one host folder the sandbox may write."""
    folder = tmp_path / "submission"
    folder.mkdir()
    return folder
