"""The labs in JupyterLab in a real browser: what a learner sees after Run All, the widgets driven
by clicks, and a learner notebook run unchanged. Screenshots: test-artifacts/jupyterlab/."""

import re
import shutil
import urllib.request

import nbformat
import pytest
from playwright.sync_api import expect

from lab_utils.i18n import SOURCE as SOURCE_LANGUAGE
from lab_utils.i18n import available

from ..editions.words import shows
from ..notebooks.conftest import NOTEBOOKS, PLOTLESS, RELEASE
from .conftest import Opened
from .lab import JupyterLab, alive, descendants


def where(path):
    return f"(screenshot: {Opened.screenshot_path(path)})"


def first_line(source):
    return source.strip().splitlines()[0] if source.strip() else "<empty cell>"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_notebook_runs_all_cells_in_jupyterlab_without_errors_and_shows_its_plots(opened, name):
    path = f"source/{name}"
    notebook = opened[path]
    cells = notebook.code_cells()

    not_run = [first_line(c["source"]) for c in cells if c["count"] is None]
    assert not not_run, f"{path}: cells not run by Run All Cells: {not_run} {where(path)}"
    errors = [(first_line(c["source"]), o["ename"], o["evalue"]) for c in cells for o in c["outputs"]
              if o["output_type"] == "error"]
    assert not errors, f"{path}: cells with errors: {errors} {where(path)}"

    plots = sum("image/png" in o.get("data", {}) for c in cells for o in c["outputs"])
    images = notebook.rendered_images()
    assert len(images) == plots, f"{path}: {plots} plots in the outputs but {len(images)} images in the page"
    assert all(i["complete"] and i["width"] > 0 and i["height"] > 0 for i in images), \
        f"{path}: an image did not load: {images} {where(path)}"
    if name not in PLOTLESS:
        assert plots, f"{path} shows no plot {where(path)}"


def option_label(select, prefix):
    """The first option whose label starts with ``prefix`` (ipywidgets writes spaces as U+00A0)."""
    labels = select.locator("option").all_text_contents()
    matching = [label for label in labels if label.replace("\xa0", " ").startswith(prefix)]
    assert matching, f"no movie starting with {prefix!r} among the picker's {len(labels)} options"
    return matching[0]


def wait_for_new_text(page, locator, old, timeout=60_000):
    """Wait until ``locator``'s text is present and differs from ``old``; return it."""
    page.wait_for_function("([element, old]) => element && element.innerText.trim() !== '' && "
                           "element.innerText !== old", arg=[locator.element_handle(), old], timeout=timeout)
    return locator.inner_text()


def widget(opened, path, css_class):
    """The notebook run in its page, the widget with ``css_class`` scrolled into view, and its
    output area."""
    notebook = opened[path]
    picker = notebook.page.locator(f".{css_class}")
    picker.scroll_into_view_if_needed()
    return notebook, picker, picker.locator(".widget-output")


def test_rating_movies_in_the_browser_changes_the_recommendations(opened):
    path = "source/05_movielens.ipynb"
    notebook, picker, output = widget(opened, path, "lab-rating-picker")
    page = notebook.page

    picker.get_by_role("button", name="Recommend").click()
    page.wait_for_function("element => element.innerText.includes('Rate at least one movie first')",
                           arg=output.element_handle(), timeout=30_000)

    select = picker.locator("select")
    select.select_option(label=option_label(select, "Star Wars"))
    picker.get_by_role("button", name="Add rating").click()
    expect(picker.locator(".widget-html").first).to_contain_text("Star Wars", timeout=30_000)
    picker.get_by_role("button", name="Recommend").click()
    first = wait_for_new_text(page, output, output.inner_text())
    notebook.screenshot(Opened.screenshot_path(path, "one_rating"))
    assert output.locator("table tbody tr").count() == 10, f"expected a top-10 table, the widget shows:\n{first}"

    # A second movie, one star: move the slider from 4 down to 1 with the keyboard.
    select.select_option(label=option_label(select, "Toy Story"))
    handle = picker.locator(".noUi-handle").first
    handle.focus()
    for _ in range(3):
        handle.press("ArrowLeft")
    expect(picker.locator(".widget-readout").first).to_have_text("1")
    picker.get_by_role("button", name="Add rating").click()
    expect(picker.locator(".widget-html").first).to_contain_text(re.compile(r"Toy Story.*: 1\b"), timeout=30_000)
    picker.get_by_role("button", name="Recommend").click()
    second = wait_for_new_text(page, output, first)
    notebook.screenshot(Opened.screenshot_path(path, "two_ratings"))
    assert output.locator("table tbody tr").count() == 10
    assert second != first


def test_picking_a_movie_in_the_browser_shows_its_neighbours(opened):
    path = "source/06_related_movies.ipynb"
    notebook, picker, output = widget(opened, path, "lab-movie-picker")
    page = notebook.page
    select = picker.locator("select")
    before = output.inner_text()
    assert output.locator("table tbody tr").count() == 10, f"the picker shows no neighbours at first:\n{before}"

    label = option_label(select, "Toy Story")
    select.select_option(label=label)
    after = wait_for_new_text(page, output, before)
    notebook.screenshot(Opened.screenshot_path(path, "toy_story"))
    rows = output.locator("table tbody tr")
    assert rows.count() == 10, after
    titles = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert "Toy Story" not in titles, f"a movie is not its own neighbour: {titles}"
    header = output.locator("table thead").inner_text()
    assert "squared_distance" in header, header
    column = header.split().index("squared_distance")
    distances = [float(rows.nth(i).locator("td").nth(column).inner_text()) for i in range(rows.count())]
    assert distances == sorted(distances), f"neighbours not nearest first: {distances}"


