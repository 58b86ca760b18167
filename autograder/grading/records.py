"""What grading one student's submission gave (SubmissionRecord), kept as one JSON file a student.

A student counts as graded once their record is written, atomically, to
``<course root>/.autograder/<assignment>/<student>.json``; nbgrader's output for the same
student goes to ``<student>.log`` beside it, for a person to read.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .reasons import CellCheck


@dataclass
class SubmissionRecord:
    """What grading one student's submission gave."""

    student: str
    status: str = "graded"
    """graded, partly graded (some notebooks failed), or failed (nothing could be graded)."""
    reasons: dict[str, str] = field(default_factory=dict)
    """Notebook name -> why it got no score from running it."""
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    checks: dict[str, dict[str, CellCheck | None]] = field(default_factory=dict)
    """Notebook name -> grade id of each graded test cell -> why it failed (None: no failure shown)."""
    edits: dict[str, list[str]] = field(default_factory=dict)
    """Notebook name -> what the learner changed of the cells nbgrader tracks (locked cells
    edited or deleted, nbgrader metadata changed): nbgrader puts most of it back before grading,
    so these explain; a grade id it does not know stops it, and then they are the reason."""
    sandboxed: bool = True
    """False when the instructor graded without a sandbox (--no-sandbox): the learner's code could
    then read and change what the grading process can."""

    @property
    def reasons_text(self) -> str:
        """The reasons on one line, as the command prints them and the CSV holds them."""
        return "; ".join(f"{notebook}: {reason}" for notebook, reason in self.reasons.items())

    @property
    def edits_text(self) -> str:
        return "; ".join(f"{notebook}: {', '.join(edits)}" for notebook, edits in self.edits.items())

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionRecord:
        """The record ``to_dict`` gave; a record written before ``checks`` existed has none."""
        known = {name: value for name, value in data.items() if name in cls.__dataclass_fields__}
        known["checks"] = {notebook: {cell: CellCheck(**check) if check else None for cell, check in cells.items()}
                           for notebook, cells in known.get("checks", {}).items()}
        return cls(**known)


def submissions(root: Path, assignment: str) -> dict[str, Path]:
    """Student id -> the folder of their submission of ``assignment`` in the course ``root``."""
    return {p.parent.name: p for p in sorted((root / "submitted").glob(f"*/{assignment}")) if p.is_dir()}


class Records:
    """The records and logs of one assignment's students, in one folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, student: str) -> Path:
        return self.folder / f"{student}.json"

    def log(self, student: str) -> Path:
        return self.folder / f"{student}.log"

    def read(self, student: str) -> SubmissionRecord | None:
        """The student's record, or None when they have not been graded to the end."""
        path = self.path(student)
        return SubmissionRecord.from_dict(json.loads(path.read_text())) if path.is_file() else None

    def write(self, record: SubmissionRecord) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path(record.student), json.dumps(record.to_dict(), indent=1))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never part."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, newline="")
    os.replace(partial, path)
