"""Sealed verification: each learner's function is judged in this process from what the harness
sends back, so nothing a notebook does in its own process can pass a wrong answer, or reach the
reference or the expected values."""

import sys

import nbformat
import pytest
from traitlets.config import Config

from autograder.sandbox import THREADS
from autograder.sealed.verdict import SealedVerdict
from lab_utils.i18n import SOURCE as SOURCE_LANGUAGE
from lab_utils.i18n import available

from ...editions.words import shows
from ...notebooks.conftest import SOURCE

GRADIENT_X = "def grad_X(X, W, b, Y, R, lambda_):\n    return ((X @ W.T + b - Y) * R) @ W + lambda_ * X\n"


def notebook(name: str, answers: dict[str, str]):
    """A source notebook with the given solution cells (grade id -> source) replaced."""
    nb = nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def sealed(nb, timeout=60) -> dict[str, tuple[bool, str]]:
    """Test cell grade id -> (passed, the sealed result's text)."""
    config = Config()
    config.Execute.timeout = timeout
    nb, _ = SealedVerdict(config=config).preprocess(nb, {})
    verdicts = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        texts = [o.data["text/plain"] for o in cell.get("outputs", []) if o.output_type == "display_data"]
        if texts:
            errors = [o for o in cell.outputs if o.output_type == "error"]
            verdicts[grade_id] = (not errors, "\n".join(texts))
    return verdicts


def test_correct_answers_pass_and_nothing_else_runs_in_this_process():
    verdicts = sealed(notebook("04_gradients", {}))
    assert {g: passed for g, (passed, _) in verdicts.items()} == {"test-grad-X": True, "test-grad-W": True,
                                                                   "test-grad-b": True}
    assert all("(sealed verification): all tests passed" in text for _, text in verdicts.values())


REFERENCE_ATTACKS = {
    # import the reference and call it
    "grad-X": "from lab_utils.cofi import cofi_gradients\n\n\ndef grad_X(X, W, b, Y, R, lambda_):\n"
              "    return cofi_gradients(X, W, b, Y, R, lambda_)[0]\n",
    # execute the reference's source, obtained with inspect, under another name
    "grad-W": "import inspect\nfrom lab_utils import cofi\n"
              "exec(inspect.getsource(cofi.cofi_gradients).replace('def cofi_gradients', 'def _mine'), globals())\n\n\n"
              "def grad_W(X, W, b, Y, R, lambda_):\n    return _mine(X, W, b, Y, R, lambda_)[1]\n",
    # copy the code object of the autograder's own private helper, call it from a thread
    "grad-b": "import threading, types\nfrom autograder.exercises import gradients\n\n\n"
              "def grad_b(X, W, b, Y, R, lambda_):\n    out = []\n"
              "    helper = types.FunctionType(gradients._gradient('b').__code__, gradients._gradient('b').__globals__,\n"
              "                                closure=gradients._gradient('b').__closure__)\n"
              "    thread = threading.Thread(target=lambda: out.append(helper(X, W, b, Y, R, lambda_)))\n"
              "    thread.start(); thread.join()\n    return out[0] if out else None\n",
}


def test_the_reference_cannot_be_reached_however_it_is_called():
    verdicts = sealed(notebook("04_gradients", REFERENCE_ATTACKS))
    for grade_id, (passed, text) in verdicts.items():
        assert not passed, (grade_id, text)
    assert "lab_utils.cofi.cofi_gradients is not available while your answer is checked" in verdicts["test-grad-X"][1]
    assert "not available while your answer is checked" in verdicts["test-grad-W"][1]


@pytest.mark.parametrize("language", [language for language in available() if language != SOURCE_LANGUAGE])
def test_the_sealed_verdict_speaks_the_notebooks_language(language):
    """An edition's notebook: the verdict, and what the masked reference raises in the sandbox, in its language."""
    nb = notebook("04_gradients", {"grad-X": REFERENCE_ATTACKS["grad-X"], "grad-W": GRADIENT_X.replace("R) @", "R).T @")})
    nb.metadata["i18n"] = {"language": language}
    verdicts = sealed(nb)
    masked = verdicts["test-grad-X"][1]
    assert not verdicts["test-grad-X"][0] and "lab_utils.cofi.cofi_gradients" in masked
    assert shows(masked, "is not available while your answer is checked", language), masked
    assert "not available" not in masked
    assert shows(verdicts["test-grad-b"][1], "all tests passed", language) and verdicts["test-grad-b"][0]
    assert shows(verdicts["test-grad-b"][1], "(sealed verification)", language)


