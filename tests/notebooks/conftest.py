"""Shared fixtures: notebooks executed once per session, and a scratch nbgrader course."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "notebooks" / "source" / "cofi"
RELEASE = ROOT / "notebooks" / "release" / "cofi"
NOTEBOOKS = sorted(p.name for p in SOURCE.glob("*.ipynb"))
PLOTLESS = {"03_cofi_cost.ipynb", "04_gradients.ipynb"}
"""The notebooks that draw no plot."""
BIN = Path(sys.executable).parent


def execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel, keeping going after errors."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


class Executed(dict):
    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def __missing__(self, name):
        self[name] = execute(self.folder / name)
        return self[name]


@pytest.fixture(scope="session")
def executed_source():
    return Executed(SOURCE)


@pytest.fixture(scope="session")
def executed_release():
    return Executed(RELEASE)


def nbgrader(*args, cwd: Path) -> subprocess.CompletedProcess:
    """Run the nbgrader command line with this environment's bin first on PATH (it runs alembic)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def make_course(folder: Path, notebooks=None) -> Path:
    """A copy of the course in ``folder``: the config and the source notebooks (all, or the
    named ones), with the release generated."""
    source = folder / "notebooks" / "source" / "cofi"
    source.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    for name in notebooks or [n.removesuffix(".ipynb") for n in NOTEBOOKS]:
        shutil.copy(SOURCE / f"{name}.ipynb", source)
    nbgrader("generate_assignment", "cofi", "--force", cwd=folder)
    return folder


@pytest.fixture
def course(tmp_path) -> Path:
    """The whole course in a scratch folder, release generated."""
    return make_course(tmp_path)
