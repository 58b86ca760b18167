"""The grading side of a sealed verification: hidden cases drawn here, the learner's function
reached in the sandboxed harness through a pipe, the values judged here."""

from __future__ import annotations

import ast
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab_utils import i18n
from lab_utils.i18n import _

from ..engine import Problem, Run, Target
from ..result import CaseResult, CheckResult
from ..runner import Guards, Outcome, timed_out
from .wire import WireError, decode, encode

MAX_REPLY = 256 * 2**20
"""Bytes one reply may take; a longer one is a failure of the learner's side."""
MARGIN = 10.0
"""Seconds allowed beyond a call's own time limit for the harness to answer (encoding, pipes)."""


@dataclass(frozen=True)
class Verification:
    """One ``verify("key", function)`` in a graded test cell: the exercise and the learner's function."""

    cell: str
    key: str
    function: str


def verifications(source: str, grade_id: str) -> list[Verification]:
    """The ``verify("key", name)`` calls in a test cell's source (the instructor's: nbgrader put
    the locked test cells back before this runs)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "verify"
                and len(node.args) == 2 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[1], ast.Name)):
            found.append(Verification(grade_id, str(node.args[0].value), node.args[1].id))
    return found


class HarnessGone(Exception):
    """The harness ended or stopped answering; the reason says which, in the learner's language:
    it ends the sentence "the process running your notebook ..." of a failed case."""

    def __init__(self, reason: str, timed_out: bool = False):
        super().__init__(reason)
        self.timed_out = timed_out


class Plain:
    """A harness started without a sandbox (the instructor said so): its own process group."""

    def __init__(self, argv: list[str], env: dict, cwd: Path):
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=env, cwd=cwd, start_new_session=True)

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, 9)
        except ProcessLookupError:
            pass

    def close(self) -> None:
        self.kill()
        self.process.wait()


class Harness:
    """A harness process and the pipe to it: one JSON request a line, one JSON reply a line.
    ``running`` is what started it (``Plain``, or a sandbox's ``Sandboxed``): ``.process`` is
    the Popen whose stdin and stdout are the harness's, ``.kill()`` ends all it started."""

    def __init__(self, running, *, startup_timeout: float):
        self.running = running
        self.process = running.process
        self.buffer = b""
        self.gone: str | None = None
        self.counter = 0
        try:
            self.ready = self._reply(startup_timeout)
        except HarnessGone as gone:
            self.ready = {"ready": False, "reason": str(gone)}

    def _reply(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop(_("did not answer within {seconds:g} seconds").format(seconds=timeout), timed_out=True)
            ready, _unused, _unused = select.select([self.process.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                self._ended()
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY:
                self.stop(_("sent back more than the grader reads"))
        line, _newline, self.buffer = self.buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            self.stop(_("sent back something that is not a reply"))
        if not isinstance(reply, dict):
            self.stop(_("sent back something that is not a reply"))
        return reply

    def request(self, message: dict, timeout: float) -> dict:
        if self.gone:
            raise HarnessGone(_("{reason}, in an earlier cell").format(reason=self.gone))
        self.counter += 1
        message = {**message, "id": self.counter}
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
            self.process.stdin.flush()
        except OSError:
            self._ended()
        deadline = time.monotonic() + timeout
        while True:  # a reply to an earlier request that timed out may still come first
            reply = self._reply(max(0.0, deadline - time.monotonic()))
            if reply.get("id") == self.counter:
                return reply

    def _ended(self):
        self.stop(_("ended (exit code {code})").format(code=self.process.wait()))

    def stop(self, reason: str | None = None, timed_out: bool = False):
        """End the harness and everything it started; every later request fails, saying why."""
        self.gone = self.gone or reason or _("stopped")
        reason = self.gone
        self.running.kill()
        self.process.wait()
        raise HarnessGone(reason, timed_out)

    def close(self):
        self.gone = self.gone or _("stopped")
        self.running.close()


def _text(value) -> str:
    return str(value)[:2000] if value is not None else ""


class RemoteTarget(Target):
    """The learner's function, reached in the harness; what comes back is data, judged here."""

    def __init__(self, harness: Harness, function: str, guards: Guards):
        super().__init__(None, guards)
        self.harness, self.function = harness, function

    def _ask(self, message: dict, timeout: float) -> dict | Outcome:
        try:
            return self.harness.request({**message, "function": self.function}, timeout)
        except HarnessGone as gone:
            if gone.timed_out:
                return timed_out(self.guards.timeout)
            return Outcome(error=_("could not be checked: the process running your notebook {reason}").format(
                reason=gone),
                           hint=_("a cell of your notebook stopped the process (os._exit, a crash, "
                                  "running out of memory)"))

    def signature_problem(self, params: Sequence[str]) -> Problem | None:
        reply = self._ask({"op": "signature", "params": list(params)}, MARGIN)
        if isinstance(reply, Outcome):
            return Problem(reply.error, hint=reply.hint)
        problem = reply.get("problem")
        if not isinstance(problem, dict):
            return None
        return Problem(_text(problem.get("message")) or _("cannot be called as the exercise asks"),
                       _text(problem.get("expected")) or None, _text(problem.get("actual")) or None,
                       _text(problem.get("hint")))

    def _outcome(self, message: dict, timeout: float) -> Outcome:
        reply = self._ask({**message, "timeout": self.guards.timeout}, timeout + MARGIN)
        if isinstance(reply, Outcome):
            return reply
        try:
            value = decode(reply.get("value", {"kind": "plain", "value": None}))
        except (WireError, ValueError, TypeError):
            return Outcome(error=_("returned something the grader cannot read back"))
        error = reply.get("error")
        return Outcome(value=value, error=_text(error) if error else None, hint=_text(reply.get("hint")),
                       mistake=_text(reply.get("mistake")))

    def call(self, *args, watch=None) -> Outcome:
        message = {"op": "call", "args": [encode(a) for a in args], "watch": {str(k): v for k, v in (watch or {}).items()}}
        return self._outcome(message, self.guards.timeout)

    def run(self, run: Run) -> Outcome:
        # A run calls the function a few times (three training steps, a tape around a cost).
        return self._outcome({"op": "run", "run": run.name, "args": [encode(p) for p in run.params]},
                             4 * self.guards.timeout)


def verify_notebook(notebook: dict, launch: Callable[[list[str], dict], object], *, folder: Path,
                    cell_timeout: float, seed: int | None = None) -> dict[str, list[CheckResult]]:
    """Run every ``verify`` of the notebook's graded test cells sealed: the harness runs the
    notebook's code (``launch(argv, env)`` starts it, in a sandbox or as ``Plain``, working in
    ``folder``) and stops at each test cell; this process draws the hidden cases and judges.
    Returns {grade id of the test cell: results}.

    Messages are in the language the notebook's metadata declares (English without one; the
    LABS_LANGUAGE override first, as everywhere), here and in the harness, which is told it in
    its environment."""
    with i18n.for_notebook(notebook):
        return _verify_notebook(notebook, launch, folder=folder, cell_timeout=cell_timeout, seed=seed)


def _verify_notebook(notebook: dict, launch: Callable[[list[str], dict], object], *, folder: Path,
                     cell_timeout: float, seed: int | None) -> dict[str, list[CheckResult]]:
    from ..exercises import load
    from .harness import cell_source, graded_test

    registry = load()
    cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    tests = [(c["metadata"]["nbgrader"].get("grade_id", ""), position) for position, c in enumerate(cells) if graded_test(c)]
    wanted = {grade_id: verifications(cell_source(cells[position]), grade_id) for grade_id, position in tests}
    if not any(wanted.values()):
        return {}
    path = folder / "notebook.json"
    path.write_text(json.dumps({"cells": [dict(c, outputs=[]) for c in cells]}))
    argv = [sys.executable, "-m", "autograder.sealed.harness", str(path)]
    env = {"AUTOGRADER_CELL_TIMEOUT": str(cell_timeout), i18n.ENVIRONMENT: i18n.language()}
    results: dict[str, list[CheckResult]] = {}
    previous = 0
    harness = None
    try:
        for grade_id, position in tests:
            budget = cell_timeout * (position - previous) + 60  # the cells before this test cell, and starting
            previous = position + 1
            if harness is None:
                harness = Harness(launch(argv, env), startup_timeout=budget)
                ready = harness.ready
            else:
                ready = _next_ready(harness, budget)
            if ready.get("cell") != grade_id and not harness.gone:
                harness.gone = _("did not reach the test cell {cell}").format(cell=grade_id)
                harness.close()
            for v in wanted[grade_id]:
                results.setdefault(grade_id, []).append(_verify(registry, harness, v, seed))
            if not harness.gone and (grade_id, position) != tests[-1]:
                try:
                    harness.process.stdin.write(b'{"op": "continue"}\n')
                    harness.process.stdin.flush()
                except OSError:
                    pass
    finally:
        if harness is not None:
            harness.close()
    return results


def _next_ready(harness: Harness, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    try:
        while True:
            reply = harness._reply(max(0.0, deadline - time.monotonic()))
            if reply.get("ready") or reply.get("done"):
                return reply
    except HarnessGone:
        return {}


def _verify(registry, harness: Harness, v: Verification, seed) -> CheckResult:
    if v.key not in registry.EXERCISES:
        return CheckResult(v.key, [CaseResult(_("hidden cases"), False,
                                              _("no exercise {key!r} to verify").format(key=v.key))])
    return registry.evaluate(v.key, None, hidden=True, seed=seed,
                             reach=lambda guards: RemoteTarget(harness, v.function, guards))
