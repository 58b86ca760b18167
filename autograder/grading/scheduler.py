"""ClassGrader: grade every submission of an assignment, several at a time, resumably.

nbgrader's own ``autograde`` grades one submission after another, and gives up on the whole
submission when one notebook kills its kernel or is not valid JSON. Here each student is graded
by an ``nbgrader autograde`` process of its own, up to ``jobs`` at once (all write nbgrader's
gradebook, SQLite or any SQLAlchemy URL set in nbgrader_config.py). A submission that fails is
graded again notebook by notebook, so the good notebooks keep their scores and the bad one is
recorded with its reason and 0 points. A student counts as done only once a record of the
result is written (see records.py); interrupting the command and running it again finishes
the rest, and never counts a score twice, because nbgrader keeps one grade per student and cell.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from rich.console import Console
from sqlalchemy.exc import SAWarning

from ..sandbox.limits import thread_share
from . import reasons
from .csv_report import write_csv
from .forkserver import ForkServer
from .nbgrader_run import Autograder, Exit
from .progress import Progress
from .records import Records, SubmissionRecord, submissions
from .settings import load_course
from .shards import Shard, one_shard_at_a_time, shown


def _require_sandbox() -> None:
    """Install bubblewrap where it is missing and we may (as tests/browser installs chromium);
    refuse to grade where no sandbox can be made, rather than run learners' code unsealed."""
    from ..sandbox import SandboxError, available, ensure_bwrap

    try:
        ensure_bwrap()
    except SandboxError as error:
        raise SystemExit(f"no sandbox for the learners' code: {error}. Grading without one (--no-sandbox) "
                         "lets a submission read and change what the grading process can; every record "
                         "says so.") from None
    reason = available()
    if reason:
        raise SystemExit(f"no sandbox for the learners' code on this machine: {reason}. Pass --no-sandbox to grade "
                         "without one (every record says so).")


