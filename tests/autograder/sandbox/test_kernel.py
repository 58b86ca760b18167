"""nbgrader's Execute with the learner's kernel in a sandbox (autograder.sandbox.kernel), through
real ``nbgrader autograde`` runs of Lab 4: a correct submission keeps full marks; an attacking one
reaches nothing of the host, beside a control graded without the sandbox where every attack
works; a cell that ignores the interrupt is killed and the graded cell before it keeps its points.

One sandboxed run grades two learners and one unsandboxed run the control: each Lab 4 grading
takes some twenty seconds, so the attacks share one cell.
"""

import os
import shutil
import signal
import socket
import tempfile
import uuid
from pathlib import Path
from queue import Empty

import nbformat
import pytest
from traitlets.config import Config

from autograder.sandbox import THREADS
from autograder.sandbox.kernel import NOT_RUN, SandboxedExecute
from autograder.sandbox.sandbox import REPOSITORY

from ..test_classroom import cell_scores, grade_id, submit
from ...notebooks.conftest import make_course, nbgrader
from .running import processes_with

CELL_TIMEOUT = 10
"""c.Execute.timeout of the scratch course: Lab 4's slowest cell (importing TensorFlow) needs a few seconds."""

LAB_3 = ("03_cofi_cost",)
"""test_classroom's submit() makes Labs 3 and 4; this course has Lab 4 only."""

FULL = {"test-grad-X": 2, "test-grad-W": 2, "test-grad-b": 2}

STUBBORN = ("import signal\n\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "while True:  # nothing in the loop checks for an interrupt either\n    pass\n")


def attack_cell(course: Path, marker: str, port: int) -> str:
    """A cell that tries each attack in turn and prints ``NAME done`` or ``NAME refused ERRNO``."""
    source = course / "notebooks" / "source" / "cofi" / "04_gradients.ipynb"
    gradebook = course / "notebooks" / "gradebook.db"
    attempts = {
        "read-source": f"open({str(source)!r}).read()",
        # Relative to wherever the kernel runs, and as from nbgrader's autograded/<student>/cofi.
        "read-source-relative": f"open(os.path.relpath({str(source)!r})).read()",
        "read-source-from-autograded": "open('../../../source/cofi/04_gradients.ipynb').read()",
        "read-gradebook": f"open({str(gradebook)!r}, 'rb').read()",
        "read-gradebook-relative": f"open(os.path.relpath({str(gradebook)!r}), 'rb').read()",
        "write-repository": f"open({str(REPOSITORY / f'.attack-{marker}')!r}, 'w').write('x')",
        "write-other-submission": f"open({str(other_submission(course) / f'attack-{marker}')!r}, 'w').write('x')",
        "connect": f"socket.create_connection(('127.0.0.1', {port}), timeout=5).close()",
        "signal-grader": f"os.kill({os.getpid()}, 0)",
        # Both work: what matters is what is left of them on the host afterwards. The detached
        # process holds none of the kernel's streams: one left open by a process that outlives
        # the kernel would keep nbgrader's output open, and the test waiting, in the control.
        "detach": ("subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', "
                   f"{marker + '-detached'!r}], start_new_session=True, stdin=subprocess.DEVNULL, "
                   "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"),
        "write-cwd": f"open('cwd-{marker}', 'w').write('x')",
    }
    lines = ["import os, socket, subprocess, sys", "", "",
             "def attempt(name, action):", "    try:", "        action()", "    except OSError as error:",
             "        print(name, 'refused', error.errno)", "    else:", "        print(name, 'done')", "", ""]
    lines += [f"attempt({name!r}, lambda: {action})" for name, action in attempts.items()]
    return "\n".join(lines) + "\n"


def other_submission(course: Path) -> Path:
    return course / "notebooks" / "submitted" / "correct" / "cofi"


def insert_after_setup(source: str):
    def edit(name, nb):
        index = next(i for i, cell in enumerate(nb.cells) if grade_id(cell) == "setup")
        nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return edit


def autograded(course: Path, student: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "notebooks" / "autograded" / student / "cofi" / "04_gradients.ipynb", as_version=4)


def printed(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs if output.get("name") == "stdout")


def attack_results(nb, marker_line: str) -> dict[str, str]:
    cell = next(cell for cell in nb.cells if marker_line in cell.source)
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in printed(cell).splitlines()}


def traces(course: Path, student: str, marker: str) -> dict[str, object]:
    """What the attacks left on the host."""
    return {"repository": (REPOSITORY / f".attack-{marker}").exists(),
            "other submission": (other_submission(course) / f"attack-{marker}").exists(),
            "autograded": (course / "notebooks" / "autograded" / student / "cofi" / f"cwd-{marker}").exists(),
            "processes": processes_with(f"{marker}-detached")}


