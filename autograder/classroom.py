"""Grade every submission of an assignment with nbgrader, several at a time.

nbgrader's own ``autograde`` grades one submission after another, and gives up on the whole
submission when one notebook kills its kernel or is not valid JSON. Here each student is graded
by an ``nbgrader autograde`` process of its own, up to ``jobs`` at once (all write nbgrader's
gradebook, SQLite or any SQLAlchemy URL set in nbgrader_config.py). A submission that fails is
graded again notebook by notebook, so the good notebooks keep their scores and the bad one is
recorded with its reason and 0 points. A student counts as done only once a record of the
result is written (atomically) under ``<course>/.autograder/<assignment>/``; interrupting the
command and running it again finishes the rest, and never counts a score twice, because
nbgrader keeps one grade per student and cell.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

BIN = Path(sys.executable).parent


@dataclass
class Result:
    """What grading one student's submission gave."""

    student: str
    status: str = "graded"
    """graded, partly graded (some notebooks failed), or failed (nothing could be graded)."""
    reasons: dict[str, str] = field(default_factory=dict)
    """Notebook name -> why it got no score from running it."""
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0


def load_course(course: Path) -> CourseDirectory:
    """nbgrader's CourseDirectory as configured by ``course/nbgrader_config.py``, root made absolute."""
    config_file = course / "nbgrader_config.py"
    if not config_file.is_file():
        raise FileNotFoundError(f"no nbgrader_config.py in {course}: run from the course's top folder or pass --course")
    config = PyFileConfigLoader(config_file.name, path=str(course)).load_config()
    root = Path(config.CourseDirectory.get("root", "."))
    config.CourseDirectory.root = str(root if root.is_absolute() else (course / root).resolve())
    return CourseDirectory(config=config)


