"""The fork server: each child is a fresh nbgrader process to whoever waits for it, kills it or limits it."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from autograder.__main__ import _early_fork_server
from autograder.grading.forkserver import ForkServer, ForkServerGone
from autograder.grading.nbgrader_run import Autograder, environment, kill, start
from autograder.grading.settings import Limits

PROBE = '''
import os, resource, sys, time

def show():
    print("session", os.getsid(0) == os.getpid(), "group", os.getpgid(0) == os.getpid())
    print("limit", *resource.getrlimit(resource.RLIMIT_AS))
    print("stdin", repr(sys.stdin.read()))
    print("argv", *sys.argv[1:])
    print("to stderr", file=sys.stderr)
    print("tensorflow imported", "tensorflow" in sys.modules)
    print("given", os.environ.get("FORK_SERVER_TEST"))

def exit_3():
    sys.exit(3)

def fail():
    raise ValueError("broken on purpose")

def sleep():
    print("sleeping", flush=True)
    time.sleep(600)

def spawn_and_sleep():
    import subprocess
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print("grandchild", child.pid, flush=True)
    time.sleep(600)
'''


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forkserver")
    (folder / "probe.py").write_text(PROBE)
    return folder


@pytest.fixture(scope="module")
def server(folder):
    server = ForkServer(folder, environment(FORK_SERVER_TEST="to every child"))
    yield server
    server.close()


def wait_for(text, path, seconds=60):
    deadline = time.monotonic() + seconds
    while text not in (path.read_text() if path.exists() else ""):
        assert time.monotonic() < deadline, f"{text!r} not in {path}"
        time.sleep(0.1)


def test_a_child_runs_in_a_session_of_its_own_with_its_limit_and_output(server, folder):
    log = folder / "show.log"
    log.write_text("before\n")
    child = server.fork(["a", "b"], folder, log, 3 * 2**30, main="probe:show")
    assert child.wait(timeout=60) == 0
    lines = log.read_text().splitlines()
    assert lines[0] == "before"  # appended, as the class grader's own line before it
    assert "session True group True" in lines
    assert f"limit {3 * 2**30} {3 * 2**30}" in lines
    assert "stdin ''" in lines
    assert "argv a b" in lines
    assert "to stderr" in lines
    assert "tensorflow imported True" in lines  # what the server imported, the child need not
    assert "given to every child" in lines


def test_a_child_gets_the_variables_of_its_own_request_over_the_servers(server, folder):
    log = folder / "own.log"
    assert server.fork([], folder, log, None, main="probe:show", env={"FORK_SERVER_TEST": "to this child"}).wait(
        timeout=60) == 0
    assert "given to this child" in log.read_text()
    log = folder / "next.log"
    assert server.fork([], folder, log, None, main="probe:show").wait(timeout=60) == 0
    assert "given to every child" in log.read_text()  # the next child has the server's own again


def test_a_process_started_anew_gets_the_variables_too(folder):
    log = folder / "anew.log"
    with open(log, "w") as out:
        process = start([sys.executable, "-c", "import os; print('given', os.environ['FORK_SERVER_TEST'])"], folder,
                        out, None, {"FORK_SERVER_TEST": "to a new process"})
        assert process.wait(timeout=60) == 0
    assert "given to a new process" in log.read_text()


def test_a_server_whose_input_closes_exits_at_once_skipping_pythons_orderly_exit(folder):
    """With TensorFlow loaded an orderly exit takes over a second, which the class grader would
    wait for at the end of every run: an exit handler registered in the server never runs."""
    site = folder / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import atexit, pathlib\n"
        f"pathlib.Path({str(folder / 'started')!r}).touch()\n"
        f"atexit.register(pathlib.Path({str(folder / 'orderly exit')!r}).touch)\n")
    server = ForkServer(folder, environment(PYTHONPATH=str(site)))
    assert server.fork([], folder, folder / "last.log", None, main="probe:exit_3").wait(timeout=60) == 3
    server.close()
    assert server.process.returncode == 0
    assert (folder / "started").exists() and not (folder / "orderly exit").exists()


def test_exit_codes_and_errors_reach_whoever_waits(server, folder):
    assert server.fork([], folder, folder / "exit.log", None, main="probe:exit_3").wait(timeout=60) == 3
    log = folder / "fail.log"
    assert server.fork([], folder, log, None, main="probe:fail").wait(timeout=60) == 1
    assert "ValueError: broken on purpose" in log.read_text()


def test_a_child_that_runs_too_long_is_waited_for_with_a_timeout_and_killed_with_its_group(server, folder):
    log = folder / "sleep.log"
    child = server.fork([], folder, log, None, main="probe:spawn_and_sleep")
    wait_for("grandchild", log)
    grandchild = int(log.read_text().split("grandchild")[1].split()[0])
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(timeout=0.5)
    kill(child)
    assert child.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{grandchild}") and "Z" not in open(f"/proc/{grandchild}/stat").read().split()[2]:
        assert time.monotonic() < deadline, "the process the child started is still running"
        time.sleep(0.1)


def test_children_forked_from_several_threads_at_once_are_told_apart(server, folder):
    codes = {}

    def one(number):
        child = server.fork([str(number)], folder, folder / f"many{number}.log", None, main="probe:show")
        codes[number] = (child.pid, child.wait(timeout=60))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == list(range(6)) and len({pid for pid, _ in codes.values()}) == 6
    assert all(code == 0 for _, code in codes.values())
    for number in range(6):
        assert f"argv {number}" in (folder / f"many{number}.log").read_text()


def test_when_the_server_ends_its_running_children_are_killed_and_grading_goes_on_without_it(folder):
    server = ForkServer(folder, environment())
    log = folder / "orphan.log"
    child = server.fork([], folder, log, None, main="probe:sleep")
    wait_for("sleeping", log)
    os.kill(server.process.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    with pytest.raises(ForkServerGone):
        server.fork([], folder, log, None, main="probe:show")
    server.close()

    # Given a server that has ended, the run starts nbgrader in a new process instead.
    grader = Autograder(folder, "cofi", Limits(cell_timeout=None, submission_timeout=60, memory_limit_gb=0),
                        server=server)
    run_log = folder / "fallback.log"
    grader.run("nobody", None, run_log)
    assert not grader.fork
    assert "the fork server ended: nbgrader runs in a new process" in run_log.read_text()
    grader.close()


def test_nbgrader_itself_runs_in_a_child(server, folder):
    log = folder / "version.log"
    assert server.fork(["--version"], folder, log, None).wait(timeout=60) == 0
    import nbgrader

    assert nbgrader.__version__ in log.read_text()


def test_a_server_given_to_the_grader_serves_it_and_stays_open_for_the_next_assignment(server, folder):
    grader = Autograder(folder, "cofi", Limits(cell_timeout=None, submission_timeout=60, memory_limit_gb=0),
                        server=server)
    log = folder / "given.log"
    grader.prepare()
    grader.close()  # the caller's server: still serving afterwards
    assert server.fork(["given"], folder, log, None, main="probe:show").wait(timeout=60) == 0
    assert "argv given" in log.read_text()


@pytest.mark.parametrize("argv", [["report", "cofi"], ["grade", "cofi", "--no-fork-server"],
                                  ["grade", "cofi", "--csv-only"], ["grade", "--help"], ["grade", "cofi", "-h"]])
def test_the_command_line_starts_no_server_where_none_would_fork(argv):
    assert _early_fork_server(argv) is None


def test_the_command_line_starts_the_server_first_when_grading(folder):
    server = _early_fork_server(["grade", "cofi", "--jobs", "2"])
    assert isinstance(server, ForkServer) and server.process.poll() is None
    server.close()  # it never forked: killed at once
    assert server.process.returncode == -signal.SIGKILL
