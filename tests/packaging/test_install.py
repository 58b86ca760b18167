"""The labs outside the checkout, as an instructor installs them: the wheel and the sdist that
`python -m build` makes, installed into a fresh virtual environment, and the notebooks run
against that install from a folder that holds nothing but the notebooks (issue 17)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from lab_utils.data import CHECKSUMS

from .run_notebooks import PROBE_MARK

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_notebooks.py")
NOTEBOOKS = {"release": ROOT / "notebooks" / "release" / "cofi", "source": ROOT / "notebooks" / "source" / "cofi"}
"""The learner notebooks an instructor hands out, and the instructor notebooks with solutions."""
PACKAGES = ("lab_utils", "autograder")
DATA = "lab_utils/movielens"
CATALOGS = {path.relative_to(ROOT).as_posix() for path in (ROOT / "lab_utils" / "locale").rglob("*.po*")}
"""The message catalogs lab_utils.i18n reads at run time (and their template)."""
LICENSE_FILES = ("LICENSE", f"{DATA}/README.md")
"""The code's MIT license, and the MovieLens README with GroupLens' citation and usage terms."""
NOT_PASSED_ON = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "LAB_UTILS_DATA", "JUPYTER_PATH",
                 "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR")
"""Variables that could lead the installed labs back to the checkout, its data or another kernel."""
RUN_TIMEOUT = 1800
"""Seconds for one folder of notebooks, far above what they take: a hung kernel fails the test, not CI."""


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path
    output: str
    """What `python -m build` printed, stdout and stderr."""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("dist")
    # PYTHONDONTWRITEBYTECODE, set on some machines (this one), makes setuptools warn that it
    # skips byte-compiling: a warning about the machine, not about the project's build.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(folder), str(ROOT)], cwd=folder,
                            env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    wheels, sdists = sorted(folder.glob("*.whl")), sorted(folder.glob("*.tar.gz"))
    if result.returncode != 0 or len(wheels) != 1 or len(sdists) != 1:
        pytest.fail(f"python -m build exited {result.returncode} and made {wheels + sdists}:\n{output[-5000:]}")
    return Built(wheels[0], sdists[0], output)


def pip(environment: Path, *args: str) -> None:
    result = subprocess.run([str(environment / "bin" / "python"), "-m", "pip", "--quiet", *args],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"pip {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def environment(tmp_path_factory, built) -> Iterator[Path]:
    """A fresh virtual environment outside the repository with the wheel and its dependencies
    installed, as in an instructor's JupyterHub image; each test reinstalls its own artifact."""
    folder = tmp_path_factory.mktemp("venv")
    assert not folder.is_relative_to(ROOT)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    pip(folder, "install", str(built.wheel))
    yield folder
    # Some 2.5 GB with TensorFlow: not left behind in each of the test runs pytest keeps.
    shutil.rmtree(folder, ignore_errors=True)


def test_build_makes_the_wheel_and_the_sdist_without_warnings(built):
    assert built.wheel.name == "tf_cofi_labs-0.1.0-py3-none-any.whl"
    assert built.sdist.name == "tf_cofi_labs-0.1.0.tar.gz"
    warnings = [line for line in built.output.splitlines() if "warning" in line.lower()]
    assert not warnings, warnings


def test_wheel_carries_both_packages_and_the_data_with_its_terms_and_nothing_else(built):
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        contents = {name: wheel.read(name) for name in names}
    dist_info = "tf_cofi_labs-0.1.0.dist-info"
    assert {name.split("/")[0] for name in names} == {*PACKAGES, dist_info}, "only the two packages are installed"
    modules = {path.relative_to(ROOT).as_posix() for package in PACKAGES for path in (ROOT / package).rglob("*.py")
               if "__pycache__" not in path.parts}
    assert modules <= names, f"modules left out of the wheel: {sorted(modules - names)}"
    for file, checksum in CHECKSUMS.items():
        assert hashlib.sha256(contents[f"{DATA}/{file}"]).hexdigest() == checksum
    assert [name for name in names if name.endswith("ratings.csv")] == [f"{DATA}/ratings.csv"], "one copy of the data"
    assert CATALOGS <= names, f"the learner's messages in every language: {sorted(CATALOGS - names)} left out"
    assert b"GroupLens" in contents[f"{DATA}/README.md"] and b"Citation" in contents[f"{DATA}/README.md"]
    for license_file in LICENSE_FILES:
        assert f"{dist_info}/licenses/{license_file}" in names
    assert not [name for name in names if name.endswith((".ipynb", ".pyc")) or "tests/" in name]
    assert not [name for name, content in contents.items() if b"### BEGIN SOLUTION" in content], \
        "no solution of a source notebook is in the wheel"
    metadata = contents[f"{dist_info}/METADATA"].decode()
    for field in ["Name: tf-cofi-labs", "Version: 0.1.0", "License-Expression: MIT", "Requires-Python: >=3.10",
                  "Project-URL: Source, https://github.com/tf-cofi-labs/tf-cofi-labs",
                  "Classifier: Intended Audience :: Education", "Description-Content-Type: text/markdown"]:
        assert field in metadata.splitlines()


