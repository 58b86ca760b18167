"""The sandbox as a learner's code meets it: what it can see, write, reach and leave behind. Each
test is an attack that must fail, beside a control showing the same action works where the
sandbox does not forbid it."""

import errno
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.sandbox import Limits, Sandbox, SandboxError, python_paths, run, start
from autograder.sandbox.sandbox import PRIVATE_TMPFS, REPOSITORY, SANDBOX_UID, SYSTEM

from .running import MiB, attempt, out, processes_with, python, sandbox


@pytest.fixture
def course():
    """A course folder outside /tmp (the sandbox's /tmp is its own, so that would prove nothing):
    a source notebook with the solutions, a gradebook and another learner's submission."""
    folder = Path(tempfile.mkdtemp(prefix=".sandbox-test-course-", dir=Path.home()))
    (folder / "notebooks" / "source" / "cofi").mkdir(parents=True)
    (folder / "notebooks" / "source" / "cofi" / "x.ipynb").write_text("SOLUTION")
    (folder / "gradebook.db").write_text("GRADES")
    (folder / "submitted" / "bob").mkdir(parents=True)
    (folder / "submitted" / "bob" / "x.ipynb").write_text("BOB'S WORK")
    yield folder
    shutil.rmtree(folder)


@pytest.mark.parametrize("relative, hide", [
    ("notebooks/source/cofi/x.ipynb", "notebooks"),
    ("gradebook.db", "gradebook.db"),
    ("submitted/bob/x.ipynb", "submitted"),
])
def test_hidden_course_files_cannot_be_read(writable, course, relative, hide):
    """The course is not in the sandbox at all (``test_only_the_system_and_the_python_environment_are_there``);
    bound read-only by a caller, its hidden parts stay unreadable all the same."""
    read = attempt(f"print(open({str(course / relative)!r}).read())")
    control = python(sandbox(writable, hidden=[], readonly=[course]), read)
    assert out(control).splitlines() == [(course / relative).read_text(), "done"]
    attack = python(sandbox(writable, hidden=[course / hide], readonly=[course]), read)
    assert out(attack).startswith("refused"), out(attack)
    assert out(python(sandbox(writable, hidden=[]), read)) == f"refused {errno.ENOENT}"


def test_a_submission_inside_the_hidden_course_stays_writable(course):
    """The deeper path wins: the course folder hidden, the copy of one submission inside it not."""
    copy = course / "autograded" / "ada"
    copy.mkdir(parents=True)
    code = (attempt("open('answer.txt', 'w').write('42')")
            + attempt(f"open({str(course / 'gradebook.db')!r}).read()"))
    assert out(python(sandbox(copy, hidden=[course]), code)).split() == ["done", "refused", str(errno.ENOENT)]
    assert (copy / "answer.txt").read_text() == "42"


@pytest.mark.parametrize("path", [REPOSITORY / ".git" / "HEAD", REPOSITORY / "tests" / "conftest.py"])
def test_the_repository_history_and_tests_cannot_be_read(writable, path):
    read = attempt(f"open({str(path)!r}).read()")
    assert out(python(sandbox(writable, hidden=[], readonly=[REPOSITORY]), read)) == "done"
    assert out(python(sandbox(writable, readonly=[REPOSITORY]), read)).startswith("refused")
    assert out(python(sandbox(writable), read)).startswith("refused")


def test_home_shows_only_the_interpreter_bound_back(writable, course):
    home = Path.home()
    listing = f"import os; print(sorted(os.listdir({str(home)!r})))"
    assert course.name in eval(out(python(sandbox(writable, hidden=[], readonly=[home]), listing)))
    bound_back = sorted({path.relative_to(home).parts[0] for path in python_paths() if path.is_relative_to(home)})
    assert eval(out(python(sandbox(writable), listing))) == bound_back


def test_only_the_system_and_the_python_environment_are_there(writable, course):
    """Not /home, /root, /srv, /opt, /var or /run: only ``SYSTEM``, the interpreter, the project's
    packages, the private /tmp folders and what the sandbox itself needs."""
    seen = set(eval(out(python(sandbox(writable), "import os; print(sorted(os.listdir('/')))"))))
    expected = {Path(path).parts[1] for path in [*SYSTEM, *PRIVATE_TMPFS, *python_paths(), writable, Path.home(),
                                                 REPOSITORY / ".git", REPOSITORY / "tests"]
                if os.path.lexists(path)} | {"dev", "proc"}
    assert seen == expected
    read = attempt(f"print(open({str(course / 'gradebook.db')!r}).read())")
    assert out(python(sandbox(writable, hidden=[]), read)) == f"refused {errno.ENOENT}"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can read what only root may read: the control fails")
