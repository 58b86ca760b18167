"""The class report: what the class got wrong, exercise by exercise, for the instructor to re-teach.

``python -m autograder report ASSIGNMENT`` (and ``grade`` when it ends) writes, in the course root,

- ``report-<assignment>.html``: one self-contained page (figures embedded as PNG): the scores,
  total and per exercise; for each exercise, the named mistakes ranked by how many learners made
  them, then the failures no diagnosis named, grouped by their message; the submissions that
  need a human look (not graded to the end, a cell stopped, graded without a sandbox, cells
  nbgrader tracks edited); and every learner's scores with links to their feedback;
- ``report-<assignment>.json``: the same data;
- ``mistakes-<assignment>.csv``: one row per (exercise, mistake), with the learners who made it.

Scores come from nbgrader's gradebook; mistakes, reasons and edits from the records class grading
wrote (records.py), which carry the checks' structured results: nothing is parsed from logs.
Everything a learner's code could have put into a record (messages, student ids) is escaped.
"""

from __future__ import annotations

import base64
import csv
import functools
import html
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .records import Records, SubmissionRecord, submissions, write_atomically

UNNAMED = "no named mistake: "
"""How a failure that no diagnosis named is labelled, before its message with the numbers blanked."""
NO_RESULT = "no check result (the notebook did not run to this cell)"
"""A cell that lost points with no check's result in it: not submitted, not run, or its kernel died."""


@dataclass
class Exercise:
    """One graded test cell of the assignment, and how the class did on it."""

    notebook: str
    cell: str
    max_score: float
    scores: dict[str, float] = field(default_factory=dict)
    """Student -> points."""
    mistakes: dict[str, list[str]] = field(default_factory=dict)
    """Mistake (named, or UNNAMED + the message's pattern) -> the students who made it, most common first."""
    title: str = ""
    """The check's own title, when a failing record named it (e.g. "cofi_cost_func (loops)")."""

    @property
    def full_marks(self) -> int:
        return sum(score >= self.max_score for score in self.scores.values())

    @property
    def mean(self) -> float:
        return sum(self.scores.values()) / len(self.scores) if self.scores else 0.0


@dataclass
class Learner:
    student: str
    score: float
    max_score: float
    status: str
    flags: list[str]
    """Why the submission needs a human look; empty when it does not."""
    feedback: list[str]
    """Paths of the learner's feedback pages, relative to the report."""


@dataclass
class ClassReport:
    assignment: str
    max_score: float
    exercises: list[Exercise]
    learners: list[Learner]

    @property
    def needing_a_look(self) -> list[Learner]:
        return [learner for learner in self.learners if learner.flags]

    def to_dict(self) -> dict:
        return {"assignment": self.assignment, "max_score": self.max_score,
                "exercises": [asdict(e) | {"full_marks": e.full_marks, "mean": e.mean} for e in self.exercises],
                "learners": [asdict(learner) for learner in self.learners]}


