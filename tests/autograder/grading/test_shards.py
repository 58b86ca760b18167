"""``--shard I/N``: several machines grade one class into one shared PostgreSQL gradebook.

The split is checked on its own (fast); the grading against a real PostgreSQL server that the
tests start (Debian's ``postgresql``, installed with apt-get where it is missing), on five
submissions of Labs 3 and 4 from the mixed class of test_classroom.py.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from sqlalchemy import create_engine, text

from autograder.__main__ import main
from autograder.grading import ClassGrader
from autograder.grading.shards import Shard, one_shard_at_a_time, shard_of
from autograder.sandbox.install import ensure_package

from ...notebooks.conftest import nbgrader
from ..conftest import interruptible
from ..test_classroom import MIXED, configure, make_course, read_csv, submit
from .test_settings import course_with

KNOWN_SHARDS = {"correct": 1, "wrong": 1, "broken": 1, "crash": 2, "missing": 2}
"""Five students of the mixed class and the shard of two that grades each: the SHA-256 of the id
decides, so these never change (a test of the split that cannot drift with Python's hash)."""


# ----- the split --------------------------------------------------------------------------------

def test_the_shard_of_a_student_is_fixed_by_the_id_in_every_process():
    assert {student: shard_of(student, 2) for student in KNOWN_SHARDS} == KNOWN_SHARDS
    show = "from autograder.grading.shards import shard_of; print([shard_of(s, 7) for s in ('ada', 'grace', 'alan')])"
    seen = {subprocess.run([sys.executable, "-c", show], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout for seed in ("1", "2")}
    assert seen == {f"{[shard_of(s, 7) for s in ('ada', 'grace', 'alan')]}\n"}


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_the_shards_take_every_student_exactly_once_and_about_as_many_each(count):
    students = {f"learner{number:04d}": number for number in range(1000)}
    shares = [Shard(index, count).select(students) for index in range(1, count + 1)]
    assert sorted(student for share in shares for student in share) == sorted(students)
    assert all(abs(len(share) - 1000 / count) < 0.15 * 1000 / count for share in shares), [len(s) for s in shares]


def test_a_student_stays_in_their_shard_when_others_submit_later():
    early = {f"learner{number:04d}": None for number in range(100)}
    late = {**early, **{f"late{number:04d}": None for number in range(900)}}
    for index in (1, 2, 3):
        assert Shard(index, 3).select(early).keys() == Shard(index, 3).select(late).keys() & early.keys()


@pytest.mark.parametrize("argument, words", [
    ("3/2", "shard 3/2 does not exist: with 2 shards it is 1 to 2"),
    ("0/2", "shards are counted from 1 (1/2 to 2/2); pass a 0-based id"),
    ("a/b", "--shard takes I/N, this machine's shard I of N, both whole numbers"),
    ("2", "--shard takes I/N"),
    ("1/0", "the number of shards must be at least 1"),
])
def test_a_shard_that_does_not_exist_is_refused_saying_what_to_pass(tmp_path, capsys, argument, words):
    with pytest.raises(SystemExit) as exit:
        main(["grade", "cofi", "--course", str(tmp_path), "--shard", argument])
    assert exit.value.code == 2
    assert words in " ".join(capsys.readouterr().err.split())


# ----- a real PostgreSQL server -----------------------------------------------------------------

def find_pg_ctl() -> str | None:
    """Debian keeps PostgreSQL's programs in /usr/lib/postgresql/VERSION/bin, off PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]))
    return str(found[-1]) if found else shutil.which("pg_ctl")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL server on 127.0.0.1, its data in a folder of its own. PostgreSQL
    refuses to run as root: as root it runs as the ``postgres`` user Debian's package makes
    (``nobody`` where there is none), otherwise as whoever we are."""

    def __init__(self):
        self.bin = Path(ensure_package("postgresql", find_pg_ctl)).parent
        root = os.geteuid() == 0
        user = "postgres" if not root or _user_exists("postgres") else "nobody"
        self.run_as = ["runuser", "-u", user, "--"] if root else []
        # Under /tmp, not pytest's tmp_path, whose folders only their owner may enter.
        self.folder = Path(tempfile.mkdtemp(prefix="autograder-postgres-"))
        if root:
            shutil.chown(self.folder, user)
        self.port = free_port()
        self._pg("initdb", "-D", self.folder / "data", "--auth=trust", "--username=postgres", "--encoding=UTF8",
                 "--no-sync")
        # fsync off: nothing here must survive a crash of the machine, and it saves seconds a test.
        self._pg("pg_ctl", "-D", self.folder / "data", "-l", self.folder / "server.log", "-w", "start", "-o",
                 f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database on this server; its SQLAlchemy URL."""
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", self.folder / "data", "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _pg(self, program: str, *args) -> None:
        result = subprocess.run([*self.run_as, str(self.bin / program), *map(str, args)], capture_output=True,
                                text=True)
        assert result.returncode == 0, f"{program} failed:\n{result.stdout}\n{result.stderr}"


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    yield server
    server.stop()


# ----- grading into it -------------------------------------------------------------------------

def course_on(folder: Path, db_url: str | None = None) -> Path:
    """The scratch course of test_classroom.py, its gradebook at ``db_url`` (SQLite in the course
    when None), and the submissions of KNOWN_SHARDS' five students."""
    course = make_course(folder)
    if db_url:
        configure(course, f"c.CourseDirectory.db_url = {db_url!r}")
        nbgrader("generate_assignment", "cofi", "--force", cwd=course)
    for student in KNOWN_SHARDS:
        answers, edit, skip, *_ = MIXED[student]
        submit(course, student, answers, edit, skip)
    (course / "notebooks" / "submitted" / "broken" / "cofi" / "04_gradients.ipynb").write_text('{"cells": [ oops')
    return course


def cell_scores(db_url: str) -> dict[str, dict[str, float]]:
    with Gradebook(db_url) as gradebook:
        return {s.student_id: {g.name: g.score for n in s.notebooks for g in n.grades}
                for s in gradebook.assignment_submissions("cofi")}


def grade_command(shard: str) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", "cofi", "--jobs", "1", "--shard", shard]


def graded_lines(output: str) -> list[str]:
    """The students a run's progress lines ("[1/4] correct   14/14  graded ...") name."""
    return [line.split()[1] for line in output.splitlines() if line.startswith("[")]


@pytest.fixture(scope="module")
def one_run_into_sqlite(tmp_path_factory):
    course = course_on(tmp_path_factory.mktemp("sqlite"))
    ClassGrader(course, "cofi", jobs=2, log=lambda line: None).run()
    return course


@pytest.fixture(scope="module")
def two_shards_into_postgresql(postgres, tmp_path_factory):
    """Shards 1/2 and 2/2 started at once, each a process of its own, into one PostgreSQL
    gradebook; shard 1/2 interrupted (SIGINT) once its first record is written, then run again."""
    db_url = postgres.create_database("two_shards")
    course = course_on(tmp_path_factory.mktemp("postgresql"), db_url)
    records = course / "notebooks" / ".autograder" / "cofi"
    ours = [student for student, shard in KNOWN_SHARDS.items() if shard == 1]

    def run(shard):
        return subprocess.Popen(grade_command(shard), cwd=course, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)

    with interruptible():
        first, second = run("1/2"), run("2/2")
    deadline = time.time() + 300
    while not any((records / f"{student}.json").exists() for student in ours) and time.time() < deadline \
            and first.poll() is None:
        time.sleep(0.2)
    first.send_signal(signal.SIGINT)
    interrupted, _ = first.communicate(timeout=120)
    recorded = [student for student in ours if (records / f"{student}.json").exists()]
    resumed = subprocess.run(grade_command("1/2"), cwd=course, capture_output=True, text=True, timeout=600)
    other, _ = second.communicate(timeout=600)
    return {"course": course, "db_url": db_url, "interrupted": (first.returncode, interrupted, recorded),
            "resumed": (resumed.returncode, resumed.stdout + resumed.stderr), "other": (second.returncode, other)}


def test_two_shards_at_once_into_postgresql_give_the_scores_of_one_run_into_sqlite(one_run_into_sqlite,
                                                                                  two_shards_into_postgresql):
    run = two_shards_into_postgresql
    assert run["resumed"][0] == 0 and run["other"][0] == 0, run
    reference = cell_scores(f"sqlite:///{one_run_into_sqlite / 'notebooks' / 'gradebook.db'}")
    assert set(reference) == set(KNOWN_SHARDS)
    assert cell_scores(run["db_url"]) == reference
    # The CSV, rewritten by each shard as it finished, holds the whole class as one run wrote it.
    assert read_csv(run["course"]) == read_csv(one_run_into_sqlite)


def test_the_csv_is_written_again_from_the_gradebook_and_the_records_alone(one_run_into_sqlite,
                                                                         two_shards_into_postgresql, capsys):
    """``--csv-only``: the final step where each machine kept its own records, once they are
    gathered in one course folder; it grades nothing, so it needs no sandbox."""
    course = two_shards_into_postgresql["course"]
    (course / "notebooks" / "grades-cofi.csv").unlink()
    records = course / "notebooks" / ".autograder" / "cofi"
    written = {path.name: path.stat().st_mtime_ns for path in records.glob("*.json")}
    assert main(["grade", "cofi", "--course", str(course), "--csv-only"]) == 0
    assert f"scores: {course / 'notebooks' / 'grades-cofi.csv'}" in capsys.readouterr().out
    assert read_csv(course) == read_csv(one_run_into_sqlite)
    assert {path.name: path.stat().st_mtime_ns for path in records.glob("*.json")} == written


def test_each_shard_grades_its_own_students_and_no_student_twice(two_shards_into_postgresql):
    run = two_shards_into_postgresql
    returncode, interrupted, recorded = run["interrupted"]
    first = graded_lines(interrupted) + graded_lines(run["resumed"][1])
    second = graded_lines(run["other"][1])
    assert sorted(first) == sorted(s for s, shard in KNOWN_SHARDS.items() if shard == 1), run
    assert sorted(second) == sorted(s for s, shard in KNOWN_SHARDS.items() if shard == 2), run
    assert "shard 2/2 takes 2 of 5 submissions of cofi: 0 already graded, grading 2 with 1 job(s)" in run["other"][1]
    with Gradebook(run["db_url"]) as gradebook:
        assert sorted(s.student_id for s in gradebook.assignment_submissions("cofi")) == sorted(KNOWN_SHARDS)
        assert sorted(s.id for s in gradebook.students) == sorted(KNOWN_SHARDS)


def test_an_interrupted_shard_resumes_where_it_stopped(two_shards_into_postgresql):
    run = two_shards_into_postgresql
    returncode, interrupted, recorded = run["interrupted"]
    assert returncode == 130 and "interrupted: finished submissions are recorded" in interrupted, interrupted
    assert 1 <= len(recorded) < 3, interrupted
    assert (f"shard 1/2 takes 3 of 5 submissions of cofi: {len(recorded)} already graded, "
            f"grading {3 - len(recorded)} with 1 job(s)") in run["resumed"][1], run["resumed"][1]
    assert not set(recorded) & set(graded_lines(run["resumed"][1]))


def test_a_shard_into_a_gradebook_without_the_assignment_says_to_generate_it_first(postgres, tmp_path):
    course = course_with(tmp_path, f"c.CourseDirectory.db_url = {postgres.create_database('empty')!r}")
    with pytest.raises(SystemExit, match=r"assignment 'cofi' is not in the gradebook postgresql\+psycopg://postgres@127\.0\.0\.1"
                                         r".*run `nbgrader generate_assignment cofi` with this db_url first"):
        ClassGrader(course, "cofi", shard=Shard(1, 2), sandbox=False, log=lambda line: None).run()


def test_an_unreachable_gradebook_is_named_without_its_password(postgres, tmp_path):
    url = postgres.url("no_such_database").replace("postgres@", "postgres:secret@")
    course = course_with(tmp_path, f"c.CourseDirectory.db_url = {url!r}")
    with pytest.raises(SystemExit) as exit:
        ClassGrader(course, "cofi", shard=Shard(1, 2), sandbox=False, log=lambda line: None).run()
    assert "cannot reach the gradebook postgresql+psycopg://postgres:***@127.0.0.1" in str(exit.value)
    assert "no_such_database" in str(exit.value) and "secret" not in str(exit.value)


def test_the_lock_lets_one_shard_in_at_a_time(postgres, tmp_path):
    """A second holder waits for the first: the steps under it (adding the course row, writing
    the CSV) never run in two shards at once."""
    db_url = postgres.create_database("lock")
    engine = create_engine(db_url)
    waiting_for_lock = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    second = [sys.executable, "-c", "from pathlib import Path; from autograder.grading.shards import one_shard_at_a_time\n"
              f"with one_shard_at_a_time({db_url!r}, 'cofi', Path({str(tmp_path)!r})): print('in')"]
    with one_shard_at_a_time(db_url, "cofi", tmp_path):
        waiting = subprocess.Popen(second, stdout=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        with engine.connect() as connection:
            while connection.execute(waiting_for_lock).scalar() == 0 and waiting.poll() is None \
                    and time.time() < deadline:
                time.sleep(0.1)
                connection.rollback()  # a fresh snapshot of pg_locks each time
            blocked = connection.execute(waiting_for_lock).scalar()
        assert blocked == 1 and waiting.poll() is None
    assert waiting.communicate(timeout=60)[0].strip() == "in" and waiting.returncode == 0
    engine.dispose()
