"""The class's scores as a table: ``grades-<assignment>.csv``, one row per student."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .records import Records, write_atomically


def write_csv(db_url: str, assignment_name: str, students: Iterable[str], records: Records, path: Path) -> Path:
    """One row per student with a submission in the gradebook: status, reasons, the learner's
    edits to cells nbgrader tracks, total, and the score of every graded cell."""
    with Gradebook(db_url) as gradebook:
        assignment = gradebook.find_assignment(assignment_name)
        cells = [(n.name, c.name, c.max_score) for n in assignment.notebooks for c in n.grade_cells]
        rows = []
        for student in students:
            record = records.read(student)
            try:
                submission = gradebook.find_submission(assignment_name, student)
            except MissingEntry:
                continue
            scores = {(n.name, g.name): g.score for n in submission.notebooks for g in n.grades}
            rows.append([student, record.status if record else "not finished", record.reasons_text if record else "",
                         record.edits_text if record else "",
                         f"{submission.score:g}", f"{submission.max_score:g}",
                         *(f"{scores.get((n, c), 0):g}" for n, c, _ in cells)])
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["student", "status", "reasons", "edits", "score", "max_score",
                     *(f"{n}:{c} (/{m:g})" for n, c, m in cells)])
    writer.writerows(rows)
    write_atomically(path, table.getvalue())
    return path
