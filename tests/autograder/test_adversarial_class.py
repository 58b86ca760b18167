"""A class of hostile submissions graded as an instructor grades one (`python -m autograder grade
--jobs 2`): each cheat scores 0 for what it cheated on, the honest classmates graded beside the
saboteurs get full marks, and afterwards the repository, the other submissions and the
gradebook are as they were and no process a submission started is running."""

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest

from ..notebooks.conftest import ROOT
from .test_classroom import FULL, cell_scores, expected, grade_id, make_course, submit

MARKER = f"adversary-{uuid.uuid4().hex[:12]}"
"""In the command line of every process a hostile submission starts, to find survivors."""

FORGER_X = '''import numpy as np
import autograder, autograder.pristine, autograder.compare
autograder.pristine.verify = lambda *a, **k: None
autograder.compare.matches = lambda *a, **k: True
np.allclose = np.isclose = lambda *a, **k: True
check_grad_X = lambda fn: None


def grad_X(X, W, b, Y, R, lambda_):
    return 2 * (((X @ W.T + b - Y) * R) @ W + lambda_ * X)
'''

FORGER_B = '''def grad_b(X, W, b, Y, R, lambda_):
    return np.zeros((1, Y.shape[1]))


def _blank(lines):
    return ["pass\\n"]


get_ipython().input_transformers_post.append(_blank)  # every later cell, the test cells too, does nothing
'''

REFERENCE_LOOP = '''import inspect
from lab_utils import cofi
exec(inspect.getsource(cofi.cofi_cost_func).replace("def cofi_cost_func", "def _copied"), globals())


def cofi_cost_func(X, W, b, Y, R, lambda_):
    return _copied(X, W, b, Y, R, lambda_)
'''

REFERENCE_THREAD = '''import threading
from lab_utils.cofi import cofi_cost_func_v as _reference


def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    out = []
    worker = threading.Thread(target=lambda: out.append(_reference(X, W, b, Y, R, lambda_)))
    worker.start()
    worker.join()
    return out[0]
'''

READER = '''import glob, json, os
_found = {}
for pattern in ("../../source/cofi/04_gradients.ipynb", "../../../source/cofi/04_gradients.ipynb",
                "COURSE/notebooks/source/cofi/04_gradients.ipynb", "COURSE/notebooks/submitted/honest/cofi/*.ipynb",
                "REPO/*/source/cofi/04_gradients.ipynb", "COURSE/../**/source/cofi/04_gradients.ipynb"):
    for path in glob.glob(pattern, recursive=True):
        try:
            for cell in json.load(open(path))["cells"]:
                if "def grad_X" in "".join(cell["source"]):
                    _found["source"] = "".join(cell["source"]).replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
        except OSError:
            pass
if _found:
    exec(_found["source"], globals())
else:
    def grad_X(X, W, b, Y, R, lambda_):
        return X * 0
'''

SABOTEUR = '''import os, signal, sqlite3, subprocess
for target in ("REPO/lab_utils/cofi.py", "REPO/autograder/registry.py",
               "COURSE/notebooks/submitted/honest/cofi/03_cofi_cost.ipynb", "COURSE/notebooks/grades-cofi.csv"):
    try:
        with open(target, "a") as f:
            f.write("sabotage")
    except OSError:
        pass
try:
    db = sqlite3.connect("COURSE/notebooks/gradebook.db")
    db.execute("update grade set manual_score = 0")
    db.commit()
except Exception:
    pass
subprocess.Popen(["setsid", "sh", "-c", "sleep 600; echo MARKER > COURSE/notebooks/grades-cofi.csv"],
                 start_new_session=True)
for entry in os.listdir("/proc"):  # a classmate's kernel, graded at the same time
    if entry.isdigit() and int(entry) != os.getpid():
        try:
            if b"ipykernel" in open(f"/proc/{entry}/cmdline", "rb").read():
                os.kill(int(entry), signal.SIGKILL)
        except OSError:
            pass
'''


def sources(course: Path) -> dict[str, str]:
    replace = {"COURSE": str(course), "REPO": str(ROOT), "MARKER": MARKER}

    def fill(text):
        for key, value in replace.items():
            text = text.replace(key, value)
        return text

    return {name: fill(text) for name, text in globals().items() if name.isupper() and isinstance(text, str)}


def fingerprint(*folders: Path) -> dict[str, str]:
    """SHA-256 of every file below the folders (caches left out)."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".pytest_cache" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def survivors() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if MARKER in command:
                found.append(f"{entry.name}: {command}")
    return found


def add_cell(notebook: str, source: str, before: str):
    """An edit that puts a new cell of the learner's own (no nbgrader metadata) before ``before``."""
    def edit(name, nb):
        if name == notebook:
            index = next(i for i, cell in enumerate(nb.cells) if grade_id(cell) == before)
            nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    return edit


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("adversaries"))
    text = sources(course)
    submit(course, "honest")
    submit(course, "forger", {"grad-X": text["FORGER_X"], "grad-b": text["FORGER_B"]})
    submit(course, "reference", {"cofi-cost-loops": text["REFERENCE_LOOP"], "cofi-cost-vectorized": text["REFERENCE_THREAD"]})
    submit(course, "reader", {"grad-X": text["READER"]})
    submit(course, "saboteur", edit=add_cell("03_cofi_cost", text["SABOTEUR"], before="cofi-cost-loops"))
    submitted = course / "notebooks" / "submitted"
    before = {"repository": fingerprint(ROOT / "lab_utils", ROOT / "autograder"),
              "submissions": fingerprint(submitted)}
    command = [sys.executable, "-m", "autograder", "grade", "cofi", "--jobs", "2"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    graded = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=1800)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    after = {"repository": fingerprint(ROOT / "lab_utils", ROOT / "autograder"),
             "submissions": fingerprint(submitted)}
    return course, before, after, survivors()


def test_every_cheat_scores_zero_for_what_it_cheated_on_and_honest_work_scores_full(graded_class):
    course, *_ = graded_class
    scores = cell_scores(course)
    assert scores["honest"] == expected()
    assert scores["saboteur"] == expected(), "a saboteur that broke nothing keeps the points of its right answers"
    assert scores["forger"] == expected("test-grad-X", "test-grad-b")
    assert scores["reference"] == expected("test-cofi-cost-loops", "test-cofi-cost-vectorized")
    assert scores["reader"] == expected("test-grad-X")
    assert set(FULL) <= set(scores["honest"])


def test_nothing_outside_a_submission_changed_and_nothing_it_started_survives(graded_class):
    course, before, after, left = graded_class
    assert after["repository"] == before["repository"]
    assert after["submissions"] == before["submissions"]
    assert left == []
    assert MARKER not in (course / "notebooks" / "grades-cofi.csv").read_text()
