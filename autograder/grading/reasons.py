"""Why a notebook got no score or part of it, read from what nbgrader wrote, never from its log.

nbgrader's log also carries whatever the learner's kernel prints, so it proves nothing. What
nbgrader writes instead: a notebook it ran to the end is in ``autograded/`` with every cell's
outputs, a cell it interrupted holding the error output configured as Execute's
``error_on_timeout``. A notebook it could not run to the end it removes from ``autograded/``
and exits with an error; almost always its kernel died (a crash, an exit, memory), though
nothing but the log tells that from nbgrader failing in some other way. The checks leave their
results in the outputs too (``autograder.result.MIME_TYPE``), so a failed cell says which case
failed and which known mistake it reproduces. Outputs come from the learner's kernel, so they
explain a score; they never decide one (nbgrader's gradebook does).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..result import MIME_TYPE, CheckResult

NOT_SUBMITTED = "not submitted"
NOT_JSON = "not valid JSON (the file is damaged or not a notebook)"
NOT_RUN = ("the kernel died while running it (it crashed, exited, or ran out of memory) or nbgrader failed; "
           "see the log in .autograder/")
"""Why nbgrader exited with an error on a notebook nbformat accepts."""


@dataclass(frozen=True)
class CellCheck:
    """Why one graded test cell failed: the check's failing case and the known mistake it
    reproduces, or the error the cell raised when no check result says more."""

    exercise: str
    case: str
    message: str
    mistake: str = ""


def submission_problem(path: Path) -> str | None:
    """Why a submitted notebook cannot be graded at all: missing, not JSON, not a notebook."""
    if not path.exists():
        return NOT_SUBMITTED
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except nbformat.reader.NotJSONError:
        return NOT_JSON
    except Exception as error:  # any other reason nbformat refuses it
        return f"not a valid notebook: {str(error).splitlines()[0][:200]}"
    return None


@dataclass(frozen=True)
class Edit:
    """A change the learner made to a cell nbgrader tracks."""

    text: str
    blocks_grading: bool = False
    """nbgrader fails on the notebook: it puts back deleted and edited locked cells, and cells
    changed to another type, but fails on a grade id the assignment does not have."""


def locked_cell_edits(release: nbformat.NotebookNode, submitted: nbformat.NotebookNode) -> list[Edit]:
    """What the learner changed of the cells nbgrader tracks, comparing the submitted notebook
    with the release one they were given: a locked cell's source, an nbgrader cell's type or
    metadata (grade id, points, flags), a cell deleted."""
    by_grade_id, by_cell_id = {}, {}
    for cell in submitted.cells:
        by_grade_id.setdefault(cell.metadata.get("nbgrader", {}).get("grade_id"), cell)
        by_cell_id.setdefault(cell.get("id"), cell)
    edits, matched = [], set()
    for cell in release.cells:
        meta = dict(cell.metadata.get("nbgrader", {}))
        name = meta.get("grade_id")
        if name is None:
            continue
        twin = by_grade_id.get(name) or (by_cell_id.get(cell.get("id")) if cell.get("id") else None)
        if twin is None:
            edits.append(Edit(f"cell {name} was deleted"))
            continue
        matched.add(id(twin))
        if twin.cell_type != cell.cell_type:
            edits.append(Edit(f"cell {name} was changed from {cell.cell_type} to {twin.cell_type}"))
        got = dict(twin.metadata.get("nbgrader", {}))
        changed = _changed_metadata(meta, got)
        if changed:
            edits.append(Edit(f"cell {name} had its nbgrader metadata changed ({changed})",
                              got.get("grade_id") != name))
        elif meta.get("locked") and twin.source != cell.source:
            edits.append(Edit(f"locked cell {name} was edited"))
    known = {cell.metadata.get("nbgrader", {}).get("grade_id") for cell in release.cells}
    for cell in submitted.cells:
        name = cell.metadata.get("nbgrader", {}).get("grade_id")
        if name is not None and name not in known and id(cell) not in matched:
            edits.append(Edit(f"a cell was given the grade id {name!r}, which the assignment does not have", True))
    return edits


def _changed_metadata(given: dict, got: dict) -> str:
    """The nbgrader metadata that differ, as ``key: given -> got``; the checksum is nbgrader's own."""
    keys = sorted((set(given) | set(got)) - {"checksum"})
    return ", ".join(f"{key}: {given.get(key, '(none)')!r} -> {got.get(key, '(none)')!r}"
                     for key in keys if given.get(key) != got.get(key))


def ungradable(edits: list[Edit]) -> str | None:
    """Why nbgrader failed on a notebook, when edits to its nbgrader cells explain it."""
    blocking = [edit.text for edit in edits if edit.blocks_grading]
    return "nbgrader cannot grade it: " + "; ".join(blocking) if blocking else None


def stopped(seconds: float) -> str:
    return f"grading took longer than {seconds:g} s and was stopped"


def interrupted_cell(seconds: float) -> str:
    return f"a cell ran longer than {seconds:g} s and was interrupted"


def read_autograded(path: Path) -> nbformat.NotebookNode | None:
    """The notebook nbgrader ran and graded, or None if it cannot be read (a learner's code had
    the run of the files while it ran)."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # missing, damaged, not a notebook: whatever it is, it explains nothing
        return None


def timed_out(nb: nbformat.NotebookNode, timeout_error: dict) -> bool:
    """Whether nbgrader interrupted a cell of this autograded notebook: the cell holds the very
    error output Execute's ``error_on_timeout`` configures (an exception the learner raises
    under the same name has a traceback of its own)."""
    return any(output.get("output_type") == "error" and output.get("ename") == timeout_error.get("ename")
               and output.get("traceback") == timeout_error.get("traceback")
               for cell in nb.cells if cell.cell_type == "code" for output in cell.get("outputs", []))


def cell_checks(nb: nbformat.NotebookNode) -> dict[str, CellCheck | None]:
    """Grade id of each graded test cell -> why it failed, or None when its outputs show no failure."""
    return {cell.metadata.nbgrader["grade_id"]: _failure(cell.get("outputs", []))
            for cell in nb.cells if cell.cell_type == "code" and _is_test(cell)}


def _is_test(cell) -> bool:
    nbgrader = cell.metadata.get("nbgrader", {})
    return bool(nbgrader.get("grade")) and not nbgrader.get("solution") and "grade_id" in nbgrader


def _failure(outputs) -> CellCheck | None:
    """The first failing case of the first check that failed; else the cell's error, if any."""
    for output in outputs:
        data = output.get("data", {}).get(MIME_TYPE)
        if not isinstance(data, dict):
            continue
        try:
            result = CheckResult.from_dict(data)
        except (TypeError, AttributeError, ValueError):  # not what a check writes: the learner's own output
            continue
        failing = next((case for case in result.cases if not case.passed), None)
        if failing is not None:
            return CellCheck(result.exercise, failing.name, failing.message, failing.mistake)
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    if error is None:
        return None
    return CellCheck("", "", f"{error.get('ename', '')}: {error.get('evalue', '')}"[:300])