TAMPERING = {
    # wrong answer, and every in-process defence switched off: the checks, the comparison, the hidden
    # test, an import hook that hands any fresh import of the autograder a fake, a patched builtin
    "grad-X": "import builtins, sys, types, numpy as np\nimport autograder, autograder.pristine, autograder.compare\n"
              "autograder.pristine.verify = lambda *a, **k: None\nautograder.compare.matches = lambda *a, **k: True\n"
              "np.allclose = np.isclose = lambda *a, **k: True\nbuiltins.all = lambda *a: True\n"
              "class _Fake:\n    def find_spec(self, name, path=None, target=None):\n"
              "        if name.startswith('autograder'):\n            import importlib.machinery as m\n"
              "            return m.ModuleSpec(name, None)\n        return None\n"
              "sys.meta_path.insert(0, _Fake())\n\n\n"
              "def grad_X(X, W, b, Y, R, lambda_):\n    return 2 * (((X @ W.T + b - Y) * R) @ W + lambda_ * X)\n",
    # read the expected value from the frames of whatever called it
    "grad-W": "import sys\n\n\ndef grad_W(X, W, b, Y, R, lambda_):\n    frame = sys._getframe(1)\n"
              "    while frame is not None:\n        for value in frame.f_locals.values():\n"
              "            if hasattr(value, 'expected') and getattr(value, 'expected') is not None:\n"
              "                return value.expected\n        frame = frame.f_back\n    return W * 0\n",
    # the source of the hidden draws' randomness fixed, answers hard-coded for the draws it would make
    "grad-b": "import secrets, numpy as np\nsecrets.randbits = lambda n: 0\n\n\n"
              "def grad_b(X, W, b, Y, R, lambda_):\n    return np.zeros((1, Y.shape[1]))\n",
}


def test_tampering_in_the_learners_process_changes_nothing():
    verdicts = sealed(notebook("04_gradients", TAMPERING))
    assert {g: passed for g, (passed, _) in verdicts.items()} == {"test-grad-X": False, "test-grad-W": False,
                                                                   "test-grad-b": False}
    assert "known mistake" not in verdicts["test-grad-W"][1] or "wrong values" in verdicts["test-grad-W"][1]


def test_a_process_that_exits_or_hangs_fails_only_what_it_stops():
    answers = {"grad-X": GRADIENT_X,
               "grad-W": "import os\n\n\ndef grad_W(X, W, b, Y, R, lambda_):\n    os._exit(3)\n",
               "grad-b": "def grad_b(X, W, b, Y, R, lambda_):\n    return 0\n"}
    verdicts = sealed(notebook("04_gradients", answers))
    assert verdicts["test-grad-X"][0] and not verdicts["test-grad-W"][0] and not verdicts["test-grad-b"][0]
    assert "could not be checked: the process running your notebook ended" in verdicts["test-grad-W"][1]
    hang = {"squared-distance": "def squared_distance(a, b):\n    while True:\n        pass\n"}
    verdicts = sealed(notebook("06_related_movies", hang))
    assert not verdicts["test-squared-distance"][0] and "did not finish within 10 seconds" in verdicts["test-squared-distance"][1]
    assert verdicts["test-closest-movies"][0], "the time limit inside the harness ended the call; the next check runs"


def test_a_training_loop_that_appends_the_step_function_gets_a_result_not_a_crash():
    source = (SOURCE / "05_movielens.ipynb")
    nb = nbformat.read(source, as_version=4)
    loop = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "train-cofi")
    broken = loop.replace("history.append(", "history.append(step) or (").replace("return X, W, b, history", "return X, W, b, history")
    verdicts = sealed(notebook("05_movielens", {"train-cofi": broken}), timeout=120)
    passed, text = verdicts["test-train-cofi"]
    assert not passed and "expected the cost as a number" in text, text


@pytest.mark.parametrize("sandbox", [True, False], ids=["sandbox", "no sandbox"])
def test_the_harness_gets_the_threads_the_grader_gives_its_job(tmp_path, monkeypatch, sandbox):
    for name in THREADS:
        monkeypatch.setenv(name, "1")
    config = Config()
    config.CourseDirectory.root = str(tmp_path / "course")
    config.SealedVerdict.sandbox = sandbox
    (tmp_path / "work").mkdir()
    launch = SealedVerdict(config=config).launcher({}, tmp_path / "work")
    harness = launch([sys.executable, "-c", "import os; print([os.environ.get(name) for name in %r])" % (THREADS,)],
                     {})
    try:
        out, _ = harness.process.communicate(timeout=60)
    finally:
        harness.close()
    assert out.decode().strip() == "['1', '1', '1']"
