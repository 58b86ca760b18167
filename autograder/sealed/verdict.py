"""The nbgrader step that puts the sealed verification's verdict into each graded test cell.

It runs in nbgrader's autograde process, after the notebook was executed and before the grades
are saved: for every ``verify("key", function)`` in a graded test cell it runs the sealed
verification and shows its result in the cell; a failed verification adds an error to the
cell, so nbgrader scores it 0 whatever the learner's kernel printed there.
"""

from __future__ import annotations

import os
import subprocess

import tempfile
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool

from lab_utils import i18n

from ..result import MIME_TYPE
from .decide import Plain, verifications, verify_notebook
from .harness import cell_source, graded_test
from .mask import masked_copy


def sealed_keys(nb) -> set[str]:
    """The exercises whose hidden cases the sealed verification checks in this notebook: those
    of the ``verify("key", function)`` calls in its graded test cells."""
    return {v.key for cell in nb.cells if cell.cell_type == "code" and graded_test(cell)
            for v in verifications(cell_source(cell), "")}


def decides_after(step) -> bool:
    """Whether an enabled SealedVerdict comes after ``step`` in the nbgrader conversion that runs
    it (its exporter's preprocessors, in order); False for a step run on its own."""
    steps = list(getattr(step.parent, "_preprocessors", None) or [])
    position = next((i for i, other in enumerate(steps) if other is step), len(steps))
    return any(isinstance(later, SealedVerdict) and later.enabled for later in steps[position + 1:])


def _forbidden(nb) -> list:
    from ..exercises import load

    exercises = load().EXERCISES
    return [f for key in sorted(sealed_keys(nb)) if key in exercises for f in exercises[key].forbidden()]


def _threads() -> dict[str, str]:
    """TensorFlow's threads as the grader's environment sets them (a class grader's job: its share
    of the cores), for the harness."""
    from ..sandbox import THREADS

    return {name: os.environ[name] for name in THREADS if name in os.environ}


def _plain_env(masked: dict[Path, Path], home: Path) -> dict[str, str]:
    """Without a sandbox: nothing of the grader's environment but what Python needs and TensorFlow's
    threads, and the masked copies first on the path (a sandbox binds them over the real packages
    instead)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONDONTWRITEBYTECODE": "1",
            "LAB_UTILS_DATA": str(_data_dir()),
            "PYTHONPATH": os.pathsep.join(str(copy.parent) for copy in masked.values()), **_threads()}


def _data_dir() -> Path:
    import lab_utils.data

    return Path(os.environ.get("LAB_UTILS_DATA", lab_utils.data.SHIPPED_DIR))


def sandbox_readonly() -> list[Path]:
    """What a sandbox of this course sees besides the system: the Python environment
    (``python_paths``) and the data folder when ``LAB_UTILS_DATA`` names one elsewhere."""
    from ..sandbox import python_paths

    data = Path(os.environ["LAB_UTILS_DATA"]) if "LAB_UTILS_DATA" in os.environ else None
    return [*python_paths(), *([data] if data is not None and data.is_dir() else [])]


def sandbox_limits(config):
    """What one sandbox may use, from nbgrader_config.py's ClassGrader section (absent: no limit)."""
    from ..sandbox import Limits

    section = config.get("ClassGrader", {})
    memory = float(section.get("memory_limit_gb", 0) or 0)
    return Limits(memory_bytes=int(memory * 2**30) or None, max_processes=section.get("max_processes"),
                  cpu_seconds=section.get("cpu_seconds"), output_bytes=section.get("output_bytes"))


def course_root(preprocessor) -> Path:
    """The course folder nbgrader grades in. The converter that runs the preprocessor (its
    exporter's parent) holds it, made absolute when nbgrader started: a relative root in the
    config cannot be resolved here, since nbgrader changed the current directory to the course
    folder itself (``notebooks`` would become ``notebooks/notebooks``, hiding nothing)."""
    parent = preprocessor.parent
    while parent is not None:
        coursedir = getattr(parent, "coursedir", None)
        if coursedir is not None:
            return Path(coursedir.root).resolve()
        parent = parent.parent
    return Path(preprocessor.config.CourseDirectory.get("root", ".")).resolve()


def hidden_paths(root: Path) -> list[Path]:
    """What a learner's code must not read: the course (source notebooks, gradebook, every
    submission), the repository's notebooks (the solutions, when the course lives elsewhere),
    history and tests, the grader's HOME."""
    repository = Path(__file__).resolve().parents[2]
    return [root, repository / "notebooks", repository / ".git", repository / "tests", Path.home()]


class SealedVerdict(Preprocessor):
    """Decide each graded test cell by the sealed verification (see the module's docstring)."""

    enabled = Bool(True).tag(config=True)
    sandbox = Bool(True, help="Run the learner's code in a bubblewrap sandbox; without one it only "
                              "runs in a process of its own.").tag(config=True)

    def launcher(self, masked: dict[Path, Path], work: Path):
        """``launch(argv, env)`` for the harness: in a sandbox whose one writable folder is ``work``."""
        if not self.sandbox:
            return lambda argv, env: Plain(argv, {**_plain_env(masked, work), **env}, work)
        from ..sandbox import Sandbox, spawn

        root = course_root(self)
        box = Sandbox(work, readonly=[*sandbox_readonly(), *((copy, real) for real, copy in masked.items())],
                      hidden=hidden_paths(root), limits=sandbox_limits(self.config),
                      env={"MPLBACKEND": "Agg", "LAB_UTILS_DATA": str(_data_dir()), **_threads()})
        return lambda argv, env: spawn(Sandbox(box.writable, box.readonly, box.hidden, box.limits, {**box.env, **env}),
                                       argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL)

    def preprocess(self, nb, resources):
        from nbgrader.preprocessors import Execute

        # nbgrader's own cell limit (c.Execute.timeout) bounds each cell here too; None: no limit.
        timeout = float(Execute(config=self.config).timeout or 24 * 3600)
        with tempfile.TemporaryDirectory(prefix="sealed-") as scratch:
            scratch = Path(scratch)
            (scratch / "work").mkdir()
            masked = masked_copy(_forbidden(nb), scratch / "masked")
            results = verify_notebook(nb, self.launcher(masked, scratch / "work"), folder=scratch / "work",
                                      cell_timeout=timeout)
        # The verdicts are written in the notebook's language (its metadata), as verify_notebook's messages.
        with i18n.for_notebook(nb):
            for cell in nb.cells:
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                for result in results.get(grade_id, []):
                    result.exercise += " (sealed verification)"
                    cell.outputs.append(NotebookNode(output_type="display_data", metadata={},
                                                     data={"text/plain": str(result), "text/html": result._repr_html_(),
                                                           MIME_TYPE: result.to_dict()}))
                    if not result.passed:
                        cell.outputs.append(NotebookNode(output_type="error", ename="AssertionError",
                                                         evalue=str(result), traceback=[f"AssertionError: {result}"]))
        return nb, resources