def message_pattern(message: str) -> str:
    """A failure's message with its numbers blanked, so that the same failure on different values
    groups together: "wrong value (3.5 instead of 2)" -> "wrong value (# instead of #)"."""
    first = message.split("\n")[0]
    for more in _more_cases():
        first = more.sub("", first)
    return re.sub(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", "#", first)[:160]


@functools.lru_cache(maxsize=1)
def _more_cases() -> list[re.Pattern]:
    """The "(and 3 more case(s) fail the same way)" a check adds to a failure, in every language
    of the labs, singular and plural (an edition's report groups its learners' failures too)."""
    from lab_utils import i18n

    patterns = []
    english = "{message} (and {count} more case(s) fail the same way)"
    for language in i18n.available():
        for count in (1, 2, 5, 1_000_000):
            template = i18n.catalog(language).ngettext(english, english, count).replace("{message}", "", 1)
            literal = [re.escape(part) for part in template.split("{count}")]
            patterns.append(re.compile(r"\d+".join(literal) + "$"))
    return patterns


def flags(record: SubmissionRecord | None) -> list[str]:
    """Why a person should look at this submission: its grading did not run to the end as it should."""
    if record is None:
        return ["not graded to the end (no record): run `python -m autograder grade` again"]
    found = []
    if record.status != "graded":
        found.append(record.status)
    found += [f"{notebook}: {reason}" for notebook, reason in record.reasons.items()]
    if not record.sandboxed:
        found.append("graded without a sandbox (--no-sandbox)")
    found += [f"{notebook}: {', '.join(edits)}" for notebook, edits in record.edits.items()]
    return found


def build(db_url: str, assignment: str, students: Iterable[str], records: Records, root: Path) -> ClassReport:
    """The report's data: every student with a submission in the gradebook."""
    with Gradebook(db_url) as gradebook:
        found = gradebook.find_assignment(assignment)
        exercises = {(n.name, c.name): Exercise(n.name, c.name, float(c.max_score))
                     for n in found.notebooks for c in n.grade_cells}
        max_score = float(sum(e.max_score for e in exercises.values()))
        learners, made = [], defaultdict(Counter)
        members = defaultdict(lambda: defaultdict(list))
        for student in students:
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                continue
            record = records.read(student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    exercise = exercises.get((notebook.name, grade.name))
                    if exercise is not None:
                        exercise.scores[student] = float(grade.score)
            checks = {(notebook, cell): check for notebook, cells in (record.checks if record else {}).items()
                      for cell, check in cells.items()}
            for key, exercise in exercises.items():
                if student not in exercise.scores or exercise.scores[student] >= exercise.max_score:
                    continue
                check = checks.get(key)
                if check is None:
                    name = NO_RESULT
                else:
                    name = check.mistake or UNNAMED + message_pattern(check.message or check.case or "failed")
                    exercise.title = exercise.title or re.sub(r" \((hidden cases|sealed verification)\)", "",
                                                              check.exercise)
                made[key][name] += 1
                members[key][name].append(student)
            pages = (root / "feedback" / student / assignment).glob("*.html")
            feedback = sorted(str(page.relative_to(root)) for page in pages)
            learners.append(Learner(student, float(submission.score), float(submission.max_score),
                                    record.status if record else "not finished", flags(record), feedback))
    for key, exercise in exercises.items():
        exercise.mistakes = {name: members[key][name] for name, _ in made[key].most_common()}
    return ClassReport(assignment, max_score, list(exercises.values()), learners)


# ----- figures ------------------------------------------------------------------------------------

def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def figures(report: ClassReport) -> dict[str, str]:
    """The distribution of total scores, and of each exercise's, as base64 PNGs."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    totals = [learner.score for learner in report.learners]
    total = Figure(figsize=(6, 2.8))
    axes = total.subplots()
    axes.hist(totals, bins=min(20, max(1, int(report.max_score) + 1)), range=(0, max(report.max_score, 1)),
              color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"total score (of {report.max_score:g})")
    axes.set_ylabel("learners")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title("Total scores")

    per = Figure(figsize=(6, 0.5 + 0.45 * max(1, len(report.exercises))))
    axes = per.subplots()
    labels = [f"{e.notebook}: {e.cell}" for e in report.exercises][::-1]
    counts = [len(e.scores) or 1 for e in report.exercises][::-1]
    full = [e.full_marks for e in report.exercises][::-1]
    zero = [sum(score <= 0 for score in e.scores.values()) for e in report.exercises][::-1]
    partial = [len(e.scores) - f - z for e, f, z in zip(report.exercises[::-1], full, zero)]
    left = [0.0] * len(labels)
    for values, colour, name in ((full, "#55a868", "full marks"), (partial, "#dd8452", "part"),
                                 (zero, "#c44e52", "0 points")):
        shares = [v / c for v, c in zip(values, counts)]
        axes.barh(labels, shares, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, shares)]
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of learners")
    axes.set_title("Scores per exercise")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return {"total": _png(total), "exercises": _png(per)}


# ----- writing it out -----------------------------------------------------------------------------

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;
vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}.unnamed{color:#666}.muted{color:#666}
img{max-width:100%}"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def to_html(report: ClassReport, images: dict[str, str]) -> str:
    """The report as one HTML page with nothing to fetch."""
    learners = len(report.learners)
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Class report: {_e(report.assignment)}</title>"
           f"<style>{STYLE}</style></head><body>",
           f"<h1>Class report: {_e(report.assignment)}</h1>",
           f"<p>{learners} submission{'s' * (learners != 1)}; mean total "
           f"{(sum(lr.score for lr in report.learners) / learners if learners else 0):.1f} of {report.max_score:g}; "
           f"{len(report.needing_a_look)} need a human look.</p>",
           f"<img alt='total scores' src='data:image/png;base64,{images['total']}'>",
           f"<img alt='scores per exercise' src='data:image/png;base64,{images['exercises']}'>",
           "<h2>Mistakes, exercise by exercise</h2>",
           "<p class='muted'>Named mistakes are what the checks recognised; the others are grouped by their "
           "message with the numbers left out. Ranked by how many learners made each.</p>"]
    for exercise in report.exercises:
        title = f" ({_e(exercise.title)})" if exercise.title else ""
        out.append(f"<h3>{_e(exercise.notebook)}: {_e(exercise.cell)}{title}</h3>"
                   f"<p>{exercise.full_marks} of {len(exercise.scores)} with full marks ({exercise.max_score:g} "
                   f"points); mean {exercise.mean:.2f}.</p>")
        if exercise.mistakes:
            out.append("<table><tr><th>mistake</th><th>learners</th><th>who</th></tr>")
            for name, students in exercise.mistakes.items():
                css = " class='unnamed'" if name.startswith(UNNAMED) else ""
                out.append(f"<tr><td{css}>{_e(name)}</td><td class='n'>{len(students)}</td>"
                           f"<td>{_e(', '.join(students))}</td></tr>")
            out.append("</table>")
    out.append("<h2>Submissions that need a human look</h2>")
    if report.needing_a_look:
        out.append("<table><tr><th>learner</th><th>score</th><th>why</th></tr>")
        for learner in report.needing_a_look:
            why = "<br>".join(_e(flag) for flag in learner.flags)
            out.append(f"<tr><td>{_e(learner.student)}</td><td class='n'>{learner.score:g}/{learner.max_score:g}</td>"
                       f"<td>{why}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>None: every submission was graded to the end, in a sandbox, with no tracked cell edited.</p>")
    out.append("<h2>Every learner</h2><table><tr><th>learner</th><th>status</th><th>score</th>"
               + "".join(f"<th>{_e(e.cell)}</th>" for e in report.exercises) + "<th>feedback</th></tr>")
    for learner in report.learners:
        cells = "".join(f"<td class='n'>{e.scores[learner.student]:g}</td>" if learner.student in e.scores
                        else "<td class='n muted'>-</td>" for e in report.exercises)
        links = " ".join(f"<a href='{_e(path)}'>{_e(Path(path).stem)}</a>" for path in learner.feedback) or \
            "<span class='muted'>none generated</span>"
        out.append(f"<tr><td>{_e(learner.student)}</td><td>{_e(learner.status)}</td>"
                   f"<td class='n'>{learner.score:g}/{learner.max_score:g}</td>{cells}<td>{links}</td></tr>")
    out.append("</table><p class='muted'>Feedback pages come from <code>nbgrader generate_feedback</code>.</p>"
               "</body></html>")
    return "\n".join(out)


def write_report(db_url: str, assignment: str, students: Iterable[str], records: Records, root: Path) -> Path:
    """Write the page, its JSON and the mistakes CSV into ``root``; return the page's path."""
    report = build(db_url, assignment, students, records, root)
    page = root / f"report-{assignment}.html"
    write_atomically(page, to_html(report, figures(report)))
    write_atomically(root / f"report-{assignment}.json", json.dumps(report.to_dict(), indent=1))
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["notebook", "cell", "mistake", "learners", "students"])
    for exercise in report.exercises:
        for name, students in exercise.mistakes.items():
            writer.writerow([exercise.notebook, exercise.cell, name, len(students), " ".join(students)])
    write_atomically(root / f"mistakes-{assignment}.csv", table.getvalue())
    return page


def summary(report_json: Path, top: int = 3) -> list[str]:
    """A few lines for the terminal: each exercise's most common mistakes."""
    data = json.loads(report_json.read_text())
    lines = []
    for exercise in data["exercises"]:
        ranked = list(exercise["mistakes"].items())[:top]
        if ranked:
            said = "; ".join(f"{name} ({len(students)})" for name, students in ranked)
            lines.append(f"{exercise['notebook']}:{exercise['cell']}: {said}")
    return lines


def report_course(folder: Path, assignment: str) -> Path:
    """Write the report of ``assignment`` for the course configured in ``folder`` (see load_course)."""
    from .settings import load_course
    from .shards import one_shard_at_a_time

    course = load_course(folder)
    root = course.root
    with Gradebook(course.db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise SystemExit(f"assignment {assignment!r} is not in the gradebook {course.db_url}: "
                             f"grade it first (python -m autograder grade {assignment})") from None
    records = Records(root / ".autograder" / assignment)
    # Shards finishing at once would each write it: one at a time, the last one reads every grade.
    with one_shard_at_a_time(course.db_url, assignment, records.folder):
        return write_report(course.db_url, assignment, submissions(root, assignment), records, root)