def test_learner_notebook_run_unchanged_shows_not_implemented_and_the_autograders_message(opened):
    path = "release/03_cofi_cost.ipynb"
    notebook = opened[path]
    cells = notebook.cells()
    exercises = [c for c in cells if c["type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution")]
    checks = [i for i, c in enumerate(cells) if c["type"] == "code" and c["metadata"].get("nbgrader", {}).get("grade")]
    assert exercises and checks, f"{path} has no exercise or check cells"

    # An exercise raises when it is called, in the cells that run it after its definition.
    raised = [first_line(c["source"]) for c in cells for o in c["outputs"]
              if o["output_type"] == "error" and o["ename"] == "NotImplementedError"]
    assert raised, f"no cell showed NotImplementedError {where(path)}"
    shown = notebook.page.locator(".jp-Notebook .jp-OutputArea-output", has_text="NotImplementedError")
    assert shown.count() >= len(raised), f"NotImplementedError is not shown in the page {where(path)}"

    rendered = notebook.page.locator(".jp-Notebook .jp-Cell")
    for index in checks:
        cell = cells[index]
        errors = [o["ename"] for o in cell["outputs"] if o["output_type"] == "error"]
        assert errors == ["AssertionError"], f"check cell {first_line(cell['source'])!r} showed {errors} {where(path)}"
        result = rendered.nth(index).locator(".autograder-result")
        assert result.count() == 1, f"check cell {index} shows no autograder result {where(path)}"
        text = result.inner_text()
        assert "not yet right" in text and "NotImplementedError" in text, text
        assert_no_traceback(rendered.nth(index), path)


def assert_no_traceback(cell, path):
    """A failed check's cell shows its result and one line: no traceback through the autograder."""
    shown = cell.locator(".jp-Cell-outputArea").inner_text()
    assert "Traceback" not in shown and "autograder/" not in shown, \
        f"a failed check shows a traceback {where(path)}:\n{shown}"
    assert "shown above" in shown, shown


WRONG_ANSWER = "def cost(w, x, y):\n    return w * x - y\n"
"""Lab 1's first exercise without its square."""


def test_a_wrong_answer_shows_the_red_box_with_its_hint_and_no_traceback(opened, lab):
    path = "release/01_gradient_tape_wrong_answer.ipynb"
    nb = nbformat.read(lab.root / "release" / "01_gradient_tape.ipynb", as_version=4)
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]
    nb.cells[ids.index("tape-cost")].source = WRONG_ANSWER
    nbformat.write(nb, lab.root / path)

    notebook = opened[path]
    cells = notebook.cells()
    index = ids.index("test-tape-cost")
    errors = [o["ename"] for o in cells[index]["outputs"] if o["output_type"] == "error"]
    assert errors == ["AssertionError"], f"the check showed {errors} {where(path)}"

    cell = notebook.page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    notebook.screenshot(Opened.screenshot_path(path, "failed_check"))
    result = cell.locator(".autograder-result")
    assert result.count() == 1, f"the check shows no autograder result {where(path)}"
    text = result.inner_text()
    for shown in ("not yet right", "expected", "actual", "the square is missing"):
        assert shown in text, f"{shown!r} is not in the red box {where(path)}:\n{text}"
    assert_no_traceback(cell, path)


@pytest.mark.parametrize("language", [language for language in available() if language != SOURCE_LANGUAGE])
def test_a_wrong_answer_in_a_translated_edition_shows_the_autograders_message_in_its_language(opened, lab, language):
    """The edition's learner notebook, as a learner opens it: the kernel reads the notebook's
    language (Jupyter tells it which notebook it runs) and the red box speaks it."""
    folder = f"release-{language}"
    shutil.copytree(RELEASE.parent / f"cofi-{language}", lab.root / folder, dirs_exist_ok=True)
    path = f"{folder}/01_gradient_tape_wrong_answer.ipynb"
    nb = nbformat.read(lab.root / folder / "01_gradient_tape.ipynb", as_version=4)
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]
    nb.cells[ids.index("tape-cost")].source = WRONG_ANSWER
    nbformat.write(nb, lab.root / path)

    notebook = opened[path]
    index = ids.index("test-tape-cost")
    cell = notebook.page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    notebook.screenshot(Opened.screenshot_path(path, "failed_check"))
    text = cell.locator(".autograder-result").inner_text()
    for english in ("not yet right", "expected", "the square is missing"):
        assert shows(text, english, language), f"{english!r} is not shown in {language} {where(path)}:\n{text}"
    assert "the square is missing" not in text and "not yet right" not in text, text


def test_jupyterlab_shuts_down_with_its_kernels(tmp_path):
    server = JupyterLab(tmp_path)
    try:
        request = urllib.request.Request(server.url("api/kernels"), data=b'{"name": "python3"}', method="POST")
        urllib.request.urlopen(request, timeout=60).read()
        assert len(server.kernels()) == 1
        started = descendants(server.process.pid)
        assert started, "expected the kernel among the server's child processes"
    finally:
        server.stop()
    assert server.process.returncode is not None
    assert not alive(started), f"processes left after shutdown: {alive(started)}"
