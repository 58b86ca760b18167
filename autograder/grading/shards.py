"""Grading one class on several machines at once: ``python -m autograder grade cofi --shard I/N``.

Each machine (a Slurm array task, a Kubernetes Indexed Job pod, a CI matrix job) grades the
students that fall to its shard, into one shared gradebook: PostgreSQL, through the SQLAlchemy
URL in ``c.CourseDirectory.db_url``. Which shard grades a student follows from the student id
alone (a SHA-256 of it), so it is the same on every machine and in every run, and a student
never moves to another shard when others submit later. Shards are counted from 1, as a person
says them: ``1/4`` to ``4/4``. Slurm's ``--array=1-4`` gives those ids as they are; a 0-based id
(Kubernetes' ``JOB_COMPLETION_INDEX``, ``--array=0-3``) is passed as ``$((ID + 1))/4``.

What two shards write to the gradebook is kept apart: each adds only its own students, and
grades only their submissions. What they would both write is done one shard at a time, under
``one_shard_at_a_time``: nbgrader's first opening of a gradebook adds a course row (two shards
opening a fresh one at once would both add it), and the CSV, which each shard writes for the
whole class when it finishes; the last one to write it has read every other shard's grades.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

Value = TypeVar("Value")

POSTGRESQL_DRIVERS = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary"}
"""The PyPI package of each driver module SQLAlchemy may load for a PostgreSQL URL: psycopg (3)
for ``postgresql+psycopg://`` (and plain ``postgresql://`` from SQLAlchemy 2.1 on), psycopg2 for
``postgresql+psycopg2://`` (and plain ``postgresql://`` before 2.1)."""


def shard_of(student: str, count: int) -> int:
    """The shard (1 to ``count``) that grades ``student``: a stable hash of the id, the same in
    every process, on every machine (Python's ``hash`` of a string changes from run to run)."""
    digest = hashlib.sha256(student.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True)
class Shard:
    """This machine's share of the class: shard ``index`` of ``count``, counted from 1.
    ``Shard()`` (1/1) is the whole class."""

    index: int = 1
    count: int = 1

    def __post_init__(self):
        if self.count < 1:
            raise ValueError(f"shard {self}: the number of shards must be at least 1")
        if self.index == 0:
            raise ValueError(f"shard {self} does not exist: shards are counted from 1 (1/{self.count} to "
                             f"{self.count}/{self.count}); pass a 0-based id (Kubernetes' JOB_COMPLETION_INDEX, "
                             f"Slurm's --array=0-{self.count - 1}) as $((ID + 1))/{self.count}")
        if not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self} does not exist: with {self.count} shards it is 1 to {self.count}")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"`` -> Shard(2, 4); ValueError saying what is wrong with anything else."""
        index, slash, count = text.strip().partition("/")
        if not (slash and index.strip().isdigit() and count.strip().isdigit()):
            raise ValueError(f"--shard takes I/N, this machine's shard I of N, both whole numbers "
                             f"(1/4 to 4/4 for four machines), not {text!r}")
        return cls(int(index), int(count))

    @property
    def whole(self) -> bool:
        return self.count == 1

    def takes(self, student: str) -> bool:
        return shard_of(student, self.count) == self.index

    def select(self, submissions: Mapping[str, Value]) -> dict[str, Value]:
        """The entries of ``submissions`` (student id -> anything) that this shard grades."""
        return {student: value for student, value in submissions.items() if self.takes(student)}

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shown(db_url: str) -> str:
    """The URL as it may be printed in a log: without its password."""
    return make_url(db_url).render_as_string(hide_password=True)


@contextmanager
def one_shard_at_a_time(db_url: str, assignment: str, folder: Path) -> Iterator[None]:
    """Hold a lock that every shard grading ``assignment`` into this gradebook takes for the
    steps they must not run at once. On PostgreSQL it is an advisory lock of the database, which
    the shards share wherever they run; for any other gradebook (SQLite: shards on one machine)
    a lock file in ``folder``, the assignment's records folder."""
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "gradebook.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            yield
        return
    try:
        # NullPool: the connection is really closed on leaving, and PostgreSQL releases a
        # session's advisory locks when the session ends, whatever happened inside.
        engine = create_engine(url, poolclass=NullPool)
    except ModuleNotFoundError as error:
        package = POSTGRESQL_DRIVERS.get(error.name, error.name)
        raise SystemExit(f"the gradebook {shown(db_url)} is on PostgreSQL, whose driver is not installed "
                         f"({error}): pip install '{package}'") from None
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _lock_key(assignment)})
            yield
    except OperationalError as error:
        raise SystemExit(f"cannot reach the gradebook {shown(db_url)}: {str(error.orig).strip()}") from None
    finally:
        engine.dispose()


def _lock_key(assignment: str) -> int:
    """A 64-bit advisory lock key of its own for each assignment, the same in every process."""
    digest = hashlib.sha256(f"autograder grade {assignment}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
