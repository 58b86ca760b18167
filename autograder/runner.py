"""Call a learner's function so that nothing it does can escape the check unexplained.

An exception is reported with the learner's own line that raised it (frames in the autograder,
the course's reference packages and installed libraries are skipped), a call that runs too long
is stopped, a call into a forbidden reference function is noticed however it was named, and
inputs the function changed in place are reported as such.
"""

from __future__ import annotations

import linecache
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from lab_utils.i18n import _

from .result import translated

_AUTOGRADER = str(Path(__file__).resolve().parent)


class TimeLimitExceeded(Exception):
    pass


@dataclass(frozen=True)
class Guards:
    """What a call of the learner's function is held to."""

    timeout: float
    forbidden: dict = field(default_factory=dict)
    """Code objects of reference functions the learner's function must not call -> their names."""
    library_paths: tuple[str, ...] = ()
    """Folders whose frames are not the learner's (the course's reference packages)."""
    error_hints: Sequence[tuple] = ()
    """(pattern, hint) or (pattern, hint, what it means): an error whose text matches gets the hint
    (a shape error names the notation), and what it means in place of the library's words. The
    hint and what it means are marked with ``N_`` where they are defined and shown translated."""


@dataclass
class Outcome:
    """The value a learner's function returned, or why there is none."""

    value: Any = None
    error: str | None = None
    hint: str = ""
    mistake: str = ""
    """The name of the known mistake, when a probe recognised why the call failed."""


def _snapshot(value):
    if isinstance(value, tf.Variable):
        return value.numpy().copy()
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return [_snapshot(v) for v in value]
    return None


def _changed(before, value) -> bool:
    if before is None:
        return False
    if isinstance(before, list):
        return any(_changed(b, v) for b, v in zip(before, value))
    now = value.numpy() if isinstance(value, tf.Variable) else value
    return now.shape != before.shape or not np.array_equal(now, before, equal_nan=True)


_AUTOGRAPH = "__autograph_generated_file"
"""The file AutoGraph writes a tf.function's code into: never the learner's own line."""
_TEXT_FRAME = re.compile(r'File "([^"]+)", line (\d+), in ')
"""A frame TensorFlow writes into an error's text ("in user code:", "defined at"): the learner's
line inside a tf.function is only there, the traceback has the generated file instead."""
_NODE = re.compile(r"\s*for '\{\{node [^']*'|\s*\[\[\{\{node [^\]]*\]\]|\s*\[Op:[^\]]*\]")


def _learners(filename: str, ours: tuple[str, ...]) -> bool:
    return not filename.startswith(ours) and "site-packages" not in filename and _AUTOGRAPH not in filename


def _message(error: BaseException) -> str:
    """str(error), which a learner's own exception class may make raise."""
    try:
        return str(error)
    except Exception:  # the learner's __str__ may raise anything
        return _("(its message cannot be read)")


def learner_line(error: BaseException, library_paths: Sequence[str] = ()) -> str:
    """The last line of the learner's code in the traceback, where the mistake most likely is;
    inside a tf.function, the learner's line TensorFlow names in the error's text."""
    ours = (_AUTOGRADER, *library_paths)
    frames = [(f.filename, f.lineno, f.line) for f in traceback.extract_tb(error.__traceback__)
              if _learners(f.filename, ours)]
    frames += [(name, int(number), linecache.getline(name, int(number)).strip())
               for name, number in _TEXT_FRAME.findall(_message(error)) if _learners(name, ours)]
    if not frames:
        return ""
    filename, lineno, line = frames[-1]
    where = _("your code") if filename.startswith(("<ipython", "/tmp/ipykernel")) else Path(filename).name
    if line:
        return _("line {number} of {where}: {line}").format(number=lineno, where=where, line=line)
    return _("line {number} of {where}").format(number=lineno, where=where)


def error_text(error: BaseException) -> str:
    """The error's own sentence: for an error TensorFlow raised inside a tf.function, its last
    paragraph without the frames and graph node names wrapped around it."""
    text = _message(error)
    if "in user code:" in text or "Detected at node" in text:
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        text = paragraphs[-1] if paragraphs else text
        text = re.sub(rf"^\s*{re.escape(type(error).__name__)}: ", "", text)
    return " ".join(_NODE.sub("", text).split())


def _alarm(_signum, _frame):
    raise TimeLimitExceeded


class _CallWatcher:
    """A profile hook that notes the first call into a forbidden function, however it was named."""

    def __init__(self, forbidden: dict):
        self.forbidden = forbidden
        self.called: str | None = None

    def __call__(self, frame, event, arg):
        if event == "call" and self.called is None and frame.f_code in self.forbidden:
            self.called = self.forbidden[frame.f_code]


def call(fn: Callable, args: tuple, guards: Guards, *, watch: dict[int, str] | None = None) -> Outcome:
    """Run fn(*args) held to ``guards``; ``watch`` maps the positions of arguments fn must not
    modify to their names."""
    watch = watch or {}
    before = {i: _snapshot(args[i]) for i in watch}
    watcher = _CallWatcher(guards.forbidden) if guards.forbidden else None
    use_alarm = threading.current_thread() is threading.main_thread() and guards.timeout > 0
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    if use_alarm:
        signal.setitimer(signal.ITIMER_REAL, guards.timeout)
    profiler = sys.getprofile()
    try:
        if watcher:
            sys.setprofile(watcher)
        try:
            value = fn(*args)
        finally:
            sys.setprofile(profiler)
    except TimeLimitExceeded:
        return timed_out(guards.timeout)
    except NotImplementedError:
        return Outcome(error=_("raises NotImplementedError: the exercise is not written yet"),
                       hint=_("replace `raise NotImplementedError()` with your code"))
    except KeyboardInterrupt:  # the person at the keyboard (or nbgrader's timeout) stopping the check
        raise
    except BaseException as error:  # anything else the learner's function raises is its answer, sys.exit() too
        line = learner_line(error, guards.library_paths)
        said, hint = error_text(error), ""
        for pattern, found, *what_it_means in guards.error_hints:
            if pattern.search(f"{type(error).__name__}: {_message(error)}"):
                hint, said = translated(found), (translated(what_it_means[0]) if what_it_means else said)
                break
        said = _("raised {error_type}: {message}").format(error_type=type(error).__name__, message=said).strip()
        return Outcome(error=_("{error} (at {line})").format(error=said, line=line) if line else said, hint=hint)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if watcher and watcher.called:
        return Outcome(value=value,
                       error=_("calls the reference solution {function} instead of computing the answer").format(
                           function=watcher.called),
                       hint=_("write the computation yourself; calling the lab's reference scores 0"))
    for i, name in watch.items():
        if _changed(before[i], args[i]):
            return Outcome(value=value, error=_("changed its input {name} in place").format(name=name),
                           hint=_("compute new arrays instead of assigning into the ones passed in "
                                  "(e.g. Y[...] = or X -=)"))
    return Outcome(value=value)


def timed_out(seconds: float) -> Outcome:
    """The outcome of a call stopped after its time limit of ``seconds``."""
    return Outcome(error=_("did not finish within {seconds:g} seconds").format(seconds=seconds),
                   hint=_("look for a loop that never ends, or one that runs far more often than needed"))
