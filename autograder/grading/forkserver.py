"""Grading processes forked from one that has already imported nbgrader, TensorFlow and the autograder.

A fresh ``nbgrader autograde`` process spends about 5 s starting Python and importing nbgrader
and, through this course's autograde steps, TensorFlow, before its first notebook runs: paid
again for every submission the class grader grades, where ``nbgrader autograde`` grading the
whole class pays it once. The fork server pays it once too. ``python -m
autograder.grading.forkserver`` imports those modules and then, for each request, forks a child
that runs nbgrader's command line as a new process would: in a session of its own (so a kill
of its process group stops it and the kernel it starts), its output appended to the
submission's log, its address space limited. The server itself runs no learner code and opens
no gradebook or kernel, so every child starts from the same state; the learner's code runs in
the sandboxes the child starts, as it would from a fresh process.

The protocol is one JSON object a line: requests ``{"id", "main", "argv", "cwd", "log",
"memory", "env"}`` (``main``: the ``module:function`` called with ``argv`` as its command line;
``env``: variables set in the child) on the server's stdin; on its stdout ``{"ready": true}``
once the imports are done, ``{"id", "pid"}`` for each request once the child has its own
session, and ``{"ended": pid, "code"}`` when a child exits (a negative code: killed by that
signal). The server ends when its stdin closes, at once: it has nothing to save, and Python's
orderly exit with TensorFlow loaded takes over a second, which the class grader would wait for
at the end of every run.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import traceback
from pathlib import Path

PRELOAD = ("nbgrader.apps.nbgraderapp", "nbgrader.converters.autograde", "nbgrader.preprocessors",
           "autograder.preprocessors", "autograder.sandbox.kernel", "autograder.sealed.verdict",
           "autograder.sealed.decide")
"""What every ``nbgrader autograde`` of this course imports; autograder.sealed.verdict brings
lab_utils and with it TensorFlow."""

NBGRADER = "nbgrader.apps.nbgraderapp:main"
"""The ``nbgrader`` command line."""

BIN = Path(sys.executable).parent
"""This environment's bin: nbgrader, and the alembic nbgrader runs when it creates a gradebook."""


def environment(**more: str) -> dict[str, str]:
    """An ``nbgrader`` process's environment: this one's, with this environment's bin first on
    PATH, and ``more``."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **more}


# ----- the server --------------------------------------------------------------------------------

def _child(request: dict, keep_out: list[int], started: int) -> None:
    """In the forked child: become a fresh ``nbgrader`` process for ``request``; never returns."""
    code = 1
    try:
        os.setsid()
        os.close(started)  # the server waits for this: the child now has a session to be killed by
        for fd in keep_out:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        if null != 0:
            os.dup2(null, 0)
            os.close(null)
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        if request.get("memory"):
            resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.update(request.get("env") or {})
        sys.argv = ["nbgrader" if request["main"] == NBGRADER else request["main"], *request["argv"]]
        module, _, function = request["main"].partition(":")
        main = getattr(importlib.import_module(module), function)
        try:
            main()
            code = 0
        except SystemExit as end:
            code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    except BaseException:  # noqa: BLE001 - whatever happened goes to the log, and the exit code says so
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _status_code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def serve() -> int:
    """The server's loop (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the class grader decides when grading stops
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the imports print goes to stderr, never into the replies

    def reply(message: dict) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    for module in PRELOAD:
        importlib.import_module(module)
    from autograder.exercises import load

    load()
    reply({"ready": True})
    children: set[int] = set()
    pending = b""
    while True:
        readable, _, _ = select.select([0], [], [], 0.1 if children else None)
        if readable:
            chunk = os.read(0, 65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                request = json.loads(line)
                sys.stdout.flush()
                sys.stderr.flush()
                wait_for, started = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(wait_for)
                    _child(request, [0, replies.fileno()], started)
                os.close(started)
                os.read(wait_for, 1)  # b"" once the child is in its own session (or has ended)
                os.close(wait_for)
                children.add(pid)
                reply({"id": request["id"], "pid": pid})
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            children.discard(pid)
            reply({"ended": pid, "code": _status_code(status)})
    return 0  # stdin closed: the class grader is done, or gone (a child still running finishes alone)


# ----- the class grader's side -------------------------------------------------------------------

class ForkServerGone(RuntimeError):
    """The server could not start, or ended: start a process the ordinary way instead."""


class Forked:
    """A child of the fork server, waited for as a ``subprocess.Popen``."""

    def __init__(self, pid: int, args):
        self.pid, self.args = pid, args
        self.returncode: int | None = None
        self._ended = threading.Event()

    def _end(self, code: int) -> None:
        self.returncode = code
        self._ended.set()

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended.wait(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode


class ForkServer:
    """Starts the server (``cwd`` and ``env`` as for an ``nbgrader`` process) and forks
    children from it, from any thread."""

    READY_TIMEOUT = 300.0

    def __init__(self, cwd: Path, env: dict[str, str]):
        self.process = subprocess.Popen([sys.executable, "-m", __name__], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._gone = False
        self._next = 0
        self._started: dict[int, tuple[threading.Event, list, list]] = {}
        """Request id -> (set once answered, the child's args, [the Forked] or [] if the server ended)."""
        self._children: dict[int, Forked] = {}
        threading.Thread(target=self._read, name="fork-server", daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            message = json.loads(line)
            with self._lock:
                if message.get("ready"):
                    self._ready.set()
                elif "ended" in message:
                    self._children.pop(message["ended"])._end(message["code"])
                else:  # a child's pid comes before its end: known here before any "ended" is read
                    answered, args, child = self._started.pop(message["id"])
                    forked = self._children[message["pid"]] = Forked(message["pid"], args)
                    child.append(forked)
                    answered.set()
        with self._lock:  # the server has ended: nobody will report these children's exits
            self._gone = True
            self._ready.set()
            for answered, _, _ in self._started.values():
                answered.set()
            for child in self._children.values():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child._end(-signal.SIGKILL)
            self._children.clear()

    def fork(self, argv: list[str], cwd: Path, log: Path, memory_limit_bytes: int | None,
             main: str = NBGRADER, env: dict[str, str] | None = None) -> Forked:
        """A child running ``nbgrader *argv`` (or ``main``) in ``cwd``, its output appended to
        ``log``, with ``env`` set in its environment."""
        if not self._ready.wait(self.READY_TIMEOUT) or self._gone:
            raise ForkServerGone("the fork server did not start")
        with self._lock:
            self._next += 1
            answered, child = threading.Event(), []
            self._started[self._next] = (answered, [main, *argv], child)
            request = {"id": self._next, "main": main, "argv": argv, "cwd": str(cwd), "log": str(log),
                       "memory": memory_limit_bytes, "env": dict(env or {})}
            try:
                self.process.stdin.write((json.dumps(request) + "\n").encode())
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError):
                raise ForkServerGone("the fork server has ended") from None
        answered.wait()
        if not child:
            raise ForkServerGone("the fork server has ended")
        return child[0]

    def close(self) -> None:
        """End the server (after its children: a child still running is left to finish); one
        that never forked is killed at once, its imports perhaps not done."""
        if not self._next:
            self.process.kill()
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    code = serve()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # see the module docstring: nothing to save, and an orderly exit is slow
