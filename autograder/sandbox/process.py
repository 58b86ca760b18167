"""Running a command in a sandbox: started inside its limits, killed at its timeout, and nothing of it left after."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import cgroup as cgroups
from .cgroup import SETTLE_SECONDS
from .install import SandboxError
from .limits import NONE, RLIMIT, Enforcement, Limits, rlimits
from .sandbox import Sandbox

ENTER = Path(__file__).with_name("enter.py")
CHUNK = 1 << 16


@dataclass(frozen=True)
class Completed:
    """How a command run in a sandbox ended, and what it printed (each stream cut at output_bytes)."""

    argv: tuple[str, ...]
    returncode: int
    """The command's exit status, 128 + N when signal N ended it. After a timeout, whatever the
    kill left (137 or -9): read ``timed_out``."""
    stdout: bytes
    stderr: bytes
    timed_out: bool
    output_truncated: bool
    limits_hit: frozenset[str]
    """``memory``, ``processes``: whole-sandbox limits the kernel enforced (known with a cgroup only)."""
    enforcement: Enforcement
    seconds: float


class Sandboxed:
    """A command running in a sandbox, from ``start``. ``process`` is the Popen of bwrap, whose
    stdin, stdout and stderr are the command's; its pid is not the command's."""

    def __init__(self, process: subprocess.Popen, group: cgroups.Cgroup | None, enforcement: Enforcement,
                 pid_namespace: int | None):
        self.process = process
        self.enforcement = enforcement
        self._group = group
        self._pid_namespace = pid_namespace
        self._limits_hit: frozenset[str] | None = None

    def members(self) -> set[int]:
        """Host pids of every live process of the sandbox: all share its PID namespace (whatever
        setsid or a double fork does to their parents) and, with a cgroup, that cgroup."""
        found = self._group.pids() if self._group else set()
        if self._pid_namespace is not None:
            found |= _in_pid_namespace(self._pid_namespace)
        return found

    def kill(self) -> None:
        """SIGKILL the whole sandbox at once."""
        for pid in self.members():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.kill()
        if self._group:
            self._group.kill_all()

    def limits_hit(self) -> frozenset[str]:
        if self._limits_hit is not None:
            return self._limits_hit
        return self._group.limits_hit() if self._group else frozenset()

    def close(self) -> None:
        """Kill what is left, wait, check that no process survived, and remove the cgroup."""
        left: set[int] = set()
        try:
            self.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream:
                    stream.close()
            # A process dies a moment after SIGKILL: look again until it is gone, or give up.
            deadline = time.monotonic() + SETTLE_SECONDS
            while (left := self.members()) and time.monotonic() < deadline:
                time.sleep(0.01)
            self._limits_hit = self.limits_hit()
        finally:
            # A cgroup still holding a process cannot be removed: it stays, named in the error.
            if self._group and not left:
                self._group.remove()
        if left:
            raise SandboxError(f"processes {sorted(left)} of the sandbox survived SIGKILL"
                               + (f" (cgroup {', '.join(map(str, self._group.dirs.values()))})" if self._group else ""))


def _in_pid_namespace(inode: int) -> set[int]:
    """The live processes in that PID namespace. Zombies are left out: they hold nothing, and
    bwrap's init, outlived by bwrap, waits as one until the host's init reaps it."""
    wanted, found = f"pid:[{inode}]", set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if (os.readlink(f"/proc/{entry.name}/ns/pid") == wanted
                        and Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"):
                    found.add(int(entry.name))
            except OSError:  # gone since the listing
                pass
    return found


def _enforcement(limits: Limits, by_cgroup: dict[str, str], notes: list[str]) -> Enforcement:
    def kind(controller: str, value: int | None) -> str:
        return NONE if value is None else by_cgroup.get(controller, RLIMIT)

    notes = list(notes)
    memory, processes = kind("memory", limits.memory_bytes), kind("pids", limits.max_processes)
    if memory == RLIMIT:
        notes.append("memory_bytes limits each process's address space (RLIMIT_AS), not the sandbox's "
                     "total, and TensorFlow reserves much more address space than it uses")
    if processes == RLIMIT and os.geteuid() == 0:
        # copy_process() exempts every task of the host's uid 0, which the sandbox's uid maps to.
        notes.append("max_processes is not enforced: without a cgroup it is RLIMIT_NPROC, which the "
                     "kernel does not apply to the host's root, the uid bwrap runs as here")
        processes = NONE
    return Enforcement(memory, processes, NONE if limits.cpu_seconds is None else RLIMIT,
                       NONE if limits.output_bytes is None else RLIMIT, tuple(notes))


def _spawn(sandbox: Sandbox, argv: Sequence[str], use_cgroup: bool, **popen) -> Sandboxed:
    command = sandbox.command(argv)
    if use_cgroup:
        group, by_cgroup, notes = cgroups.create(sandbox.limits)
    else:
        group, by_cgroup, notes = None, {}, ["no cgroup: the caller asked for per-process limits only"]
    process = None
    try:
        enforcement = _enforcement(sandbox.limits, by_cgroup, notes)
        spec = {"cgroup_procs": group.procs_files if group else [],
                "rlimits": rlimits(sandbox.limits, memory_by_rlimit="memory" not in by_cgroup,
                                   processes_by_rlimit="pids" not in by_cgroup)}
        info_read, info_write = os.pipe()
        try:
            # bwrap reports on --info-fd, once the sandbox exists, the inode of its PID namespace:
            # the one name that finds every process of the sandbox, however it was started.
            command = [sys.executable, "-I", "-S", str(ENTER), json.dumps(spec),
                       command[0], "--info-fd", str(info_write), *command[1:]]
            process = subprocess.Popen(command, pass_fds=(info_write,), **popen)
        finally:
            os.close(info_write)
        with os.fdopen(info_read, "rb") as info:
            namespace = _pid_namespace(info)
    except BaseException:
        if process is not None:  # interrupted while bwrap set up: its namespace dies with it
            process.kill()
            process.wait()
        if group:
            group.remove()
        raise
    return Sandboxed(process, group, enforcement, namespace)


def _pid_namespace(info) -> int | None:
    """The PID namespace bwrap reports, or None when it failed before making one (its error is on stderr)."""
    text = b""
    while chunk := info.read1(CHUNK):
        text += chunk
        try:
            return json.loads(text)["pid-namespace"]
        except ValueError:  # not all written yet
            continue
    return None


def spawn(sandbox: Sandbox, argv: Sequence[str], *, stdin=None, stdout=None, stderr=None,
          use_cgroup: bool = True) -> Sandboxed:
    """Start ``argv`` in ``sandbox``, as ``start`` does, for a caller that closes it itself."""
    return _spawn(sandbox, argv, use_cgroup, stdin=stdin, stdout=stdout, stderr=stderr)


@contextmanager
def start(sandbox: Sandbox, argv: Sequence[str], *, stdin=None, stdout=None, stderr=None,
          use_cgroup: bool = True) -> Iterator[Sandboxed]:
    """Run ``argv`` in ``sandbox`` for a caller that talks to it over pipes (stdin/stdout/stderr as
    for Popen). Leaving the block kills whatever of the sandbox is still running, waits for it,
    checks that nothing survived and removes its cgroup. ``use_cgroup=False`` uses per-process
    rlimits only, as on a machine without cgroups."""
    running = _spawn(sandbox, argv, use_cgroup, stdin=stdin, stdout=stdout, stderr=stderr)
    try:
        yield running
    finally:
        running.close()


class _Capped(threading.Thread):
    """Reads a stream to its end, keeping its first ``cap`` bytes: a learner's endless print must
    neither fill the grader's memory nor block the learner on a full pipe."""

    def __init__(self, stream, cap: int | None):
        super().__init__(daemon=True)
        self.stream, self.cap, self.kept, self.truncated = stream, cap, bytearray(), False

    def run(self):
        while chunk := self.stream.read1(CHUNK):
            room = len(chunk) if self.cap is None else max(self.cap - len(self.kept), 0)
            self.kept += chunk[:room]
            self.truncated |= room < len(chunk)