@pytest.fixture(scope="module")
def listening():
    """A TCP server on the host's 127.0.0.1."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


@pytest.fixture(scope="module")
def course():
    """A Lab 4 course outside /tmp (the sandbox's /tmp is its own) and outside HOME (hidden as a
    whole): in the repository, where the real course is, so only the hidden course root keeps
    the learner's code out of it."""
    folder = Path(tempfile.mkdtemp(prefix=".kernel-test-course-", dir=REPOSITORY))
    try:
        make_course(folder, ["04_gradients"])
        with open(folder / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.Execute.timeout = {CELL_TIMEOUT}\n")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def graded(course, listening):
    """Two learners graded with the sandboxed kernel: ``correct`` (the solutions) and ``attacker``
    (the solutions, the attack cell after the set-up, and a grad_W cell that ignores SIGINT)."""
    marker = f"kernel-test-{uuid.uuid4().hex}"
    submit(course, "correct", skip=LAB_3)
    submit(course, "attacker", {"grad-W": STUBBORN}, insert_after_setup(attack_cell(course, marker, listening)),
           skip=LAB_3)
    try:
        run = nbgrader("autograde", "cofi", cwd=course)
        left = traces(course, "attacker", marker)
        yield course, marker, run, left
    finally:
        clean_up(marker)


def clean_up(marker: str) -> None:
    """Whatever an attack left outside the scratch course."""
    for pid in processes_with(f"{marker}-detached"):
        os.kill(pid, signal.SIGKILL)
    (REPOSITORY / f".attack-{marker}").unlink(missing_ok=True)


def test_a_correct_submission_gets_full_marks_in_the_sandboxed_kernel(graded):
    course, _, run, _ = graded
    assert cell_scores(course)["correct"] == FULL
    nb = autograded(course, "correct")
    assert not [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs
                if o.output_type == "error" or o.get("name") == "stderr"]
    # The kernel talks over Unix sockets: ipykernel's warning about TCP without encryption is gone.
    assert "TCP without encryption" not in run.stdout + run.stderr
    # Each test cell shows the visible check and the sealed verification's hidden cases; the
    # kernel left those to it instead of drawing and showing a set of its own.
    for name in FULL:
        [cell] = [cell for cell in nb.cells if grade_id(cell) == name]
        shown = [o.data["text/plain"].splitlines()[0] for o in cell.outputs if o.output_type == "display_data"]
        assert len(shown) == 2 and "(hidden cases)" not in shown[0], shown
        assert shown[1].endswith("(hidden cases) (sealed verification): all tests passed"), shown


def test_every_attack_fails_inside_and_nothing_of_it_is_left_on_the_host(graded):
    course, marker, _, left = graded
    results = attack_results(autograded(course, "attacker"), "def attempt")
    assert {name: result.split()[0] for name, result in results.items()} == {
        **dict.fromkeys(["read-source", "read-source-relative", "read-source-from-autograded", "read-gradebook",
                         "read-gradebook-relative", "write-repository", "write-other-submission", "connect",
                         "signal-grader"], "refused"),
        "detach": "done", "write-cwd": "done"}, results
    assert left == {"repository": False, "other submission": False, "autograded": False, "processes": []}


def test_a_cell_that_ignores_the_interrupt_is_killed_and_the_cells_before_keep_their_points(graded):
    course, _, _, _ = graded
    assert cell_scores(course)["attacker"] == {**FULL, "test-grad-W": 0, "test-grad-b": 0}
    cells = {grade_id(cell): cell for cell in autograded(course, "attacker").cells if grade_id(cell)}
    [timeout] = [o for o in cells["grad-W"].outputs if o.output_type == "error"]
    assert timeout.ename == "CellTimeoutError", cells["grad-W"].outputs
    for name in ("test-grad-W", "grad-b", "test-grad-b"):
        assert [o.ename for o in cells[name].outputs if o.output_type == "error"][0] == NOT_RUN, cells[name].outputs


def test_without_the_sandbox_every_attack_works(course, listening, graded):
    """The control, and the switch: ``--SealedVerdict.sandbox=False`` turns the sandboxed kernel
    off as well, back to nbgrader's Execute in its autograded folder. After ``graded``, which
    made the other learner's folder the attack writes into."""
    marker = f"kernel-test-{uuid.uuid4().hex}"
    submit(course, "control", edit=insert_after_setup(attack_cell(course, marker, listening)),
           skip=LAB_3)
    try:
        run = nbgrader("autograde", "cofi", "--student", "control", "--SealedVerdict.sandbox=False", cwd=course)
        results = attack_results(autograded(course, "control"), "def attempt")
        assert set(results.values()) == {"done"}, results
        left = traces(course, "control", marker)
        assert left["repository"] and left["other submission"] and left["autograded"] and left["processes"], left
        assert "TCP without encryption" in run.stdout + run.stderr
        assert cell_scores(course)["control"] == FULL
    finally:
        clean_up(marker)


def test_the_kernel_leaves_hidden_cases_only_to_an_enabled_sealed_verdict_after_it():
    from nbconvert.exporters import NotebookExporter

    from autograder.sealed.verdict import SealedVerdict, decides_after

    def steps(*kinds, enabled=True):
        exporter = NotebookExporter()
        made = [exporter.register_preprocessor(kind(parent=exporter), enabled=True) for kind in kinds]
        for step in made:
            if isinstance(step, SealedVerdict):
                step.enabled = enabled
        return made

    execute_step, _ = steps(SandboxedExecute, SealedVerdict)
    assert decides_after(execute_step)
    execute_step, _ = steps(SandboxedExecute, SealedVerdict, enabled=False)
    assert not decides_after(execute_step)
    _, execute_step = steps(SealedVerdict, SandboxedExecute)
    assert not decides_after(execute_step)
    [execute_step] = steps(SandboxedExecute)
    assert not decides_after(execute_step)
    assert not decides_after(SandboxedExecute())  # on its own, as execute() below runs it


def test_a_message_whose_wake_up_was_missed_is_read_within_a_slice_not_at_the_timeout():
    """pyzmq's asyncio poll can miss a message's wake-up and see it only at its timeout: a cell's
    reply then came c.Execute.timeout late. The kernel client's channels look again every second."""
    import asyncio

    import zmq
    import zmq.asyncio
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.session import Session

    from autograder.sandbox.kernel import SteadyChannel, SteadyKernelClient

    assert SteadyKernelClient.shell_channel_class.default_value is SteadyChannel

    async def read(channel_class):
        context = zmq.asyncio.Context()
        sender, receiver = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
        receiver.bind("inproc://steady")
        sender.connect("inproc://steady")
        session = Session(key=b"")
        session.send(sender, "execute_reply", {"status": "ok"})
        channel = channel_class(receiver, session)
        asked, poll = [], receiver.poll

        async def missing_the_first_wake_up(timeout=None, flags=zmq.POLLIN):
            asked.append(timeout)
            if len(asked) == 1:  # the message is there, but this poll never hears of it
                return 0
            return await poll(timeout, flags)

        receiver.poll = missing_the_first_wake_up
        try:
            return (await channel.get_msg(timeout=30))["msg_type"], asked
        finally:
            sender.close(0)
            receiver.close(0)
            context.term()

    msg_type, asked = asyncio.run(read(SteadyChannel))
    assert msg_type == "execute_reply" and asked[0] == 1000
    with pytest.raises(Empty):  # jupyter_client's own channel: one poll, for the whole timeout
        asyncio.run(read(AsyncZMQSocketChannel))


def execute(tmp_path, sources, **settings) -> nbformat.NotebookNode:
    """The cells run by SandboxedExecute alone (no nbgrader, no TensorFlow): a kernel starts in seconds."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    config = Config()
    config.CourseDirectory.root = str(tmp_path / "course")
    for name, value in {"timeout": 2, **settings}.items():
        setattr(config.Execute, name, value)
    (tmp_path / "submission").mkdir()
    nb, _ = SandboxedExecute(config=config).preprocess(nb, {"metadata": {"path": str(tmp_path / "submission")}})
    return nb


def test_a_kernel_with_no_sealed_verdict_after_it_runs_every_hidden_case_whatever_the_graders_environment(
        tmp_path, monkeypatch):
    from autograder.pristine import SEALED

    monkeypatch.setenv(SEALED, "cofi_cost,grad_X")  # left over in the instructor's shell, say
    nb = execute(tmp_path, ["import os\nprint(repr(os.environ.get('AUTOGRADER_SEALED')))"])
    assert printed(nb.cells[0]) == "''\n"


def test_an_interrupt_reaches_the_sandboxed_kernel_which_runs_on(tmp_path):
    """A cell that heeds the interrupt gets its KeyboardInterrupt and the kernel, its state
    intact, runs the next cell: the interrupt is a message, bwrap never sees a SIGINT."""
    nb = execute(tmp_path, ["x = 42", "import time\ntime.sleep(600)", "print(x)"])
    assert [o.ename for o in nb.cells[1].outputs] == ["KeyboardInterrupt", "CellTimeoutError"]
    assert printed(nb.cells[2]) == "42\n"


def test_without_error_on_timeout_a_cell_ignoring_the_interrupt_is_stopped_all_the_same(tmp_path):
    """An empty error_on_timeout (nbclient's default is None): no error reply is made up at the
    timeout, so nbclient would wait for the kernel's, interrupting it again at each timeout, for ever."""
    nb = execute(tmp_path, ["print('before')", STUBBORN, "print('after')"], error_on_timeout={})
    assert printed(nb.cells[0]) == "before\n"
    assert [o.ename for o in nb.cells[1].outputs] == ["CellTimeoutError"]
    assert [o.ename for o in nb.cells[2].outputs] == [NOT_RUN]


def test_the_kernel_gets_the_threads_the_grader_gives_its_job(tmp_path, monkeypatch):
    for name in THREADS:
        monkeypatch.setenv(name, "1")
    nb = execute(tmp_path, ["import os\nprint([os.environ.get(name) for name in %r])" % (THREADS,)])
    assert printed(nb.cells[0]) == "['1', '1', '1']\n"
