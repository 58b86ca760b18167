"""Running one ``nbgrader autograde`` for a student (or one of their notebooks) within the limits."""

from __future__ import annotations

import enum
import os
import resource
import signal
import subprocess
import threading
from pathlib import Path

from .forkserver import BIN, ForkServer, ForkServerGone, environment
from .settings import Limits


class Exit(enum.Enum):
    """How an ``nbgrader autograde`` ended."""

    GRADED = "graded"
    FAILED = "failed"
    """nbgrader exited with an error: it could not grade some notebook."""
    TIMED_OUT = "timed out"
    """It took longer than the submission timeout and was stopped."""
    INTERRUPTED = "interrupted"
    """Grading is being stopped (Ctrl-C, SIGTERM): it was killed, or never started."""


def start(command: list[str], cwd: Path, out, memory_limit_bytes: int | None,
          env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``command`` in a process group of its own, output to the file ``out``, its address
    space limited, ``env`` set in its environment. The limit is set from outside (prlimit) rather
    than by a preexec_fn, which is unsafe in a program with threads; the kernel nbgrader starts
    seconds later inherits it."""
    process = subprocess.Popen(command, cwd=cwd, env=environment(**(env or {})), stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    if memory_limit_bytes:
        try:
            resource.prlimit(process.pid, resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
        except ProcessLookupError:  # it has already exited: nothing left to limit
            pass
    return process


def kill(process) -> None:
    """Stop the process and all it started (nbgrader's kernel): its whole process group."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


class Autograder:
    """Runs ``nbgrader autograde`` for one assignment, from several threads at once, and stops
    every run (those going and those asked for later) on ``stop()``. With ``fork`` each run is
    a child of a fork server (forkserver.py) that has nbgrader and TensorFlow imported already:
    ``server``, or one started at the first run and ended by ``close()``; a new process where
    that fails. ``env`` is set in every run's environment."""

    def __init__(self, course_folder: Path, assignment: str, limits: Limits, sandbox: bool = True,
                 fork: bool = True, server: ForkServer | None = None, env: dict[str, str] | None = None):
        self.course_folder = course_folder
        self.env = dict(env or {})
        self.assignment = assignment
        self.limits = limits
        self.sandbox = sandbox
        self.fork = fork
        self._server = server
        self._owns_server = server is None
        """A server given is the caller's to close (one for several assignments), not ``close()``'s."""
        self._running: set = set()
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def stopping(self) -> bool:
        return self._stopping

    def command(self, student: str, notebook: str | None) -> list[str]:
        command = [str(BIN / "nbgrader"), "autograde", self.assignment, "--student", student, "--force"]
        if self.limits.cell_timeout is not None:
            command.append(f"--Execute.timeout={self.limits.cell_timeout}")
        if not self.sandbox:  # one switch for the kernel and the sealed verification's harness
            command.append("--SealedVerdict.sandbox=False")
        return command + (["--notebook", notebook] if notebook else [])

    def run(self, student: str, notebook: str | None, log: Path) -> Exit:
        """Autograde the student's submission (only ``notebook`` if given), appending to ``log``."""
        command = self.command(student, notebook)
        with open(log, "a") as out:
            out.write(f"$ {' '.join(command)}\n")
            out.flush()
            with self._lock:
                if self._stopping:
                    return Exit.INTERRUPTED
                process = self._start(command, log, out)
                self._running.add(process)
            try:
                process.wait(timeout=self.limits.submission_timeout)
            except subprocess.TimeoutExpired:
                kill(process)
                return Exit.INTERRUPTED if self._stopping else Exit.TIMED_OUT
            finally:
                with self._lock:
                    self._running.discard(process)
        if process.returncode == 0:
            return Exit.GRADED
        return Exit.INTERRUPTED if self._stopping else Exit.FAILED

    def prepare(self) -> None:
        """Start the fork server now, so that it imports while the caller does something else."""
        if self.fork and self._server is None:
            self._server = ForkServer(self.course_folder, environment())

    def _start(self, command: list[str], log: Path, out):
        if self.fork:
            self.prepare()
            try:
                return self._server.fork(command[1:], self.course_folder, log, self.limits.memory_limit_bytes,
                                         env=self.env)
            except ForkServerGone:
                self.fork = False
                out.write("(the fork server ended: nbgrader runs in a new process)\n")
                out.flush()
        return start(command, self.course_folder, out, self.limits.memory_limit_bytes, self.env)

    def close(self) -> None:
        """End the fork server, if this started one."""
        if self._server is not None and self._owns_server:
            self._server.close()
            self._server = None

    def stop(self) -> None:
        """Kill every run going now and refuse every later one."""
        with self._lock:
            self._stopping = True
            for process in list(self._running):
                kill(process)
