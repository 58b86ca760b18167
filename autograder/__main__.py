"""Command line: ``python -m autograder grade ASSIGNMENT... --jobs N`` and ``python -m autograder report ASSIGNMENT``.

Several assignments are graded one after the other in one run: the editions of the labs in
other languages are assignments of their own (``cofi cofi-pt_BR``), so a class whose learners took
either edition is graded with one command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .grading.forkserver import ForkServer, environment  # the standard library only: no nbgrader yet


def _early_fork_server(argv) -> ForkServer | None:
    """For ``grade``, the fork server (forkserver.py), started before anything else: its imports
    (about 4 s) run while this process imports nbgrader and reads the gradebook, rather than
    after, and one server serves every assignment named. None where none is wanted (another
    command, --help, --no-fork-server, --csv-only, not Linux); one started but then not used is
    killed on closing."""
    if (argv[:1] != ["grade"] or not sys.platform.startswith("linux")
            or {"-h", "--help", "--no-fork-server", "--csv-only"} & set(argv)):
        return None
    return ForkServer(Path.cwd(), environment())


def _configured_limits(argv):
    """The limits of the course named by --course (default: here), to show as the defaults in
    --help; None when there is no course to read them from (the error comes when grading)."""
    from .grading import load_course

    course = argparse.ArgumentParser(add_help=False)
    course.add_argument("--course", type=Path, default=Path.cwd())
    try:
        return load_course(course.parse_known_args(argv)[0].course).limits
    except (OSError, ValueError):
        return None


def _default(limits, name: str, setting: str) -> str:
    value = getattr(limits, name) if limits else None
    return f"default {value:g}, {setting} in nbgrader_config.py" if value is not None else f"default: {setting}"


def _shard(text: str):
    from .grading.shards import Shard

    try:
        return Shard.parse(text)
    except ValueError as error:  # argparse shows the message of this error type only
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    server = _early_fork_server(argv)
    try:
        return _main(argv, server)
    finally:
        if server is not None:
            server.close()


def _main(argv, server: ForkServer | None) -> int:
    from rich.console import Console

    from .grading import ClassGrader
    from .grading.shards import Shard

    limits = _configured_limits(argv)
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="autograde every submission of an assignment, several at a time")
    grade.add_argument("assignments", nargs="+", metavar="assignment",
                       help="one or more assignments, graded in turn (e.g. the English and the pt-BR edition: cofi cofi-pt_BR)")
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
    grade.add_argument("--no-fork-server", action="store_true",
                       help="start each nbgrader process anew instead of forking it from one that has imported "
                            "nbgrader and TensorFlow already (saves about 5 s a submission; Linux only)")
    grade.add_argument("--shard", type=_shard, default=Shard(), metavar="I/N",
                       help="grade only shard I of N (1/N to N/N), each on a machine of its own, into one shared "
                            "gradebook (PostgreSQL in c.CourseDirectory.db_url); for a 0-based array id pass $((ID + 1))/N")
    grade.add_argument("--csv-only", action="store_true",
                       help="grade nothing: write grades-ASSIGNMENT.csv from the gradebook and the records "
                            "(after every shard has finished, where the records were gathered)")
    report = commands.add_parser("report", help="write the class report: scores, the mistakes ranked per exercise, "
                                                "the submissions that need a look (HTML, JSON, CSV)")
    report.add_argument("assignment")
    report.add_argument("--course", type=Path, default=Path.cwd(), help="folder with nbgrader_config.py (default: here)")
    args = parser.parse_args(argv)
    if args.command == "report":
        return _report(args.course, args.assignment)
    status = 0
    for assignment in args.assignments:
        grader = ClassGrader(args.course, assignment, jobs=args.jobs, regrade=args.regrade,
                             cell_timeout=args.cell_timeout, submission_timeout=args.timeout,
                             memory_limit_gb=args.memory_limit, shard=args.shard, console=Console(stderr=True),
                             fork=not args.no_fork_server, server=server,
                             sandbox=not (args.no_sandbox or args.csv_only))  # --csv-only runs no learner code
        try:
            if args.csv_only:
                print(f"scores: {grader.write_csv()}")
            else:
                grader.run()
        except KeyboardInterrupt:
            return 130
        status |= _report(args.course, assignment)
    return status


def _report(course: Path, assignment: str) -> int:
    from .grading.report import report_course, summary

    page = report_course(course, assignment)
    print(f"class report: {page}")
    for line in summary(page.with_suffix(".json")):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
