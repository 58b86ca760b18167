"""One grading process: started with the configured limits and commands, from any thread."""

import subprocess
import sys
import threading

from autograder.grading import load_course
from autograder.grading.nbgrader_run import Autograder, start

from .test_settings import CHANGED, course_with

SHOW_LIMIT = "import resource; print(*resource.getrlimit(resource.RLIMIT_AS))"


def limit_seen_by_child(tmp_path, memory_limit_bytes) -> str:
    """RLIMIT_AS as a process started from a worker thread sees it (soft and hard)."""
    out, seen = tmp_path / "out.txt", []
    with open(out, "w") as f:
        worker = threading.Thread(target=lambda: seen.append(
            start([sys.executable, "-c", SHOW_LIMIT], tmp_path, f, memory_limit_bytes)))
        worker.start()
        worker.join()
        seen[0].wait(timeout=60)
    return out.read_text().strip()


def test_the_configured_memory_limit_is_set_on_the_grading_process(tmp_path):
    limits = load_course(course_with(tmp_path, *CHANGED)).limits
    assert limit_seen_by_child(tmp_path, limits.memory_limit_bytes) == f"{3 * 2**29} {3 * 2**29}"


def test_no_memory_limit_leaves_the_process_as_it_was(tmp_path):
    ours = subprocess.run([sys.executable, "-c", SHOW_LIMIT], capture_output=True, text=True).stdout.strip()
    assert limit_seen_by_child(tmp_path, None) == ours


def test_nbgrader_is_told_the_configured_cell_timeout(tmp_path):
    course = load_course(course_with(tmp_path, *CHANGED))
    command = Autograder(course.folder, "cofi", course.limits).command("ada", "03_cofi_cost")
    assert command[1:] == ["autograde", "cofi", "--student", "ada", "--force", "--Execute.timeout=42",
                           "--notebook", "03_cofi_cost"]

