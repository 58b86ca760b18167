"""Call a learner's function so that nothing it does can escape the check unexplained.

An exception is reported with the learner's own line that raised it (frames in the autograder,
the course's reference packages and installed libraries are skipped), a call that runs too long
is stopped, a call into a forbidden reference function is noticed however it was named, and
inputs the function changed in place are reported as such.
"""

from __future__ import annotations

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
    error_hints: Sequence[tuple[re.Pattern, str]] = ()
    """(pattern, hint): an error whose text matches gets the hint (a shape error names the notation)."""


@dataclass
class Outcome:
    """The value a learner's function returned, or why there is none."""

    value: Any = None
    error: str | None = None
    hint: str = ""


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


def learner_line(error: BaseException, library_paths: Sequence[str] = ()) -> str:
    """The last line of the learner's code in the traceback, where the mistake most likely is."""
    ours = (_AUTOGRADER, *library_paths)
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(ours) and "site-packages" not in f.filename]
    if not frames:
        return ""
    frame = frames[-1]
    where = "your code" if frame.filename.startswith(("<ipython", "/tmp/ipykernel")) else Path(frame.filename).name
    return f"line {frame.lineno} of {where}: {frame.line}" if frame.line else f"line {frame.lineno} of {where}"


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
        return Outcome(error=f"did not finish within {guards.timeout:g} seconds",
                       hint="look for a loop that never ends, or one that runs far more often than needed")
    except NotImplementedError:
        return Outcome(error="raises NotImplementedError: the exercise is not written yet",
                       hint="replace `raise NotImplementedError()` with your code")
    except Exception as error:  # a learner's function may raise anything
        line = learner_line(error, guards.library_paths)
        text = f"{type(error).__name__}: {error}"
        hint = next((hint for pattern, hint in guards.error_hints if pattern.search(text)), "")
        return Outcome(error=f"raised {text}".strip() + (f" (at {line})" if line else ""), hint=hint)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if watcher and watcher.called:
        return Outcome(value=value, error=f"calls the reference solution {watcher.called} instead of computing the answer",
                       hint="write the computation yourself; calling the lab's reference scores 0")
    for i, name in watch.items():
        if _changed(before[i], args[i]):
            return Outcome(value=value, error=f"changed its input {name} in place",
                           hint="compute new arrays instead of assigning into the ones passed in (e.g. Y[...] = or X -=)")
    return Outcome(value=value)