def test_what_only_root_may_read_in_etc_is_not_readable(writable):
    """The sandbox's uid is root's on the host as root grades: /etc/shadow and the like are hidden."""
    secret = Path(tempfile.mkdtemp(prefix="sandbox-test-", dir="/etc"))
    try:
        (secret / "key").write_text("PRIVATE")
        os.chmod(secret / "key", 0o600)
        (secret / "public").write_text("PUBLIC")
        os.chmod(secret, 0o755)
        read = attempt(f"print(open({str(secret / 'key')!r}).read())")
        assert out(subprocess.run([sys.executable, "-c", read], capture_output=True)) == "PRIVATE\ndone"
        assert out(python(sandbox(writable), read)).startswith("refused")
        assert out(python(sandbox(writable), f"print(open({str(secret / 'public')!r}).read())")) == "PUBLIC"
        for path in [Path("/etc/shadow"), Path("/etc/gshadow")]:
            if path.exists():
                assert out(python(sandbox(writable), attempt(f"open({str(path)!r}).read()"))).startswith("refused")
    finally:
        shutil.rmtree(secret)


def test_the_hosts_unix_sockets_cannot_be_reached(writable):
    """A process mapped to root may connect to any Unix socket it can see, even through a read-only
    mount (a database's, Docker's): none outside ``SYSTEM`` is there."""
    folder = Path(tempfile.mkdtemp(prefix="sandbox-test-", dir="/run" if os.access("/run", os.W_OK) else Path.home()))
    try:
        path = folder / "s"
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
            os.chmod(path, 0o600)
            server.listen(4)
            connect = attempt(f"import socket; socket.socket(socket.AF_UNIX).connect({str(path)!r})")
            assert out(subprocess.run([sys.executable, "-c", connect], capture_output=True)) == "done"
            assert out(python(sandbox(writable, hidden=[]), connect)) == f"refused {errno.ENOENT}"
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("folder", [REPOSITORY, REPOSITORY / "lab_utils", REPOSITORY / "autograder",
                                    Path(sysconfig.get_paths()["purelib"]), Path(sys.base_prefix)])
def test_the_repository_and_packages_cannot_be_written(writable, folder):
    target = folder / f"sandbox-marker-{uuid.uuid4().hex}"
    result = python(sandbox(writable), attempt(f"open({str(target)!r}, 'w').write('x')"))
    assert out(result) == f"refused {errno.EROFS}"
    assert not target.exists()


def test_the_hosts_tmp_is_not_the_sandboxs(writable):
    """Writing /tmp works inside, on a /tmp of its own: nothing reaches the host's."""
    target = Path("/tmp") / f"sandbox-marker-{uuid.uuid4().hex}"
    result = python(sandbox(writable), attempt(f"open({str(target)!r}, 'w').write('x')"))
    assert out(result) == "done"
    assert not target.exists()


def test_the_writable_folder_is_written_on_the_host(writable):
    result = python(sandbox(writable), "open('answer.txt', 'w').write('42')")
    assert result.returncode == 0, result.stderr
    assert (writable / "answer.txt").read_text() == "42"