class ClassGrader:
    """Grades one assignment's submissions; see the module docstring for the guarantees.

    The limits are nbgrader_config.py's (see settings.py); ``cell_timeout``,
    ``submission_timeout`` and ``memory_limit_gb`` replace them when given. ``shard`` grades
    only that share of the students, beside other shards on other machines (see shards.py);
    ``log`` takes a line per submission, and a ``console`` that is a terminal shows a progress bar.
    ``fork``: each nbgrader process is forked from a fork server (forkserver.py; Linux only):
    ``server`` if given (the caller closes it), else one started for this assignment."""

    def __init__(self, course: Path, assignment: str, *, jobs: int = 1, regrade: bool = False,
                 cell_timeout: int | None = None, submission_timeout: float | None = None,
                 memory_limit_gb: float | None = None, sandbox: bool = True, shard: Shard = Shard(),
                 fork: bool = True, server: ForkServer | None = None, log: Callable[[str], None] = print,
                 console: Console | None = None):
        self.course = load_course(course)
        self.sandbox = sandbox
        if sandbox:
            _require_sandbox()
        self.limits = self.course.limits.overridden(cell_timeout=cell_timeout, submission_timeout=submission_timeout,
                                                    memory_limit_gb=memory_limit_gb)
        self.assignment = assignment
        self.jobs = max(1, jobs)
        self.regrade = regrade
        self.shard = shard
        self.log = log
        self.console = console
        """Where a progress bar is drawn, when it is a terminal (progress.py)."""
        self.root = self.course.root
        self.records = Records(self.root / ".autograder" / assignment)
        # Each job's TensorFlow gets its share of the cores: with every process using all of them,
        # two jobs' trainings compete for the cores and spend more CPU time in all (measured in
        # benchmarks/README.md).
        self.autograder = Autograder(self.course.folder, assignment, self.limits, sandbox,
                                     fork=fork and sys.platform.startswith("linux"), server=server,
                                     env=thread_share(self.jobs))

    # ----- what there is to grade ---------------------------------------------------------------

    def submitted(self) -> dict[str, Path]:
        """Student id -> the folder of their submission of this assignment."""
        return submissions(self.root, self.assignment)

    def notebooks(self) -> list[str]:
        with Gradebook(self.course.db_url) as gradebook:
            try:
                return [n.name for n in gradebook.find_assignment(self.assignment).notebooks]
            except MissingEntry:
                raise SystemExit(f"assignment {self.assignment!r} is not in the gradebook {shown(self.course.db_url)}: "
                                 f"run `nbgrader generate_assignment {self.assignment}` with this db_url first "
                                 "(once, before starting any shard)") from None

    def done(self, student: str) -> SubmissionRecord | None:
        return self.records.read(student)

    def autograded(self, student: str, notebook: str) -> Path:
        """Where nbgrader writes the notebook it ran and graded."""
        return self.root / "autograded" / student / self.assignment / f"{notebook}.ipynb"

    # ----- grading ------------------------------------------------------------------------------

    def run(self) -> list[SubmissionRecord]:
        """Grade every submission (of this shard) not yet done (all of them with ``regrade``);
        write the CSV of the whole class."""
        self.autograder.prepare()  # the fork server imports while the gradebook is read
        try:
            return self._run()
        finally:
            self.autograder.close()

    def _run(self) -> list[SubmissionRecord]:
        everyone = self.submitted()
        students = self.shard.select(everyone)
        self.records.folder.mkdir(parents=True, exist_ok=True)
        with one_shard_at_a_time(self.course.db_url, self.assignment, self.records.folder):
            notebooks = self.notebooks()
            with Gradebook(self.course.db_url) as gradebook:
                for student in students:
                    try:
                        gradebook.find_student(student)
                    except MissingEntry:
                        gradebook.add_student(student)
        todo = [s for s in students if self.regrade or self.done(s) is None]
        share = "" if self.shard.whole else f"shard {self.shard} takes {len(students)} of "
        self.log(f"{share}{len(everyone)} submissions of {self.assignment}: "
                 f"{len(students) - len(todo)} already graded, grading {len(todo)} with {self.jobs} job(s)"
                 + ("" if self.sandbox else ", WITHOUT a sandbox (--no-sandbox): every record says so"))
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        signal.signal(signal.SIGTERM, self._interrupt)
        results, started = [], time.perf_counter()
        progress = Progress(len(todo), self.log, self.console)
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        futures, reported = [], set()

        def report(future) -> None:
            result = future.result()
            results.append(result)
            reported.add(future)
            progress.done(f"{result.student:<20} {result.score:g}/{result.max_score:g}  {result.status:<13} "
                          f"{result.seconds:6.1f} s" + (f"  ({result.reasons_text})" if result.reasons else ""))

        try:
            futures = [pool.submit(self.grade, s, students[s], notebooks) for s in todo]
            for future in as_completed(futures):
                report(future)
        except KeyboardInterrupt:
            # Leaving the pool normally would wait for every queued submission: cancel those,
            # stop the running ones, and keep only the records of submissions already finished.
            pool.shutdown(wait=False, cancel_futures=True)
            self.autograder.stop()
            pool.shutdown(wait=True)
            # One that finished as the interrupt came is recorded, so it is shown too: a run
            # again skips it, and its line would be in neither run's output.
            for future in futures:
                if future not in reported and future.done() and not future.cancelled() and future.exception() is None:
                    report(future)
            self.log("interrupted: finished submissions are recorded; run the same command again to grade the rest")
            raise
        finally:
            progress.close()
            pool.shutdown(wait=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        elapsed = time.perf_counter() - started
        if todo:
            self.log(f"graded {len(todo)} submissions in {elapsed:.1f} s ({60 * len(todo) / elapsed:.1f} per minute)")
        path = self.write_csv()
        graded = sum(self.done(student) is not None for student in everyone)
        self.log(f"scores: {path}" + ("" if graded == len(everyone) else
                 f" ({graded} of {len(everyone)} submissions graded so far; each shard rewrites it when it "
                 "finishes, the last one with every score)"))
        return results

    def _interrupt(self, signum, frame):
        raise KeyboardInterrupt

    def write_csv(self, path: Path | None = None) -> Path:
        """``grades-<assignment>.csv`` in the course root (or ``path``), every shard's students
        in it; see csv_report.py. One shard at a time reads the gradebook and writes it, so the
        last one to finish writes every shard's scores."""
        with one_shard_at_a_time(self.course.db_url, self.assignment, self.records.folder):
            return write_csv(self.course.db_url, self.assignment, self.submitted(), self.records,
                             path or self.root / f"grades-{self.assignment}.csv")

    def release(self, notebook: str) -> Path:
        """The notebook as the learners were given it."""
        return self.root / self.course.coursedir.release_directory / self.assignment / f"{notebook}.ipynb"

    def grade(self, student: str, folder: Path, notebooks: list[str]) -> SubmissionRecord:
        """Autograde one student: all notebooks at once, notebook by notebook if that fails."""
        started = time.perf_counter()
        record = SubmissionRecord(student, sandboxed=self.sandbox)
        failed: set[str] = set()
        valid, edits = [], {}
        for name in notebooks:
            problem = reasons.submission_problem(folder / f"{name}.ipynb")
            if problem is None:
                valid.append(name)
                edits[name] = self._edits(folder / f"{name}.ipynb", name)
                if edits[name]:
                    record.edits[name] = [edit.text for edit in edits[name]]
                continue
            record.reasons[name] = problem
            if problem != reasons.NOT_SUBMITTED:
                failed.add(name)
        log = self.records.log(student)
        log.write_text("")
        graded_at_once = bool(valid) and not failed and self._autograde(student, None, log) is Exit.GRADED
        if not graded_at_once:
            for name in valid:
                ended = self._autograde(student, name, log)
                if ended is Exit.TIMED_OUT:
                    record.reasons[name] = reasons.stopped(self.limits.submission_timeout)
                elif ended is Exit.FAILED:
                    record.reasons[name] = reasons.ungradable(edits[name]) or reasons.NOT_RUN
                if ended is not Exit.GRADED:
                    failed.add(name)
        return self._finish(record, [n for n in valid if n not in failed], notebooks, failed, started)

    def _edits(self, submitted: Path, notebook: str) -> list[reasons.Edit]:
        release = reasons.read_autograded(self.release(notebook))
        return reasons.locked_cell_edits(release, nbformat.read(submitted, as_version=4)) if release else []

    def _autograde(self, student: str, notebook: str | None, log: Path) -> Exit:
        ended = self.autograder.run(student, notebook, log)
        if ended is Exit.INTERRUPTED:
            raise KeyboardInterrupt
        return ended

    def _finish(self, record: SubmissionRecord, graded: list[str], notebooks: list[str], failed: set[str],
                started: float) -> SubmissionRecord:
        """Read what nbgrader wrote for the notebooks it graded, and write the record. A notebook
        it did not grade this time scores 0, whatever an earlier grading gave it (a resubmission
        that is broken or missing replaces the old score), and its old autograded copy goes."""
        for name in graded:
            nb = reasons.read_autograded(self.autograded(record.student, name))
            if nb is None:
                continue
            if self.limits.cell_timeout is not None and reasons.timed_out(nb, self.course.timeout_error):
                record.reasons.setdefault(name, reasons.interrupted_cell(self.limits.cell_timeout))
            record.checks[name] = reasons.cell_checks(nb)
        ungraded = [name for name in notebooks if name not in graded]
        for name in ungraded:
            self.autograded(record.student, name).unlink(missing_ok=True)
        with Gradebook(self.course.db_url) as gradebook:
            _ensure_submission(gradebook, self.assignment, record.student)
            for name in ungraded:
                _zero(gradebook, self.assignment, record.student, name)
            submission = gradebook.find_submission(self.assignment, record.student)
            record.score, record.max_score = float(submission.score), float(submission.max_score)
            num_notebooks = len(submission.notebooks)
        record.status = "graded" if not failed else ("failed" if len(failed) == num_notebooks else "partly graded")
        record.seconds = round(time.perf_counter() - started, 1)
        self.records.write(record)
        return record


_WARNING_FILTERS = threading.Lock()
"""catch_warnings changes the filters of the whole process: one grading thread at a time."""


def _ensure_submission(gradebook: Gradebook, assignment: str, student: str) -> None:
    """nbgrader adds the submission when it grades a notebook; add it when none got that far."""
    try:
        gradebook.find_submission(assignment, student)
    except MissingEntry:
        # nbgrader's add_submission trips SQLAlchemy's autoflush warning (nbgrader's own autograde
        # prints it too); it is harmless and nothing an instructor can act on.
        with _WARNING_FILTERS, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Object of type .* not in session", SAWarning)
            gradebook.add_submission(assignment, student)


def _zero(gradebook: Gradebook, assignment: str, student: str, notebook: str) -> None:
    """No points for the notebook's cells, whatever an earlier grading or a grader gave."""
    try:
        submitted = gradebook.find_submission_notebook(notebook, assignment, student)
    except MissingEntry:
        return
    for grade in submitted.grades:
        grade.auto_score, grade.manual_score, grade.extra_credit = 0.0, None, None
    gradebook.db.commit()
