"""What the sandbox tests share: sandboxes made as class grading makes them, and small attack programs."""

import sys
import textwrap
from pathlib import Path

from autograder.sandbox import Limits, Sandbox, python_paths, run
from autograder.sandbox.sandbox import REPOSITORY

MiB = 2**20


def attempt(action: str) -> str:
    """A program that prints ``done`` when ``action`` works and ``refused ERRNO`` when the OS refuses it."""
    return (f"import sys\ntry:\n{textwrap.indent(action, '    ')}\n"
            "except OSError as error:\n    print('refused', error.errno)\nelse:\n    print('done')\n")


def sandbox(writable, *, hidden=None, limits=Limits(), readonly=(), **more) -> Sandbox:
    """A sandbox as class grading makes one: HOME, .git and tests hidden, the interpreter visible
    (and ``readonly`` bound too, for a control that shows what hiding does)."""
    hidden = [Path.home(), REPOSITORY / ".git", REPOSITORY / "tests"] if hidden is None else hidden
    return Sandbox(writable, readonly=[*python_paths(), *readonly], hidden=hidden, limits=limits, **more)


def python(box: Sandbox, code: str, *args, timeout: float = 30, **options):
    """Run ``code`` with this interpreter in the sandbox, ``args`` as its sys.argv[1:]."""
    return run(box, [sys.executable, "-c", code, *map(str, args)], timeout=timeout, **options)


def out(result) -> str:
    return result.stdout.decode().strip()


def processes_with(marker: str) -> list[int]:
    """Host pids of live processes whose command line holds ``marker`` (a zombie's is empty)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found