def test_sdist_carries_the_data_readme_and_licenses_but_no_tests_or_notebooks(built):
    with tarfile.open(built.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "PKG-INFO", "README.md", *LICENSE_FILES} <= names
    assert {f"{DATA}/{file}" for file in CHECKSUMS} <= names
    assert CATALOGS <= names
    assert not [name for name in names if name.split("/")[0] in {"tests", "notebooks", "test-artifacts", "benchmarks"}
                or "__pycache__" in name or name.endswith(".ipynb")]


def copy_notebooks(folder: Path) -> Path:
    """Only the notebooks, as an instructor hands them out: release/ and source/ side by side."""
    for kind, source in NOTEBOOKS.items():
        (folder / kind).mkdir(parents=True)
        for notebook in sorted(source.glob("*.ipynb")):
            shutil.copy(notebook, folder / kind)
    return folder


def run_notebooks(environment: Path, course: Path, executed: Path) -> dict[str, dict[str, nbformat.NotebookNode]]:
    """Run release/ and source/ at the same time (two kernels keep both cores busy) with the
    environment's own python, and read back every executed notebook: kind -> name -> notebook."""
    env = {name: value for name, value in os.environ.items() if name not in NOT_PASSED_ON}
    env.update(HOME=str(executed / "home"), PATH=f"{environment / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    runs = {}
    try:
        for kind in NOTEBOOKS:
            (executed / kind).mkdir(parents=True)
            names = sorted(path.name for path in (course / kind).glob("*.ipynb"))
            with open(executed / f"{kind}.log", "w") as log:
                # -I: neither the runner's folder (in the checkout) nor PYTHON* variables on its path.
                runs[kind] = subprocess.Popen([str(environment / "bin" / "python"), "-I", str(RUNNER),
                                               str(course / kind), str(executed / kind), *names],
                                              cwd=course / kind, env=env, stdout=log, stderr=subprocess.STDOUT)
        for process in runs.values():
            process.wait(timeout=RUN_TIMEOUT)
    finally:
        for process in runs.values():
            process.kill()
            process.wait()
    for kind, process in runs.items():
        assert process.returncode == 0, f"{kind} notebooks did not run:\n{(executed / f'{kind}.log').read_text()[-5000:]}"
    return {kind: {path.name: nbformat.read(path, as_version=4) for path in sorted((executed / kind).glob("*.ipynb"))}
            for kind in NOTEBOOKS}


def errors(nb) -> list[tuple[int, nbformat.NotebookNode]]:
    return [(index, output) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for output in cell.outputs if output.output_type == "error"]


def is_solution(cell) -> bool:
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def where_the_kernel_found_the_labs(nb) -> dict[str, str]:
    printed = "".join(output.text for output in nb.cells[0].outputs if output.get("name") == "stdout")
    assert printed.startswith(PROBE_MARK), f"the probe cell printed {printed!r}"
    return json.loads(printed.removeprefix(PROBE_MARK))


def stops_at_an_unwritten_exercise(error) -> bool:
    """A demo cell that calls the exercise raises NotImplementedError; a test cell reports it in its AssertionError."""
    return error.ename == "NotImplementedError" or (error.ename == "AssertionError"
                                                    and "NotImplementedError" in error.evalue)


@pytest.mark.parametrize("artifact", ["wheel", "sdist"])
def test_labs_run_against_the_installed_package_from_a_folder_of_notebooks_alone(
        built, environment, tmp_path, artifact):
    package = getattr(built, artifact)
    pip(environment, "install", "--force-reinstall", "--no-deps", str(package))
    installed = json.loads(next(environment.glob("lib/python*/site-packages/tf_cofi_labs-*.dist-info/direct_url.json"))
                           .read_text())
    assert installed["url"].endswith(package.name), "the artifact under test is what pip installed"

    executed = run_notebooks(environment, copy_notebooks(tmp_path / "course"), tmp_path / "executed")

    assert {kind: sorted(found) for kind, found in executed.items()} == \
        {kind: sorted(path.name for path in folder.glob("*.ipynb")) for kind, folder in NOTEBOOKS.items()}
    for kind, notebooks in executed.items():
        for name, nb in notebooks.items():
            found = where_the_kernel_found_the_labs(nb)
            assert Path(found["executable"]).is_relative_to(environment), (name, found)
            for module in ["lab_utils", "autograder"]:
                assert Path(found[module]).is_relative_to(environment), (name, found)
            assert Path(found["shipped_data"]) == Path(found["lab_utils"]).parent / "movielens", (name, found)
            raised = errors(nb)
            if kind == "source":
                assert not raised, f"source/{name}: {[(index, error.ename, error.evalue) for index, error in raised]}"
                assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code"), f"source/{name}"
                continue
            assert len(raised) == 1, f"release/{name} ran on past an error or ran clean: {raised}"
            index, error = raised[0]
            assert stops_at_an_unwritten_exercise(error), f"release/{name} cell {index}: {error.ename}: {error.evalue}"
            first_exercise = min(i for i, cell in enumerate(nb.cells) if is_solution(cell))
            assert index >= first_exercise, f"release/{name} stopped at cell {index}, before its first exercise"
