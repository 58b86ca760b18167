"""README's first command, `make lab`, run as written: JupyterLab starts on the course, for root
too (Jupyter refuses root without --allow-root), with no warning about the course root, and its
page opens in a browser. Screenshot: test-artifacts/jupyterlab/make_lab.png."""

import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

from ..notebooks.conftest import ROOT
from .conftest import SCREENSHOTS
from .lab import alive, descendants

URL = re.compile(r"(http://127\.0\.0\.1:\d+/lab\?token=\w+)")


class MakeLab:
    """``make lab`` in the checkout, its output collected by a thread until the server's URL shows."""

    def __init__(self):
        # BROWSER=true: the server's attempt to open a web browser runs `true` instead, headless.
        env = {**os.environ, "BROWSER": "true"}
        self.process = subprocess.Popen(["make", "lab"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def url(self, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = URL.search(self.output)
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                self.reader.join(5)
                raise AssertionError(f"`make lab` exited with {self.process.returncode}:\n{self.output[-3000:]}")
            time.sleep(0.3)
        raise AssertionError(f"`make lab` showed no JupyterLab URL within {timeout:.0f} s:\n{self.output[-3000:]}")

    def stop(self) -> list[int]:
        """Ctrl-C as a user would (twice: Jupyter asks to confirm); the processes left after it."""
        started = descendants(self.process.pid)
        for _ in range(2):
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGINT)
                time.sleep(1)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return alive(started)


def test_make_lab_as_written_opens_the_labs_in_jupyterlab(browser):
    lab = MakeLab()
    try:
        url = lab.url()
        base = url.split("/lab?")[0]
        token = url.split("token=")[1]
        contents = urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=30).read().decode()
        assert '"name": "release"' in contents.replace('":"', '": "') and '"name": "source"' in \
            contents.replace('":"', '": "'), f"JupyterLab does not serve notebooks/: {contents[:500]}"
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.goto(url)
            page.locator(".jp-DirListing-item", has_text="release").first.wait_for(timeout=120_000)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "make_lab.png"))
        finally:
            page.close()
    finally:
        left = lab.stop()
    assert "Running as root is not recommended" not in lab.output
    assert "is not absolute" not in lab.output, lab.output[-3000:]
    assert not left, f"processes left after Ctrl-C: {left}"