def _feed(stream, data: bytes) -> None:
    try:
        stream.write(data)
        stream.close()
    except BrokenPipeError:  # the command stopped reading: what it did not read is its business
        pass


def run(sandbox: Sandbox, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None,
        use_cgroup: bool = True) -> Completed:
    """Run ``argv`` in ``sandbox`` to its end, or kill the whole sandbox after ``timeout`` seconds."""
    started = time.monotonic()
    with start(sandbox, argv, stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
               stdout=subprocess.PIPE, stderr=subprocess.PIPE, use_cgroup=use_cgroup) as running:
        readers = [_Capped(running.process.stdout, sandbox.limits.output_bytes),
                   _Capped(running.process.stderr, sandbox.limits.output_bytes)]
        threads = readers + ([threading.Thread(target=_feed, args=(running.process.stdin, stdin), daemon=True)]
                             if stdin is not None else [])
        for thread in threads:
            thread.start()
        remaining = timeout - (time.monotonic() - started)
        try:
            running.process.wait(timeout=max(remaining, 0))
            timed_out = False
        except subprocess.TimeoutExpired:
            running.kill()
            timed_out = True
        running.process.wait()
        for thread in threads:
            # Every writer is dead now that bwrap has ended (the sandbox ends with it): EOF is near.
            thread.join(timeout=SETTLE_SECONDS)
        limits_hit = running.limits_hit()
    return Completed(tuple(argv), running.process.returncode, bytes(readers[0].kept), bytes(readers[1].kept),
                     timed_out, any(reader.truncated for reader in readers), limits_hit, running.enforcement,
                     time.monotonic() - started)
