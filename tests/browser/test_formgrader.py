"""nbgrader's formgrader in JupyterLab, driven as an instructor drives it, on a scratch copy of
this course: Nbgrader > Formgrader, the assignment and its notebook, Autograde on "Manage
Submissions", a submission's grades, then Generate Feedback and the feedback opened in
JupyterLab. Two learners submit Lab 1: one with the instructor's solutions, one whose cost lacks
its square. Screenshots: test-artifacts/formgrader/.

The formgrader autogrades in the Jupyter server's own process, with nbgrader_config.py read from
the folder the server started in: the sandboxed kernel and the sealed verdict run there, not in
an `nbgrader autograde` command.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import expect

from ..notebooks.conftest import ROOT, make_course
from .lab import JupyterLab

SCREENSHOTS = ROOT / "test-artifacts" / "formgrader"
ASSIGNMENT = "cofi"
NOTEBOOK = "01_gradient_tape"
"""Lab 1 alone: the quickest lab to grade, and its checks name a mistake in plain words."""

GRADING_TIMEOUT_MS = 600_000
"""How long one click on Autograde may take: the server runs the whole notebook before it answers
(nbgrader_config.py's c.Execute.timeout bounds each cell)."""


@dataclass(frozen=True)
class Learner:
    id: str
    first_name: str
    last_name: str
    answers: dict[str, str] = field(default_factory=dict)
    """grade id -> the learner's cell, where it differs from the instructor's solution."""

    @property
    def shown_name(self) -> str:
        """How the formgrader's tables write the name."""
        return f"{self.last_name}, {self.first_name}"


RIGHT = Learner("right-answers", "Ada", "Lovelace")
SQUARE_MISSING = Learner("square-missing", "Charles", "Babbage",
                         {"tape-cost": "def cost(w, x, y):\n    return w * x - y\n"})
LEARNERS = (RIGHT, SQUARE_MISSING)
EXPECTED_SCORES = {
    RIGHT.id: {"test-tape-cost": 2, "test-hand-derivative": 2, "test-tape-loop": 2},
    SQUARE_MISSING.id: {"test-tape-cost": 0, "test-hand-derivative": 2, "test-tape-loop": 2},
}
SQUARE_MISSING_HINT = "the square is missing"
"""What the autograder says about SQUARE_MISSING's cost (autograder/exercises/gradient_tape.py)."""


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def submit(course: Path, learner: Learner) -> None:
    """The release notebook with every exercise answered: the instructor's solution, or the
    learner's own answer. Test cells stay as released (hidden tests removed): autograde puts
    them back."""
    release = nbformat.read(course / "notebooks" / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    source = nbformat.read(course / "notebooks" / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solutions = {grade_id(c): c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in release.cells:
        if grade_id(cell) in solutions:
            cell.source = learner.answers.get(grade_id(cell), solutions[grade_id(cell)])
    folder = course / "notebooks" / "submitted" / learner.id / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(release, folder / f"{NOTEBOOK}.ipynb")


def gradebook(course: Path) -> Gradebook:
    return Gradebook(f"sqlite:///{course / 'notebooks' / 'gradebook.db'}")


@dataclass(frozen=True)
class Scores:
    """One submitted notebook's scores as the gradebook holds them."""
    score: float
    max_score: float
    cells: dict[str, float]
    """grade id -> score of each graded cell."""

    def as_shown(self) -> str:
        """The formgrader's "score / max" (JavaScript prints 6, not 6.0)."""
        return f"{self.score:g} / {self.max_score:g}"


def recorded_scores(course: Path, learner: Learner) -> Scores:
    with gradebook(course) as book:
        notebook = book.find_submission_notebook(NOTEBOOK, ASSIGNMENT, learner.id)
        return Scores(notebook.score, notebook.max_score, {g.name: g.score for g in notebook.grades})


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A scratch course with Lab 1, its release generated, and both learners' submissions."""
    course = make_course(tmp_path_factory.mktemp("formgrader"), [NOTEBOOK])
    with gradebook(course) as book:
        for learner in LEARNERS:
            book.add_student(learner.id, first_name=learner.first_name, last_name=learner.last_name)
    for learner in LEARNERS:
        submit(course, learner)
    return course


@pytest.fixture(scope="module")
def server(course):
    """JupyterLab started in the course folder, as an instructor starts it: the formgrader reads
    nbgrader_config.py from there."""
    lab = JupyterLab(course)
    try:
        yield lab
    finally:
        lab.stop()


@dataclass(frozen=True)
class Dialog:
    """What the formgrader's dialog said after an action: its title ("Success" or "Error"), its
    first line, and all of it (nbgrader's log, and a traceback on error)."""
    title: str
    message: str
    text: str


class Formgrader:
    """The formgrader open in a JupyterLab tab (an iframe), and what an instructor clicks in it."""

    def __init__(self, page, lab: JupyterLab):
        self.page, self.lab = page, lab
        page.goto(lab.url("lab/workspaces/formgrader", "reset"))
        page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
        page.get_by_role("menuitem", name="Formgrader").click()
        self.frame = page.frame_locator(self.IFRAME)
        self.table = self.frame.locator("#main-table")

    IFRAME = "iframe[src*='formgrader']"

    def start(self) -> None:
        """The formgrader's first page (Manage Assignments) in its tab, from wherever the last
        test left it: a submission's page has no sidebar to go back by."""
        self.page.locator(self.IFRAME).element_handle().content_frame().goto(self.lab.url("formgrader"))

    def open(self, section: str) -> None:
        """A page of the formgrader's sidebar: Manage Assignments, Manual Grading, Manage Students."""
        self.frame.locator(".nav-pills").get_by_role("link", name=section, exact=True).click()

    def open_submissions(self) -> None:
        """Manage Assignments, then the assignment's number of submissions."""
        self.start()
        self.assignment_row().locator("td.num-submissions a").click()
        expect(self.frame.locator(".breadcrumb .active")).to_have_text(ASSIGNMENT)
        expect(self.table.locator("td.student-id")).to_have_count(len(LEARNERS))

    def row(self, column: str, text: str):
        """The row of the page's table whose ``column`` cell reads ``text`` exactly."""
        cell = self.frame.locator(f"td.{column}", has_text=re.compile(f"^{re.escape(text)}$"))
        return self.table.locator("tr").filter(has=cell)

    def assignment_row(self):
        return self.row("name", ASSIGNMENT)

    def submission_row(self, learner: Learner):
        """The learner's row on Manage Submissions."""
        return self.row("student-id", learner.id)

    def click_and_read_the_dialog(self, link, name: str, timeout: float = 30_000) -> Dialog:
        """Click ``link``, wait for the dialog the formgrader shows when the server has answered,
        screenshot it, close it."""
        link.click()
        dialog = self.frame.locator(".modal.in")
        dialog.wait_for(timeout=timeout)
        body = dialog.locator(".modal-body")
        shown = Dialog(dialog.locator(".modal-title").inner_text(), body.locator("p").first.inner_text(),
                       body.inner_text())
        self.screenshot(name)
        dialog.locator(".modal-footer").get_by_role("button", name="OK").click()
        expect(self.frame.locator(".modal.in")).to_have_count(0)
        return shown

    def screenshot(self, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="module")
def formgrader(browser, server):
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        yield Formgrader(page, server)
    finally:
        page.close()


@dataclass(frozen=True)
class Autograded:
    status_before: dict[str, str]
    """learner id -> the status Manage Submissions showed before Autograde."""
    dialogs: dict[str, Dialog]
    """learner id -> what the formgrader said after Autograde."""


@pytest.fixture(scope="module")
def autograded(formgrader) -> Autograded:
    """Each submission autograded with its Autograde button on Manage Submissions."""
    formgrader.open_submissions()
    status_before, dialogs = {}, {}
    for learner in LEARNERS:
        row = formgrader.submission_row(learner)
        status_before[learner.id] = row.locator("td.status").inner_text()
        dialogs[learner.id] = formgrader.click_and_read_the_dialog(
            row.locator("td.autograde a"), f"autograded_{learner.id}", timeout=GRADING_TIMEOUT_MS)
    formgrader.screenshot("manage_submissions_autograded")
    return Autograded(status_before, dialogs)


@pytest.fixture(scope="module")
def feedback(formgrader, autograded) -> dict[str, Dialog]:
    """Feedback generated for each submission with its Generate Feedback button."""
    formgrader.open_submissions()
    dialogs = {}
    for learner in LEARNERS:
        link = formgrader.submission_row(learner).locator("td.generate-feedback a")
        dialogs[learner.id] = formgrader.click_and_read_the_dialog(link, f"feedback_generated_{learner.id}")
    return dialogs


def test_the_formgrader_opened_from_the_nbgrader_menu_lists_the_assignment_its_notebook_and_submissions(formgrader):
    formgrader.start()
    row = formgrader.assignment_row()
    expect(row).to_have_count(1)
    expect(row.locator("td.num-submissions")).to_have_text(str(len(LEARNERS)))
    formgrader.screenshot("manage_assignments")

    formgrader.open("Manual Grading")
    formgrader.table.get_by_role("link", name=ASSIGNMENT, exact=True).click()
    notebooks = formgrader.table.locator("td.name")
    expect(notebooks).to_have_text([NOTEBOOK])
    maximum = sum(EXPECTED_SCORES[RIGHT.id].values())
    expect(formgrader.table.locator("td.avg-score")).to_have_text(re.compile(rf" / {maximum}$"))
    formgrader.screenshot("manual_grading_notebooks")

    formgrader.open_submissions()
    listed = formgrader.table.locator("td.student-id").all_inner_texts()
    assert sorted(listed) == sorted(learner.id for learner in LEARNERS)


def test_autograde_on_manage_submissions_grades_each_submission_and_shows_the_gradebooks_score(autograded, formgrader,
                                                                                                 course):
    formgrader.open_submissions()
    for learner in LEARNERS:
        dialog = autograded.dialogs[learner.id]
        assert dialog.title == "Success", f"autograding {learner.id} from the formgrader failed:\n{dialog.text}"
        assert dialog.message == f"Successfully autograded '{ASSIGNMENT}' for student '{learner.id}'."
        assert autograded.status_before[learner.id] == "needs autograding"

        scores = recorded_scores(course, learner)
        assert scores.cells == EXPECTED_SCORES[learner.id], f"{learner.id} graded {scores.cells}"
        row = formgrader.submission_row(learner)
        expect(row.locator("td.status")).to_have_text("graded")
        expect(row.locator("td.score")).to_have_text(scores.as_shown())


@pytest.mark.parametrize("learner", LEARNERS, ids=lambda learner: learner.id)
def test_a_submissions_grades_show_the_gradebooks_score_for_each_test_cell_and_the_autograders_message(
        autograded, formgrader, course, learner):
    scores = recorded_scores(course, learner)
    formgrader.open_submissions()
    formgrader.submission_row(learner).get_by_role("link", name=learner.shown_name).click()
    notebook_row = formgrader.table.locator("tr").filter(has_text=NOTEBOOK)
    expect(notebook_row.locator("td.score")).to_have_text(scores.as_shown())
    formgrader.screenshot(f"grades_{learner.id}")

    notebook_row.get_by_role("link", name=NOTEBOOK, exact=True).click()
    submission = formgrader.frame
    for cell, score in scores.cells.items():
        # The score the autograder gave is the input's placeholder, filled in once the page has
        # fetched the grades; the value stays empty until the instructor overrides it.
        expect(submission.locator(f"input.score#{cell}")).to_have_attribute("placeholder", f"{score:g}")
    checks = submission.locator(".autograder-result")
    expect(checks.first).to_be_visible()
    if learner is SQUARE_MISSING:
        failed = checks.filter(has_text="not yet right").first
        failed.scroll_into_view_if_needed()
        expect(failed).to_contain_text(SQUARE_MISSING_HINT)
    else:
        expect(checks.filter(has_text="not yet right")).to_have_count(0)
    formgrader.screenshot(f"submission_{learner.id}")


@pytest.mark.parametrize("learner", LEARNERS, ids=lambda learner: learner.id)
def test_feedback_generated_from_the_formgrader_opens_in_jupyterlab_with_scores_and_hints_but_no_hidden_tests(
        feedback, browser, server, course, learner):
    dialog = feedback[learner.id]
    assert dialog.title == "Success", f"generating feedback for {learner.id} failed:\n{dialog.text}"
    relative = f"notebooks/feedback/{learner.id}/{ASSIGNMENT}/{NOTEBOOK}.html"
    assert (course / relative).is_file(), f"the formgrader said it generated feedback, but there is no {relative}"

    scores = recorded_scores(course, learner)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(server.url(f"lab/workspaces/feedback-{learner.id}/tree/{relative}", "reset"))
        shown = page.frame_locator(".jp-HTMLViewer iframe").locator("body")
        expect(shown).to_contain_text(f"{NOTEBOOK} (Score: {scores.score:.1f} / {scores.max_score:.1f})")
        if learner is SQUARE_MISSING:
            expect(shown).to_contain_text("not yet right")
            expect(shown).to_contain_text(SQUARE_MISSING_HINT)
            shown.get_by_text(SQUARE_MISSING_HINT).first.scroll_into_view_if_needed()
        else:
            expect(shown).to_contain_text("all tests passed")
            expect(shown).not_to_contain_text("not yet right")
        page.screenshot(path=str(SCREENSHOTS / f"feedback_{learner.id}.png"))
        for hidden in ("BEGIN HIDDEN TESTS", "autograder.pristine", 'verify("tape_cost"'):
            expect(shown).not_to_contain_text(hidden)
    finally:
        page.close()
