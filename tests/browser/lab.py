"""JupyterLab on localhost and Debian's Chromium driven by Playwright: the learner's view.

``JupyterLab`` runs a real server on a free port with a token, over a scratch copy of the
notebooks, with its own settings so that every cell is kept in the page (JupyterLab 4 otherwise
renders only the cells on screen) and no news prompt covers the notebook. ``NotebookPage`` opens
a notebook in a browser page and does what a learner does: Run > Run All Cells, or Shift+Enter
cell after cell, then reads what the page shows. It reads the notebook's model through
``window.jupyterapp`` (JupyterLab's ``expose_app_in_browser`` option) to know when the kernel is
done and what every output was.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from autograder.sandbox.install import ensure_package

CHROMIUM_ARGS = [
    # As root (CI) Chromium refuses to start sandboxed; this machine has no GPU and no network.
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

SETTINGS = {
    # Keep every cell in the DOM, so plots and outputs far down the page can be checked.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # No "Would you like to get notified about official Jupyter news?" toast.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                       "checkForUpdates": False},
}


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium() -> str:
    """Debian's Chromium, installed with apt-get when it is missing (a downloaded browser build
    cannot be fetched here, so Playwright's own `playwright install` is not used)."""
    return ensure_package("chromium", find_chromium)


def _processes() -> dict[int, int]:
    """pid -> parent pid of every live process, read from /proc (no procps needed)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> list[int]:
    """The live processes started by ``pid``, directly or not (kernels start in their own session,
    so the server's process group does not hold them)."""
    parents = _processes()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def alive(pids) -> list[int]:
    live = _processes()
    return [pid for pid in pids if pid in live]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """A JupyterLab server over ``root``; ``stop`` shuts it down (kernels included) and waits."""

    def __init__(self, root: Path, startup_timeout: float = 120):
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        state = root / ".jupyter-state"
        for relative, values in SETTINGS.items():
            target = state / "settings" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        self.log_path = state / "jupyterlab.log"
        bin_dir = Path(sys.executable).parent
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               "TF_CPP_MIN_LOG_LEVEL": "2", "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
               "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"), "JUPYTER_RUNTIME_DIR": str(state / "runtime")}
        command = [str(bin_dir / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
                   "--LabApp.expose_app_in_browser=True"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=root, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_up(startup_timeout)
        except BaseException:
            self.stop()
            raise

    def url(self, path: str, query: str = "") -> str:
        return f"{self.base}/{path}?token={self.token}" + (f"&{query}" if query else "")

    def log(self, tail: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:]

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode} at start:\n{self.log()}")
            try:
                urllib.request.urlopen(self.url("api/status"), timeout=2).read()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer on {self.base} within {timeout:.0f} s:\n{self.log()}")

    def kernels(self) -> list[dict]:
        return json.loads(urllib.request.urlopen(self.url("api/kernels"), timeout=10).read())

    def stop(self, timeout: float = 30) -> None:
        """Ask the server to shut down (it stops its kernels); kill it and whatever it started
        if it will not."""
        started = descendants(self.process.pid)
        if self.process.poll() is None:
            try:
                urllib.request.urlopen(urllib.request.Request(self.url("api/shutdown"), method="POST"), timeout=10)
            except (urllib.error.URLError, OSError):
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        deadline = time.monotonic() + 10
        while alive(started) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in alive(started):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()


# JavaScript run in the page; `nb` is the notebook panel in the main area.
_JS_NOTEBOOK = "const nb = window.jupyterapp.shell.currentWidget;"
_JS_KERNEL_READY = """() => { const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = nb && nb.sessionContext && nb.sessionContext.session && nb.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle' && !!nb.content && nb.content.widgets.length > 0; }"""
_JS_QUIET = """() => { %s const kernel = nb.sessionContext.session.kernel;
    if (kernel.status === 'dead') return true;  // nothing more will run: let the checks report it
    if (kernel.status !== 'idle') return false;
    const prompts = Array.from(nb.node.querySelectorAll('.jp-InputPrompt'));
    return !prompts.some(p => p.textContent.includes('*')); }""" % _JS_NOTEBOOK
_JS_CELLS = """() => { %s const model = nb.content.model; const cells = [];
    for (let i = 0; i < model.cells.length; i++) {
        const cell = model.cells.get(i);
        cells.push({type: cell.type, count: cell.type === 'code' ? cell.executionCount : null,
                    source: cell.sharedModel.getSource(), metadata: cell.sharedModel.getMetadata(),
                    outputs: cell.type === 'code' ? cell.outputs.toJSON() : []});
    }
    return cells; }""" % _JS_NOTEBOOK
_JS_STARTED_OR_DONE = """() => { %s const model = nb.content.model;
    if (Array.from(nb.node.querySelectorAll('.jp-InputPrompt')).some(p => p.textContent.includes('*'))) return true;
    for (let i = 0; i < model.cells.length; i++) {
        const cell = model.cells.get(i);
        if (cell.type === 'code' && cell.executionCount === null) return false;
    }
    return true; }""" % _JS_NOTEBOOK


class NotebookPage:
    """One notebook open in JupyterLab in a Playwright page."""

    def __init__(self, page, lab: JupyterLab, path: str, timeout_s: float = 600):
        self.page, self.lab, self.path = page, lab, path
        self.timeout_ms = timeout_s * 1000
        # A workspace of its own, reset: otherwise every page restores the tabs (and starts the
        # kernels) of the notebooks opened before it.
        workspace = re.sub(r"\W+", "-", path)
        page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{path}", "reset"))
        page.wait_for_function(_JS_KERNEL_READY, timeout=120_000)

    def cells(self) -> list[dict]:
        """The notebook's cells as JupyterLab holds them: type, execution count, source,
        metadata and outputs (nbformat's JSON)."""
        return self.page.evaluate(_JS_CELLS)

    def code_cells(self) -> list[dict]:
        return [c for c in self.cells() if c["type"] == "code"]

    def wait_until_done(self) -> None:
        """Wait until the kernel is idle and no cell shows [*] (queued or running), twice in a
        row half a second apart, so the gap between two queued cells does not count as done."""
        deadline = time.monotonic() + self.timeout_ms / 1000
        while time.monotonic() < deadline:
            self.page.wait_for_function(_JS_QUIET, timeout=max(1, (deadline - time.monotonic()) * 1000))
            self.page.wait_for_timeout(500)
            if self.page.evaluate(_JS_QUIET):
                return
        raise TimeoutError(f"{self.path}: still running after {self.timeout_ms / 1000:.0f} s")

    def run_all(self) -> None:
        """Run > Run All Cells from the menu bar, then wait for the kernel to finish."""
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        # Queued cells show [*] at once; wait for that, or for a notebook quick enough to be done.
        self.page.wait_for_function(_JS_STARTED_OR_DONE, timeout=30_000)
        self.wait_until_done()

    def run_cell_by_cell(self) -> None:
        """Shift+Enter from the first cell to the last, waiting for each: what a learner does
        when Run All stops at the first error."""
        count = len(self.cells())
        self.page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputPrompt").click()
        self.page.keyboard.press("Escape")  # command mode
        for index in range(count):
            # Shift+Enter on the last cell would add a new empty one; Ctrl+Enter runs it in place.
            self.page.keyboard.press("Shift+Enter" if index < count - 1 else "Control+Enter")
            self.wait_until_done()

    def rendered_images(self) -> list[dict]:
        """Every image an output area shows, with its decoded size (0 if it failed to load)."""
        return self.page.evaluate("""() => Array.from(document.querySelectorAll(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img')).map(
            img => ({width: img.naturalWidth, height: img.naturalHeight, complete: img.complete}))""")

    def screenshot(self, path: Path) -> None:
        """The page as the learner sees it now (JupyterLab scrolls inside the viewport)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