def test_it_runs_as_nobody_with_nothing_of_the_graders_environment(writable, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    code = "import os, json; print(json.dumps([os.getuid(), os.getgid(), dict(os.environ)]))"
    uid, gid, environ = eval(out(python(sandbox(writable), code)))
    assert (uid, gid) == (SANDBOX_UID, SANDBOX_UID)
    assert "GRADER_SECRET" not in environ and environ["HOME"] == "/tmp"


@pytest.fixture
def listening():
    """A TCP server on the host's 127.0.0.1."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def test_no_network_even_to_the_hosts_loopback(writable, listening):
    connect = attempt(f"import socket; socket.create_connection(('127.0.0.1', {listening}), timeout=5)")
    control = subprocess.run([sys.executable, "-c", connect], capture_output=True, text=True)
    assert control.stdout.strip() == "done"
    assert out(python(sandbox(writable), connect)) == f"refused {errno.ECONNREFUSED}"


UNSHARE_USER = 0x10000000


@pytest.mark.parametrize("action, refusals", [
    # The host's sysctls: bwrap leaves /proc/sys writable to a process that maps to root.
    ("value = open('/proc/sys/vm/swappiness').read()\nopen('/proc/sys/vm/swappiness', 'w').write(value)",
     {errno.EROFS}),
    # Leaving its cgroup for the host's root cgroup.
    ("open('/sys/fs/cgroup/pids/cgroup.procs', 'w').write('1')", {errno.EROFS}),
    # A user namespace of its own, with every capability over its own mounts.
    ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
     f"if libc.unshare({UNSHARE_USER}):\n    raise OSError(ctypes.get_errno(), 'unshare')",
     {errno.ENOSPC, errno.EPERM}),
], ids=["sysctl", "cgroup", "user namespace"])
def test_escapes_from_the_sandbox_are_refused(writable, action, refusals):
    word, number = out(python(sandbox(writable), attempt(action))).split()
    assert word == "refused" and int(number) in refusals


DETACH = textwrap.dedent("""
    import os, sys, time
    tag = sys.argv[1] + "-detached"
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", tag])
        os._exit(0)
    os.wait()
    # Seen in the sandbox's /proc: it did start, so its absence afterwards means it was killed.
    while not any(tag.encode() in open(f"/proc/{pid}/cmdline", "rb").read()
                  for pid in os.listdir("/proc") if pid.isdigit()):
        time.sleep(0.01)
    print("detached", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def test_a_detached_process_is_killed_with_the_sandbox(writable):
    marker = uuid.uuid4().hex
    with start(sandbox(writable), [sys.executable, "-c", DETACH, marker, "120"], stdout=subprocess.PIPE) as running:
        assert running.process.stdout.readline() == b"detached\n"
        assert processes_with(f"{marker}-detached"), "the control: the detached process is visible from the host"
    assert processes_with(marker) == []


@pytest.mark.parametrize("parent_sleeps, timeout", [(0, 30), (120, 2)], ids=["exits", "times out"])
def test_a_detached_process_does_not_outlive_the_command(writable, parent_sleeps, timeout):
    marker = uuid.uuid4().hex
    result = python(sandbox(writable), DETACH, marker, parent_sleeps, timeout=timeout)
    assert out(result) == "detached"
    assert result.timed_out == (parent_sleeps > timeout)
    assert processes_with(marker) == []


INJECT = attempt(
    "import fcntl, termios\n"
    "try:\n    fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # take the terminal as its own, if it can\n"
    "except OSError:\n    pass\n"
    "for byte in b'id\\n':\n    fcntl.ioctl(0, termios.TIOCSTI, bytes([byte]))")

GRADER = textwrap.dedent("""
    import fcntl, subprocess, sys, termios
    from autograder.sandbox import Sandbox, python_paths, start
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # the pty on stdin is now this grader's terminal
    code, writable = sys.argv[1], sys.argv[2]
    outside = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True).stdout.split()
    with start(Sandbox(writable, readonly=python_paths()), [sys.executable, "-c", code],
               stdout=subprocess.PIPE) as running:
        inside = running.process.stdout.read().decode().split()
    print(outside, inside)
""")


def test_no_keystrokes_can_be_pushed_into_the_graders_terminal(writable):
    """TIOCSTI types into a terminal as if from its keyboard: a child of the grader can, into the
    grader's terminal (the control); the sandbox, in a session of its own, cannot."""
    main, terminal = os.openpty()
    try:
        grader = subprocess.run([sys.executable, "-c", GRADER, INJECT, str(writable)], stdin=terminal,
                                capture_output=True, text=True, start_new_session=True, timeout=60)
    finally:
        os.close(main)
        os.close(terminal)
    assert grader.returncode == 0, grader.stderr
    assert grader.stdout.strip() == f"['done'] ['refused', '{errno.EPERM}']"


def test_sandboxes_run_side_by_side_from_threads(writable):
    """Class grading runs several at once from worker threads: each has its own cgroup and /tmp."""
    boxes = [sandbox(writable, limits=Limits(memory_bytes=256 * MiB, max_processes=50)) for _ in range(4)]
    code = "import os; open('/tmp/mine', 'x').write('x'); print(os.getuid())"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda box: python(box, code), boxes))
    assert [out(result) for result in results] == [str(SANDBOX_UID)] * 4


def test_stdin_reaches_the_command(writable):
    result = run(sandbox(writable), ["cat"], timeout=30, stdin=b"x" * MiB)
    assert result.stdout == b"x" * MiB


def test_a_missing_writable_folder_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(SandboxError, match="not a folder"):
        Sandbox(tmp_path / "missing").command(["true"])


def test_tensorflow_numpy_and_lab_utils_import_inside(writable):
    code = ("import numpy, tensorflow as tf, lab_utils; "
            "print(float(tf.reduce_sum(tf.constant(numpy.ones(3)))), lab_utils.__file__)")
    result = python(sandbox(writable, limits=Limits(memory_bytes=2048 * MiB, max_processes=256)), code,
                    timeout=120)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert out(result).split() == ["3.0", str(REPOSITORY / "lab_utils" / "__init__.py")]
