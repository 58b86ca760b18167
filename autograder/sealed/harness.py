"""The sandboxed side of a sealed verification: run a notebook's code, and call its functions on request.

``python -m autograder.sealed.harness NOTEBOOK`` runs the notebook's code cells in order in one
IPython shell (a cell that fails is skipped, as in a kernel). At each graded test cell it stops,
says so (``{"ready": true, "cell": grade id}``) and answers requests, one JSON object a line on
stdin, with one JSON line each on the standard output it started with: ``signature`` (can the
function be called with these parameters), ``call`` (the function on these inputs) and ``run``
(a custom way to exercise it, named by module and function), until ``continue``. So each
function is checked in the state the notebook had at its test cell. Everything here may be
tampered with by the learner's code; nothing here decides a score.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import sys

CELL_TIMEOUT = float(os.environ.get("AUTOGRADER_CELL_TIMEOUT", "300"))


def graded_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def cell_source(cell) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


class _CellTimeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _CellTimeout


def run_cell(shell, source: str) -> str | None:
    """Run one cell within the time limit; the error it raised, if any."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, CELL_TIMEOUT)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            outcome = shell.run_cell(source, store_history=False, silent=True)
        error = outcome.error_in_exec or outcome.error_before_exec
        return None if error is None else f"{type(error).__name__}: {error}"[:300]
    except _CellTimeout:
        return f"ran longer than {CELL_TIMEOUT:g} s"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def serve(shell, requests, replies) -> None:
    """Answer requests until ``continue`` (or the end of the input)."""
    from ..engine import Run, Target, signature_problem
    from ..exercises import load
    from ..runner import Guards
    from .wire import decode, encode

    course = load().course()

    def target(request) -> Target:
        guards = Guards(float(request.get("timeout", 10.0)), {}, course.reference_paths, course.error_hints)
        return Target(shell.user_ns.get(str(request.get("function"))), guards)

    for line in requests:
        request = json.loads(line)
        reply = {"id": request.get("id")}
        op = request.get("op")
        if op == "continue":
            return
        if op == "signature":
            problem = signature_problem(shell.user_ns.get(str(request.get("function"))), request["params"])
            reply["problem"] = None if problem is None else vars(problem)
        elif op in ("call", "run"):
            args = [decode(a) for a in request.get("args", [])]
            if op == "call":
                watch = {int(k): v for k, v in request.get("watch", {}).items()}
                outcome = target(request).call(*args, watch=watch)
            else:
                module, _, name = str(request["run"]).partition(":")
                function = getattr(importlib.import_module(module), name)
                outcome = target(request).run(Run(function, tuple(args)))
            reply.update(value=encode(outcome.value), error=outcome.error, hint=outcome.hint, mistake=outcome.mistake)
        else:
            reply["error"] = f"unknown request {op!r}"
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main(argv=None) -> int:
    path = (argv or sys.argv[1:])[0]
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the learner's code prints goes to stderr, never into the replies
    from IPython.core.interactiveshell import InteractiveShell

    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    shell = InteractiveShell.instance()
    # No GUI or inline backend without a kernel: plots draw with Agg and go nowhere.
    shell.register_magic_function(lambda line: None, "line", "matplotlib")
    errors = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        if graded_test(cell):
            grade_id = cell["metadata"]["nbgrader"].get("grade_id")
            replies.write(json.dumps({"ready": True, "cell": grade_id, "errors": errors}) + "\n")
            replies.flush()
            serve(shell, sys.stdin, replies)
            errors = []
        else:
            error = run_cell(shell, source)
            if error:
                errors.append({"index": index, "error": error})
    replies.write(json.dumps({"done": True}) + "\n")
    replies.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
