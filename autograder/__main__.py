"""Command line: ``python -m autograder grade ASSIGNMENT --jobs N``."""

import argparse
import sys
from pathlib import Path

from .grading import ClassGrader, Limits, load_course


def _configured_limits(argv) -> Limits | None:
    """The limits of the course named by --course (default: here), to show as the defaults in
    --help; None when there is no course to read them from (the error comes when grading)."""
    course = argparse.ArgumentParser(add_help=False)
    course.add_argument("--course", type=Path, default=Path.cwd())
    try:
        return load_course(course.parse_known_args(argv)[0].course).limits
    except (OSError, ValueError):
        return None


def _default(limits: Limits | None, name: str, setting: str) -> str:
    value = getattr(limits, name) if limits else None
    return f"default {value:g}, {setting} in nbgrader_config.py" if value is not None else f"default: {setting}"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    limits = _configured_limits(argv)
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="autograde every submission of an assignment, several at a time")
    grade.add_argument("assignment")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    grade.add_argument("--regrade", action="store_true", help="grade again submissions that were already graded")
    grade.add_argument("--course", type=Path, default=Path.cwd(), help="folder with nbgrader_config.py (default: here)")
    grade.add_argument("--cell-timeout", type=int,
                       help=f"seconds one cell may run ({_default(limits, 'cell_timeout', 'c.Execute.timeout')})")
    grade.add_argument("--timeout", type=float, help="seconds one submission may take "
                       f"({_default(limits, 'submission_timeout', 'c.ClassGrader.submission_timeout')})")
    grade.add_argument("--memory-limit", type=float,
                       help="GiB of address space for each grading process and its kernel (0: no limit; "
                       f"{_default(limits, 'memory_limit_gb', 'c.ClassGrader.memory_limit_gb')})")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run the learners' code without a bubblewrap sandbox (where none can be made); "
                            "every record says so")
    args = parser.parse_args(argv)
    grader = ClassGrader(args.course, args.assignment, jobs=args.jobs, regrade=args.regrade,
                         cell_timeout=args.cell_timeout, submission_timeout=args.timeout,
                         memory_limit_gb=args.memory_limit, sandbox=not args.no_sandbox)
    try:
        grader.run()
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
