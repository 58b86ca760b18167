"""How far class grading has got: a line per submission in the log, with an estimate of the time
left, and on a terminal a progress bar (rich, which Keras already brings) kept below those lines."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn, \
    TimeRemainingColumn


def duration(seconds: float) -> str:
    """A time left as a person says it: "40 s", "3 min", "1 h 05 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class Progress:
    """Counts finished submissions out of ``total``. ``done(text)`` logs ``[count/total] text``
    and, until the last, about how long the rest will take at the rate so far (which counts
    every job running at once). With a ``console`` that is a terminal, a bar with the time left
    stays below the log lines until ``close``."""

    def __init__(self, total: int, log: Callable[[str], None], console: Console | None = None):
        self.total, self.log = total, log
        self.count = 0
        self.started = time.perf_counter()
        self.bar = None
        if console is not None and console.is_terminal and total:
            # When stdout is that terminal too, what is printed goes above the bar, not through it.
            self.bar = Bar(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           TextColumn("left"), TimeRemainingColumn(), console=console, transient=True,
                           redirect_stdout=sys.stdout.isatty(), redirect_stderr=False)
            self.task = self.bar.add_task("grading", total=total)
            self.bar.start()

    def left(self) -> float:
        """Seconds the submissions not yet finished will take at the rate so far."""
        elapsed = time.perf_counter() - self.started
        return elapsed / self.count * (self.total - self.count) if self.count else float("nan")

    def done(self, text: str) -> None:
        self.count += 1
        line = f"[{self.count:>{len(str(self.total))}}/{self.total}] {text}"
        if self.count < self.total:
            line += f"  (about {duration(self.left())} left)"
        self.log(line)
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
