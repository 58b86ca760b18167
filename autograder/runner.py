"""Call a learner's function so that nothing it does can escape the check unexplained.

An exception is reported with the learner's own line that raised it, a call that runs too long
is stopped, and inputs the function changed in place are reported as such.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

_OURS = (str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent / "lab_utils"))


_SHAPE_ERROR = re.compile(r"matmul|size-incompatible|shapes .* not aligned|could not be broadcast|"
                          r"Incompatible shapes|mismatch in its core dimension", re.I)


class TimeLimitExceeded(Exception):
    pass


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


def _learner_line(error: BaseException) -> str:
    """The last line of the learner's code in the traceback, where the mistake most likely is."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(_OURS) and "site-packages" not in f.filename]
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


def call(fn: Callable, args: tuple, *, timeout: float, watch: dict[int, str] | None = None,
         forbidden: dict | None = None) -> Outcome:
    """Run fn(*args) with a time limit.

    watch maps the positions of arguments fn must not modify to their names; forbidden maps
    the code objects of reference functions fn must not call to their names.
    """
    watch = watch or {}
    before = {i: _snapshot(args[i]) for i in watch}
    watcher = _CallWatcher(forbidden) if forbidden else None
    use_alarm = threading.current_thread() is threading.main_thread() and timeout > 0
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    if use_alarm:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    profiler = sys.getprofile()
    try:
        if watcher:
            sys.setprofile(watcher)
        try:
            value = fn(*args)
        finally:
            sys.setprofile(profiler)
    except TimeLimitExceeded:
        return Outcome(error=f"did not finish within {timeout:g} seconds",
                       hint="look for a loop that never ends, or one that runs far more often than needed")
    except NotImplementedError:
        return Outcome(error="raises NotImplementedError: the exercise is not written yet",
                       hint="replace `raise NotImplementedError()` with your code")
    except Exception as error:  # a learner's function may raise anything
        line = _learner_line(error)
        text = f"{type(error).__name__}: {error}"
        hint = ("the shapes do not fit together: is X or W transposed? X is (num_movies, num_features), "
                "W is (num_users, num_features)" if _SHAPE_ERROR.search(text) else "")
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
