"""Grading throughput: plain `nbgrader autograde` against `python -m autograder grade --jobs N`.

Builds a scratch course with the full assignment, submits the same learner notebooks (the
instructor's solutions, with a mistake in some of them) under several student ids, and grades
identical copies of it several ways in one run. Plain nbgrader runs nbgrader's own autograde
steps (no sandbox, no sealed verification: what an instructor has without this project), then
this course's steps (the kernel in a sandbox, the sealed verification), one submission after
another as nbgrader does; the class grader runs this course's steps with one and two jobs, once
more with --no-fork-server (a new nbgrader process per submission, which imports nbgrader and
TensorFlow each time) and once with --no-sandbox, to show what the fork server saves and what the
sandbox costs. Prints a markdown table with each rate against both nbgrader rows.

    .venv/bin/python benchmarks/grading_throughput.py --students 4

``--ways`` runs only some of the rows, e.g. ``--students 10 --ways same,jobs2`` for a class of a
realistic size in half the time (a rate is compared with an nbgrader row only if that row ran),
or others: ``allcores`` is two jobs each running TensorFlow on every core, as before each job got
its share.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.sandbox import THREADS, usable_cores

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


NBGRADER_STEPS = """
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
"""
"""nbgrader's default autograde steps (nbgrader/converters/autograde.py), put back for the baseline."""


GRADE = [sys.executable, "-m", "autograder", "grade", "cofi"]
WAYS = [
    ("own", "nbgrader autograde, one after another (nbgrader's own steps)", [BIN / "nbgrader", "autograde", "cofi"],
     NBGRADER_STEPS, None),
    ("same", "nbgrader autograde, one after another (this course's steps)", [BIN / "nbgrader", "autograde", "cofi"],
     "", None),
    ("jobs1", "python -m autograder grade --jobs 1", [*GRADE, "--jobs", "1"], "", None),
    ("jobs2", "python -m autograder grade --jobs 2", [*GRADE, "--jobs", "2"], "", None),
    ("nofork", "python -m autograder grade --jobs 2 --no-fork-server", [*GRADE, "--jobs", "2", "--no-fork-server"],
     "", None),
    ("nosandbox", "python -m autograder grade --jobs 2 --no-sandbox", [*GRADE, "--jobs", "2", "--no-sandbox"], "",
     None),
    ("allcores", "python -m autograder grade --jobs 2, each job's TensorFlow on every core",
     [*GRADE, "--jobs", "2"], "", {name: str(usable_cores()) for name in THREADS}),
]
"""(name for --ways, label, command, what is appended to the course's nbgrader_config.py, the
variables set over this environment). ``allcores`` sets TensorFlow's threads to the core count,
which TensorFlow takes when they are unset, as two jobs ran before each got its share of the
cores (``autograder.sandbox.thread_share``); it is not run unless asked for."""
DEFAULT_WAYS = ["own", "same", "jobs1", "jobs2", "nofork", "nosandbox"]


def run(*command, cwd, env=None):
    subprocess.run([str(c) for c in command], cwd=cwd, env={**ENV, **(env or {})}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_course(folder: Path, students: int) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(ROOT / "notebooks" / "source", folder / "notebooks" / "source")
    run(BIN / "nbgrader", "generate_assignment", "cofi", "--force", cwd=folder)
    for number in range(students):
        student = f"learner{number:03d}"
        run(BIN / "nbgrader", "db", "student", "add", student, cwd=folder)
        target = folder / "notebooks" / "submitted" / student / "cofi"
        shutil.copytree(ROOT / "notebooks" / "source" / "cofi", target)
        if number % 2:  # every other learner forgets the 1/2 in the loop cost
            path = target / "03_cofi_cost.ipynb"
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == "cofi-cost-loops":
                    cell.source = cell.source.replace("J = J / 2", "J = J")
            nbformat.write(nb, path)
    return folder


def timed(label, command, course, students, env):
    started = time.perf_counter()
    run(*command, cwd=course, env=env)
    seconds = time.perf_counter() - started
    return label, seconds, 60 * students / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--ways", type=lambda text: text.split(","), default=DEFAULT_WAYS,
                        help=f"the rows to run, comma-separated, of {', '.join(way[0] for way in WAYS)} "
                             f"(default: {','.join(DEFAULT_WAYS)})")
    args = parser.parse_args()
    unknown = set(args.ways) - {way[0] for way in WAYS}
    if unknown:
        parser.error(f"no such way: {', '.join(sorted(unknown))}")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        template = make_course(Path(scratch) / "template", args.students)
        ways = [way for way in WAYS if way[0] in args.ways]
        for number, (_, label, command, config, env) in enumerate(ways):
            course = Path(scratch) / f"way{number}"
            shutil.copytree(template, course)
            with open(course / "nbgrader_config.py", "a") as f:
                f.write(config)
            rows.append(timed(label, command, course, args.students, env))
    print(f"Grading {args.students} submissions of the 6-notebook assignment on {platform.node()} "
          f"({os.cpu_count()} cores, Python {platform.python_version()})\n")
    rates = {way[0]: row[2] for way, row in zip(ways, rows)}

    def versus(rate, baseline):
        return f"{rate / rates[baseline]:.2f}x" if baseline in rates else "not run"

    print("| grader | wall time (s) | submissions per minute | vs nbgrader's own steps | vs nbgrader, same steps |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, seconds, rate in rows:
        print(f"| {label} | {seconds:.1f} | {rate:.2f} | {versus(rate, 'own')} | {versus(rate, 'same')} |")


if __name__ == "__main__":
    main()
