"""nbgrader's Execute step with the learner's kernel in a sandbox (``SandboxedExecute``).

nbgrader runs a submission in a Jupyter kernel on the grader's machine, where the learner's code
could read the instructor's notebooks, the gradebook and other submissions, write into the
repository or kill other kernels. Here the kernel (ipykernel) runs in a ``Sandbox`` instead, in
a private copy of the submission's folder, and talks to nbgrader over Unix-domain sockets in a
folder bound into the sandbox (the sandbox has no network, so ZMQ over TCP cannot reach it).
An interrupt is a message on the control channel (bwrap, the process nbgrader started, would
die of a SIGINT); a cell still busy after it is ended by killing the whole sandbox, and the
cells after it are marked as not run, so nbgrader goes on to score the cells that finished.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Type

from ..pristine import SEALED
from ..sealed.verdict import (SealedVerdict, course_root, decides_after, hidden_paths, sandbox_limits,
                              sandbox_readonly, sealed_keys)
from .limits import THREADS
from .process import Sandboxed, spawn
from .sandbox import Sandbox

PASSED_ON = ("NBGRADER_EXECUTION", SEALED, "LAB_UTILS_DATA", "LABS_LANGUAGE", *THREADS)
"""The grader's environment variables the kernel needs: nbgrader's mark that it is autograding
(which a notebook may read, as nbgrader's FAQ says), the exercises whose hidden cases the sealed
verification checks next (``autograder.pristine.verify`` leaves those to it), the data folder
when it is not the shipped one, the language override of the learner's messages
(lab_utils.i18n), which the sealed verdict follows too, and TensorFlow's threads (a class
grader's job gets its share of the cores: ``thread_share``)."""

NOT_RUN = "CellNotRun"
"""The error name of a cell left unrun because the kernel was stopped before it."""


class SteadyChannel(AsyncZMQSocketChannel):
    """A kernel channel whose wait for a message looks again every ``SLICE`` seconds.

    pyzmq's asyncio poll can miss the wake-up of a message (a ZMQ socket's descriptor signals
    edges): the message then waits, unseen, until the poll's timeout. For a cell's reply that is
    the whole ``c.Execute.timeout``, after which nbclient finds the reply and goes on as if nothing
    had happened. Seen here: in about one class of four graded with two jobs, one notebook waited
    300 s on an ipywidgets cell whose kernel had long replied."""

    SLICE = 1.0

    async def get_msg(self, timeout: float | None = None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = self.SLICE if deadline is None else min(self.SLICE, max(0.0, deadline - time.monotonic()))
            try:
                return await super().get_msg(timeout=left)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class SteadyKernelClient(AsyncKernelClient):
    """nbclient's kernel client, its shell, IOPub and control channels ``SteadyChannel``s."""

    shell_channel_class = Type(SteadyChannel)
    iopub_channel_class = Type(SteadyChannel)
    control_channel_class = Type(SteadyChannel)


class SandboxProvisioner(LocalProvisioner):
    """Starts the kernel command in its manager's sandbox with ``spawn`` (the sandbox's cgroup
    and rlimits hold for everything the kernel starts) and ends it by killing the whole sandbox."""

    sandboxed: Sandboxed | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs):
        km = self.parent
        # The host's environment in kwargs["env"] stays out; a kernelspec's own variables go in.
        env = {name: kwargs["env"][name] for name in (self.kernel_spec.env or {}) if name in kwargs.get("env", {})}
        box = km.sandbox
        box = Sandbox(box.writable, box.readonly, box.hidden, box.limits, {**box.env, **env})
        # bwrap starts the command in the sandbox's writable folder, which also holds the
        # kernel's sockets: env --chdir puts the kernel in the copy of the submission instead.
        # Its stdout carries nothing but the connection banner (everything else goes over ZMQ);
        # its stderr (the kernel's log, bwrap's errors) goes to nbgrader's, as a host kernel's does.
        self.sandboxed = spawn(box, [shutil.which("env") or "/usr/bin/env", f"--chdir={km.workdir}", *cmd],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        self.process = self.sandboxed.process
        self.pid = self.process.pid
        # No process group to signal: bwrap's is the grader's, and a signal to bwrap is no
        # signal to the kernel.
        self.pgid = None
        self.cwd = km.workdir
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        """A signal cannot reach the kernel through bwrap: any signal but 0 (is it alive?) ends
        the whole sandbox. Interrupts go by message instead (``SandboxedKernelManager.kernel_spec``)."""
        if self.sandboxed is None:
            return
        if signum == 0:
            self.sandboxed.process.send_signal(0)
        else:
            self.sandboxed.kill()

    async def kill(self, restart: bool = False) -> None:
        if self.sandboxed is not None:
            self.sandboxed.kill()

    async def terminate(self, restart: bool = False) -> None:
        await self.kill(restart)

    async def cleanup(self, restart: bool = False) -> None:
        """Kill whatever of the sandbox is left (a process the learner detached with setsid),
        check that nothing survived and remove its cgroup."""
        await super().cleanup(restart)
        sandboxed, self.sandboxed = self.sandboxed, None
        if sandboxed is not None:
            sandboxed.close()


class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel runs in ``sandbox`` with ``workdir`` (inside the
    sandbox's writable folder) as its working directory; the connection file and the ZMQ sockets
    are in the writable folder beside it."""

    def __init__(self, sandbox: Sandbox, workdir: Path, **kwargs):
        name = f"kernel-{uuid.uuid4().hex[:8]}"
        super().__init__(transport="ipc", connection_file=str(sandbox.writable / f"{name}.json"),
                         ip=str(sandbox.writable / name), **kwargs)
        self.sandbox = sandbox
        self.workdir = workdir

    @property
    def kernel_spec(self):
        # ipykernel (>= 6) interrupts itself on an interrupt_request on the control channel.
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    async def _async_pre_start_kernel(self, **kw):
        self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
        if self.provisioner is None:
            self.provisioner = SandboxProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


@contextlib.contextmanager
def _environment(variables: dict[str, str]):
    """``variables`` set in this process's environment meanwhile: a kernel nbgrader starts
    inherits it, and the sandbox passes on those of ``PASSED_ON``."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in a sandbox (see the module's docstring).

    ``c.SealedVerdict.sandbox = False`` turns the sandbox off for this step too: it is then
    nbgrader's Execute, unchanged. So does a kernel manager passed in (``km``)."""

    _sandbox: Sandbox | None = None
    _workdir: Path | None = None
    _interrupted: NotebookNode | None = None
    _stopped: str | None = None
    """Why the cells left were not run, once the kernel was stopped."""
    _cell_index: int | None = None

    def preprocess(self, nb, resources=None, km=None):
        # The kernel leaves the hidden cases the sealed verification checks next to it (SEALED):
        # run twice they cost time (Lab 5's train three models) and show two sets of results.
        # Always set, if only to "": a value in the grader's own environment must not reach a
        # kernel whose hidden cases nothing else checks.
        keys = sealed_keys(nb) if decides_after(self) else set()
        with _environment({SEALED: ",".join(sorted(keys))}):
            return self._execute(nb, resources, km)

    def _execute(self, nb, resources, km):
        # SealedVerdict's own reading of its setting: the raw config holds a string for a
        # setting given on the command line ("False" would be true).
        if km is not None or not SealedVerdict(config=self.config).sandbox:
            return super().preprocess(nb, resources, km)

        folder = (resources or {}).get("metadata", {}).get("path") or "."
        root = course_root(self)
        with tempfile.TemporaryDirectory(prefix="sandboxed-kernel-") as scratch:
            workdir = Path(scratch) / "work"
            # symlinks=True: a link in the submission is followed inside the sandbox, where
            # what it may point to is hidden, never here.
            shutil.copytree(folder, workdir, symlinks=True)
            env = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
            self._sandbox = Sandbox(Path(scratch), readonly=sandbox_readonly(), hidden=hidden_paths(root),
                                    limits=sandbox_limits(self.config), env=env)
            self._workdir = workdir
            try:
                return super().preprocess(nb, resources)
            finally:
                self._sandbox = self._workdir = self._interrupted = self._stopped = None

    def create_kernel_manager(self):
        if self._sandbox is None:
            km = super().create_kernel_manager()
        else:
            # As nbclient names the kernel: the notebook's kernelspec unless one was configured.
            self.kernel_name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name", "")
            names = {"kernel_name": self.kernel_name} if self.kernel_name else {}
            km = self.km = SandboxedKernelManager(self._sandbox, self._workdir, config=self.config, **names)
        km.client_factory = SteadyKernelClient
        return km

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self._stopped and cell.cell_type == "code" and cell.source.strip():
            cell.outputs = [NotebookNode(output_type="error", ename=NOT_RUN, evalue=self._stopped,
                                         traceback=[f"{NOT_RUN}: {self._stopped}"])]
            return cell
        self._cell_index = cell_index
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    execute_cell = run_sync(async_execute_cell)

    async def _async_handle_timeout(self, timeout, cell=None):
        if self._sandbox is not None and cell is not None and cell is self._interrupted:
            # With an empty error_on_timeout nbclient waits for the reply a whole timeout more after
            # the interrupt, then interrupts again, for ever: the second timeout ends it.
            raise CellTimeoutError.error_from_timeout_and_cell("The cell ignored the interrupt", timeout, cell)
        reply = await super()._async_handle_timeout(timeout, cell)
        self._interrupted = cell
        return reply

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        try:
            return await super()._async_poll_for_reply(msg_id, cell, timeout, task_poll_output_msg,
                                                       task_poll_kernel_alive)
        except CellTimeoutError:
            if self._sandbox is None or cell is not self._interrupted:
                raise
        # The kernel did not go idle within iopub_timeout of the interrupt: the cell ignores it
        # (SIG_IGN, or a loop that catches KeyboardInterrupt). nbclient would raise, and nbgrader
        # drop the whole notebook; killing the sandbox keeps the outputs of the cells before.
        task_poll_output_msg.cancel()
        task_poll_kernel_alive.cancel()
        await ensure_async(self.km.shutdown_kernel(now=True))
        from lab_utils import i18n  # the learner reads these in the notebook's language

        with i18n.for_notebook(self.nb):
            self._stopped = i18n._("not run: the kernel was stopped when cell {cell} of the notebook ran longer "
                                   "than {seconds} s and ignored the interrupt").format(cell=self._cell_index + 1,
                                                                                        seconds=timeout)
            no_reply = i18n._("no reply from kernel within {seconds} s").format(seconds=timeout)
        error = self.error_on_timeout or {"ename": "CellTimeoutError", "evalue": "",
                                          "traceback": [f"CellTimeoutError: {no_reply}"]}
        # The reply nbclient makes of error_on_timeout, so nbgrader records the same error output
        # as for a cell that was interrupted (autograder.grading.reasons reads it as a timeout).
        return {"parent_header": {"msg_id": msg_id}, "content": {**error, "status": "error"}}