class ClassGrader:
    """Grades one assignment's submissions; see the module docstring for the guarantees."""

    def __init__(self, course: Path, assignment: str, *, jobs: int = 1, regrade: bool = False,
                 cell_timeout: float = 300, submission_timeout: float = 3600, memory_limit_gb: float = 4.0,
                 log: Callable[[str], None] = print):
        self.course = course.resolve()
        self.assignment = assignment
        self.jobs = max(1, jobs)
        self.regrade = regrade
        self.cell_timeout = cell_timeout
        self.submission_timeout = submission_timeout
        self.memory_limit = int(memory_limit_gb * 2**30) if memory_limit_gb else None
        self.log = log
        self.coursedir = load_course(self.course)
        self.root = Path(self.coursedir.root)
        self.state = self.root / ".autograder" / assignment
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopping = False

    # ----- what there is to grade ---------------------------------------------------------------

    def submitted(self) -> dict[str, Path]:
        """Student id -> the folder of their submission of this assignment."""
        base = self.root / "submitted"
        return {p.parent.name: p for p in sorted(base.glob(f"*/{self.assignment}")) if p.is_dir()}

    def notebooks(self) -> list[str]:
        with Gradebook(self.coursedir.db_url) as gradebook:
            try:
                return [n.name for n in gradebook.find_assignment(self.assignment).notebooks]
            except MissingEntry:
                raise SystemExit(f"assignment {self.assignment!r} is not in the gradebook {self.coursedir.db_url}: "
                                 f"run `nbgrader generate_assignment {self.assignment}` first") from None

    def done(self, student: str) -> Result | None:
        path = self.state / f"{student}.json"
        if not path.is_file():
            return None
        return Result(**json.loads(path.read_text()))

    # ----- grading ------------------------------------------------------------------------------

    def run(self) -> list[Result]:
        """Grade every submission not yet done (all of them with ``regrade``); write the CSV."""
        notebooks = self.notebooks()
        students = self.submitted()
        self.state.mkdir(parents=True, exist_ok=True)
        with Gradebook(self.coursedir.db_url) as gradebook:
            for student in students:
                try:
                    gradebook.find_student(student)
                except MissingEntry:
                    gradebook.add_student(student)
        todo = [s for s in students if self.regrade or self.done(s) is None]
        self.log(f"{len(students)} submissions of {self.assignment}: {len(students) - len(todo)} already graded, "
                 f"grading {len(todo)} with {self.jobs} job(s)")
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        signal.signal(signal.SIGTERM, self._interrupt)
        results, started = [], time.perf_counter()
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            futures = {pool.submit(self.grade, s, students[s], notebooks): s for s in todo}
            for count, future in enumerate(as_completed(futures), 1):
                result = future.result()
                results.append(result)
                reasons = "; ".join(f"{n}: {r}" for n, r in result.reasons.items())
                self.log(f"[{count:>{len(str(len(todo)))}}/{len(todo)}] {result.student:<20} "
                         f"{result.score:g}/{result.max_score:g}  {result.status:<13} {result.seconds:6.1f} s"
                         + (f"  ({reasons})" if reasons else ""))
        except KeyboardInterrupt:
            # Leaving the pool normally would wait for every queued submission: cancel those,
            # stop the running ones, and keep only the records of submissions already finished.
            pool.shutdown(wait=False, cancel_futures=True)
            self._kill_all()
            pool.shutdown(wait=True)
            self.log("interrupted: finished submissions are recorded; run the same command again to grade the rest")
            raise
        finally:
            pool.shutdown(wait=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        elapsed = time.perf_counter() - started
        if todo:
            self.log(f"graded {len(todo)} submissions in {elapsed:.1f} s ({60 * len(todo) / elapsed:.1f} per minute)")
        self.log(f"scores: {self.write_csv()}")
        return results

    def _interrupt(self, signum, frame):
        raise KeyboardInterrupt

    def grade(self, student: str, folder: Path, notebooks: list[str]) -> Result:
        """Autograde one student: all notebooks at once, notebook by notebook if that fails."""
        started = time.perf_counter()
        result = Result(student)
        failed: set[str] = set()
        valid = []
        for name in notebooks:
            path = folder / f"{name}.ipynb"
            if not path.exists():
                result.reasons[name] = "not submitted"
                continue
            problem = _notebook_problem(path)
            if problem:
                result.reasons[name] = problem
                failed.add(name)
            else:
                valid.append(name)
        log = self.state / f"{student}.log"
        log.write_text("")
        if valid and not failed:
            failure = self._autograde(student, None, log)
            if failure is None:
                return self._finish(result, failed, log, started)
            if self._stopping:
                raise KeyboardInterrupt
        for name in valid:
            failure = self._autograde(student, name, log)
            if self._stopping:
                raise KeyboardInterrupt
            if failure:
                result.reasons[name] = failure
                failed.add(name)
        if not valid:
            with Gradebook(self.coursedir.db_url) as gradebook:
                try:
                    gradebook.find_submission(self.assignment, student)
                except MissingEntry:
                    gradebook.add_submission(self.assignment, student)
        return self._finish(result, failed, log, started)

    def _finish(self, result: Result, failed: set[str], log: Path, started: float) -> Result:
        for name in _timed_out_notebooks(log.read_text()):
            result.reasons.setdefault(name, f"a cell ran longer than {self.cell_timeout:g} s and was interrupted")
        with Gradebook(self.coursedir.db_url) as gradebook:
            submission = gradebook.find_submission(self.assignment, result.student)
            result.score, result.max_score = float(submission.score), float(submission.max_score)
            num_notebooks = len(submission.notebooks)
        result.status = "graded" if not failed else ("failed" if len(failed) == num_notebooks else "partly graded")
        result.seconds = round(time.perf_counter() - started, 1)
        record = self.state / f"{result.student}.json"
        partial = record.with_suffix(".json.tmp")
        partial.write_text(json.dumps(asdict(result), indent=1))
        os.replace(partial, record)
        return result

    def _autograde(self, student: str, notebook: str | None, log: Path) -> str | None:
        """Run ``nbgrader autograde`` for one student (and one notebook); None or why it failed."""
        command = [str(BIN / "nbgrader"), "autograde", self.assignment, "--student", student, "--force",
                   f"--Execute.timeout={self.cell_timeout:g}"]
        if notebook:
            command += ["--notebook", notebook]
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        with open(log, "a") as out:
            out.write(f"$ {' '.join(command)}\n")
            out.flush()
            with self._lock:
                if self._stopping:
                    return "interrupted"
                process = subprocess.Popen(command, cwd=self.course, env=env, stdout=out, stderr=subprocess.STDOUT,
                                           start_new_session=True, preexec_fn=self._limit_memory)
                self._running.add(process)
            try:
                process.wait(timeout=self.submission_timeout)
            except subprocess.TimeoutExpired:
                _kill(process)
                return f"grading took longer than {self.submission_timeout:g} s and was stopped"
            finally:
                with self._lock:
                    self._running.discard(process)
        if process.returncode == 0:
            return None
        if self._stopping:
            return "interrupted"
        return _reason_from_log(log.read_text())

    def _limit_memory(self):
        if self.memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_limit, self.memory_limit))

    def _kill_all(self):
        with self._lock:
            self._stopping = True
            for process in list(self._running):
                _kill(process)

    # ----- the scores as a table ----------------------------------------------------------------

    def write_csv(self, path: Path | None = None) -> Path:
        """One row per student: status, reasons, total, and the score of every graded cell."""
        path = path or self.root / f"grades-{self.assignment}.csv"
        with Gradebook(self.coursedir.db_url) as gradebook:
            assignment = gradebook.find_assignment(self.assignment)
            cells = [(n.name, c.name, c.max_score) for n in assignment.notebooks for c in n.grade_cells]
            rows = []
            for student in self.submitted():
                record = self.done(student)
                try:
                    submission = gradebook.find_submission(self.assignment, student)
                except MissingEntry:
                    continue
                scores = {(n.name, g.name): g.score for n in submission.notebooks for g in n.grades}
                rows.append([student, record.status if record else "not finished",
                             "; ".join(f"{n}: {r}" for n, r in (record.reasons if record else {}).items()),
                             f"{submission.score:g}", f"{submission.max_score:g}",
                             *(f"{scores.get((n, c), 0):g}" for n, c, _ in cells)])
        partial = path.with_suffix(".csv.tmp")
        with open(partial, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["student", "status", "reasons", "score", "max_score",
                             *(f"{n}:{c} (/{m:g})" for n, c, m in cells)])
            writer.writerows(rows)
        os.replace(partial, path)
        return path


