"""What a sandbox may use (``Limits``), and how each limit is enforced on this machine (``Enforcement``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

CGROUP_V1, CGROUP_V2, RLIMIT, NONE = "cgroup v1", "cgroup v2", "rlimit", "none"

BWRAP_TASKS = 2
"""Tasks bwrap itself keeps in the sandbox's cgroup: its outer process and the PID namespace's init.
``max_processes`` counts the learner's tasks, so the pids limit is raised by these."""


THREADS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")
"""How many threads TensorFlow (and oneDNN's OpenMP) runs ops on. By default a process takes
every core: with several grading jobs on the same cores, each job's training then competes with
the others' for them. The learner's kernel and the harness get these from the grader."""


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask, where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def thread_share(jobs: int, environ: Mapping[str, str] = os.environ, cores: int | None = None) -> dict[str, str]:
    """``THREADS`` set to each of ``jobs`` jobs' share of the cores (at least one; rounded down,
    so 2 jobs on 3 cores get 1 thread each), for those the grader's environment does not set
    already; nothing for a single job, which has every core."""
    if jobs <= 1:
        return {}
    cores = cores or usable_cores()
    return {name: str(max(1, cores // jobs)) for name in THREADS if name not in environ}


@dataclass(frozen=True)
class Limits:
    """What one sandbox may use, for all its processes together where a cgroup can be made.
    None: no limit. The values come from the caller's settings: this module sets no default."""

    memory_bytes: int | None = None
    """Resident memory (and swap) of the whole sandbox, /tmp's tmpfs included."""
    max_processes: int | None = None
    """Tasks (processes and threads: TensorFlow starts dozens of threads) alive at once."""
    cpu_seconds: int | None = None
    """CPU time of each process (RLIMIT_CPU): SIGXCPU at the limit, SIGKILL a second later."""
    output_bytes: int | None = None
    """Size of each file written (RLIMIT_FSIZE), and of stdout and of stderr as ``run`` keeps them."""

    def __post_init__(self):
        for name in ("memory_bytes", "max_processes", "cpu_seconds", "output_bytes"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise ValueError(f"Limits.{name} must be a positive int or None, not {value!r}")


@dataclass(frozen=True)
class Enforcement:
    """How each limit of one sandbox is enforced, for the caller to record beside the grade."""

    memory: str
    processes: str
    cpu: str
    output: str
    notes: tuple[str, ...] = ()
    """Why a limit is weaker than asked (no cgroup, a kernel exemption), in plain words."""

    @property
    def mode(self) -> str:
        """``cgroup v1`` or ``cgroup v2`` when memory and processes are limited for the sandbox as a
        whole, ``rlimit`` when only per process, ``mixed`` when one each, ``none`` when neither is limited."""
        kinds = {kind for kind in (self.memory, self.processes) if kind != NONE}
        return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else NONE)


def rlimits(limits: Limits, *, memory_by_rlimit: bool, processes_by_rlimit: bool) -> dict[str, tuple[int, int]]:
    """The rlimits (resource name -> soft, hard) set on bwrap before it starts, inherited by every
    process in the sandbox."""
    # No core files: they would land in the writable folder, sized by the learner's memory.
    chosen = {"RLIMIT_CORE": (0, 0)}
    if limits.cpu_seconds is not None:
        # The soft limit sends SIGXCPU, which a process may catch; the hard one a second later kills.
        chosen["RLIMIT_CPU"] = (limits.cpu_seconds, limits.cpu_seconds + 1)
    if limits.output_bytes is not None:
        chosen["RLIMIT_FSIZE"] = (limits.output_bytes, limits.output_bytes)
    if memory_by_rlimit and limits.memory_bytes is not None:
        chosen["RLIMIT_AS"] = (limits.memory_bytes, limits.memory_bytes)
    if processes_by_rlimit and limits.max_processes is not None:
        tasks = limits.max_processes + BWRAP_TASKS
        chosen["RLIMIT_NPROC"] = (tasks, tasks)
    return chosen
