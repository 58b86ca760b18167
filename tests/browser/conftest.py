"""A JupyterLab server and a headless Chromium shared by the browser tests of one session."""

import shutil
from pathlib import Path

import pytest

from ..notebooks.conftest import RELEASE, ROOT, SOURCE
from .lab import CHROMIUM_ARGS, JupyterLab, NotebookPage, ensure_chromium

SCREENSHOTS = ROOT / "test-artifacts" / "jupyterlab"
"""Where each notebook's page is saved as a PNG after its run, and left for inspection."""


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab over a scratch copy of the instructor (source/) and learner (release/) notebooks."""
    root = tmp_path_factory.mktemp("jupyterlab")
    shutil.copytree(SOURCE, root / "source")
    shutil.copytree(RELEASE, root / "release")
    server = JupyterLab(root)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Opened(dict):
    """Notebooks opened in their own page and run, once per session: path -> NotebookPage."""

    def __init__(self, browser, lab):
        super().__init__()
        self.browser, self.lab = browser, lab
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)

    def __missing__(self, path: str) -> NotebookPage:
        page = self.browser.new_page(viewport={"width": 1400, "height": 1000})
        notebook = NotebookPage(page, self.lab, path)
        self[path] = notebook
        try:
            if path.split("/")[0].startswith("release"):  # release/ and the editions' release-LANG/
                notebook.run_cell_by_cell()
            else:
                notebook.run_all()
        finally:
            notebook.screenshot(self.screenshot_path(path))
        return notebook

    @staticmethod
    def screenshot_path(path: str, state: str = "") -> Path:
        """source/05_movielens.ipynb -> SCREENSHOTS/source__05_movielens[__state].png"""
        name = path.replace("/", "__").removesuffix(".ipynb") + (f"__{state}" if state else "")
        return SCREENSHOTS / f"{name}.png"

    def close(self):
        for notebook in self.values():
            notebook.page.close()


@pytest.fixture(scope="session")
def opened(browser, lab):
    notebooks = Opened(browser, lab)
    try:
        yield notebooks
    finally:
        notebooks.close()
