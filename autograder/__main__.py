"""Command line: ``python -m autograder grade ASSIGNMENT --jobs N``."""

import argparse
import sys
from pathlib import Path

from .classroom import ClassGrader


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="autograde every submission of an assignment, several at a time")
    grade.add_argument("assignment")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    grade.add_argument("--regrade", action="store_true", help="grade again submissions that were already graded")
    grade.add_argument("--course", type=Path, default=Path.cwd(), help="folder with nbgrader_config.py (default: here)")
    grade.add_argument("--cell-timeout", type=float, default=300, help="seconds one cell may run (default 300)")
    grade.add_argument("--timeout", type=float, default=3600, help="seconds one submission may take (default 3600)")
    grade.add_argument("--memory-limit", type=float, default=4.0,
                       help="GiB of address space for each grading process and its kernel (0: no limit; default 4)")
    args = parser.parse_args(argv)
    grader = ClassGrader(args.course, args.assignment, jobs=args.jobs, regrade=args.regrade,
                         cell_timeout=args.cell_timeout, submission_timeout=args.timeout,
                         memory_limit_gb=args.memory_limit)
    try:
        grader.run()
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