def _notebook_problem(path: Path) -> str | None:
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except nbformat.reader.NotJSONError:
        return "not valid JSON (the file is damaged or not a notebook)"
    except Exception as error:  # any other reason nbformat refuses it
        return f"not a valid notebook: {str(error).splitlines()[0][:200]}"
    return None


def _reason_from_log(text: str) -> str:
    if "DeadKernelError" in text or "Kernel died" in text:
        return "the kernel died while running it (it crashed, exited, or ran out of memory)"
    if "MemoryError" in text:
        return "ran out of memory"
    errors = re.findall(r"\[AutogradeApp \| ERROR\] (.+)", text)
    useful = [e for e in errors if not e.startswith(("There was an error", "Please see", "Traceback"))]
    return useful[-1][:300] if useful else "nbgrader could not grade it; see the log in .autograder/"


def _timed_out_notebooks(text: str) -> list[str]:
    """Notebooks in which nbgrader interrupted a cell that ran past its time limit."""
    found, current = [], None
    for line in text.splitlines():
        converting = re.search(r"Converting notebook .*/([^/]+)\.ipynb", line)
        if converting:
            current = converting.group(1)
        elif "Timeout waiting for execute reply" in line and current and current not in found:
            found.append(current)
    return found


def _kill(process: subprocess.Popen) -> None:
    """Stop nbgrader and the kernel it started (its whole process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
