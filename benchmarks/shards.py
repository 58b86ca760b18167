"""Two shards at once against one run: `python -m autograder grade --shard I/N` on this machine.

    .venv/bin/python benchmarks/shards.py [--students 10]

Builds the scratch course of tests/autograder/test_classroom.py (Labs 3 and 4) with the same
submissions under several student ids (correct answers, catalogued mistakes, edited and missing
notebooks), starts a PostgreSQL server on 127.0.0.1 as the tests do, and grades identical copies
of the class three ways: one run with --jobs 2 into SQLite (the single-machine baseline), one
run with --jobs 2 into PostgreSQL, and shards 1/2 and 2/2 started at once with --jobs 1 each
into one PostgreSQL database. Checks that every way gives the same scores, then prints a table.

Both shards share this machine's two cores, so they can at best match one run with two jobs:
what they show here is that sharding works and costs little; on N machines of their own, N
shards grade N times as many submissions per minute, less the few seconds each spends starting.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import describe  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

from autograder.grading.shards import Shard  # noqa: E402
from tests.autograder.grading.test_shards import PostgresServer  # noqa: E402
from tests.autograder.test_classroom import MIXED, configure, make_course, submit  # noqa: E402
from tests.notebooks.conftest import nbgrader  # noqa: E402

KINDS = ("correct", "wrong", "deleted", "duplicated", "missing")
"""Submissions of the mixed class that grade in seconds (no hanging cell), repeated across students."""


def make_class(folder: Path, students: int) -> Path:
    course = make_course(folder)
    for number in range(students):
        answers, edit, skip, *_ = MIXED[KINDS[number % len(KINDS)]]
        submit(course, f"learner{number:03d}", answers, edit, skip)
    return course


def copy_onto(template: Path, folder: Path, db_url: str | None) -> Path:
    """A copy of the class, its gradebook at ``db_url`` (the copy's SQLite when None)."""
    course = shutil.copytree(template, folder)
    if db_url:
        configure(course, f"c.CourseDirectory.db_url = {db_url!r}")
        nbgrader("generate_assignment", "cofi", "--force", cwd=course)
    return course


def grade_at_once(course: Path, *runs: list[str]) -> list[float]:
    """Start ``python -m autograder grade cofi OPTIONS`` for each of ``runs`` at once; the
    seconds until each one ended."""
    started, logs, processes = time.perf_counter(), [], []
    for number, options in enumerate(runs):
        logs.append(course / f"grade-{number}.log")
        with open(logs[-1], "w") as log:
            processes.append(subprocess.Popen([sys.executable, "-m", "autograder", "grade", "cofi", *options],
                                              cwd=course, stdout=log, stderr=subprocess.STDOUT))
    ended = [None] * len(runs)
    while None in ended:
        for number, process in enumerate(processes):
            if ended[number] is None and process.poll() is not None:
                ended[number] = time.perf_counter() - started
                if process.returncode:
                    sys.exit(f"{' '.join(process.args)} failed ({process.returncode}):\n"
                             f"{logs[number].read_text()[-3000:]}")
        time.sleep(0.1)
    return ended


def scores(db_url: str) -> dict:
    with Gradebook(db_url) as gradebook:
        return {s.student_id: {g.name: g.score for n in s.notebooks for g in n.grades}
                for s in gradebook.assignment_submissions("cofi")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    args = parser.parse_args()
    server = PostgresServer()
    rows, seen = [], {}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            template = make_class(Path(scratch) / "template", args.students)

            course = copy_onto(template, Path(scratch) / "sqlite", None)
            [seconds] = grade_at_once(course, ["--jobs", "2"])
            rows.append(("one run, --jobs 2, SQLite", args.students, seconds))
            seen["SQLite"] = scores(f"sqlite:///{course / 'notebooks' / 'gradebook.db'}")

            db_url = server.create_database("one_run")
            course = copy_onto(template, Path(scratch) / "one_run", db_url)
            [seconds] = grade_at_once(course, ["--jobs", "2"])
            rows.append(("one run, --jobs 2, PostgreSQL", args.students, seconds))
            seen["one run"] = scores(db_url)

            db_url = server.create_database("two_shards")
            course = copy_onto(template, Path(scratch) / "two_shards", db_url)
            students = [f"learner{number:03d}" for number in range(args.students)]
            shards = (Shard(1, 2), Shard(2, 2))
            ended = grade_at_once(course, *(["--jobs", "1", "--shard", str(shard)] for shard in shards))
            for shard, seconds in zip(shards, ended):
                rows.append((f"shard {shard}, --jobs 1, PostgreSQL", len(shard.select(dict.fromkeys(students))),
                             seconds))
            rows.append(("two shards at once, together", args.students, max(ended)))
            seen["two shards"] = scores(db_url)
    finally:
        server.stop()
    if any(found != seen["SQLite"] for found in seen.values()):
        sys.exit(f"the ways gave different scores: {seen}")
    print(f"On {describe('nbgrader', 'sqlalchemy', 'psycopg')}; Labs 3 and 4, {args.students} submissions, "
          "every way giving the same scores\n")
    print("| way | submissions | wall time (s) | submissions per minute |")
    print("| --- | ---: | ---: | ---: |")
    for label, count, seconds in rows:
        print(f"| {label} | {count} | {seconds:.1f} | {60 * count / seconds:.2f} |")


if __name__ == "__main__":
    main()
