"""One cgroup per sandbox: memory and task limits for all its processes together, and what is left alive in it."""

from __future__ import annotations

import errno
import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from .limits import BWRAP_TASKS, CGROUP_V1, CGROUP_V2, Limits

CONTROLLERS = {"memory": "memory_bytes", "pids": "max_processes"}
"""The cgroup controller each whole-sandbox limit needs."""

SETTLE_SECONDS = 5.0
"""How long a killed process may take to leave, and a cgroup to become removable, before we give up."""


@dataclass(frozen=True)
class Hierarchy:
    """Where this process's cgroup is for one controller: a child made there is nested in it, so
    the limits we run under (a container's, a CI job's) still hold for the sandbox."""

    version: str
    own: Path


@dataclass
class Cgroup:
    """The cgroups made for one sandbox, one directory per controller (v2: one for both)."""

    version: str
    dirs: dict[str, Path] = field(default_factory=dict)

    def _unique_dirs(self) -> list[Path]:
        return list(dict.fromkeys(self.dirs.values()))

    @property
    def procs_files(self) -> list[str]:
        """The files a process writes its pid to, to join every one of these cgroups."""
        return [str(folder / "cgroup.procs") for folder in self._unique_dirs()]

    def pids(self) -> set[int]:
        found = set()
        for folder in self._unique_dirs():
            try:
                found.update(int(line) for line in (folder / "cgroup.procs").read_text().split())
            except FileNotFoundError:
                pass
        return found

    def limits_hit(self) -> frozenset[str]:
        """The limits the kernel enforced at least once: ``memory`` (a process was killed out of
        memory) and ``processes`` (a fork or thread failed at the task limit)."""
        hit = set()
        counters = {"memory": ("memory.oom_control" if self.version == CGROUP_V1 else "memory.events", "oom_kill"),
                    "pids": ("pids.events", "max")}
        for controller, folder in self.dirs.items():
            filename, key = counters[controller]
            if _counter(folder / filename, key):
                hit.add("memory" if controller == "memory" else "processes")
        return frozenset(hit)

    def kill_all(self, timeout: float = SETTLE_SECONDS) -> set[int]:
        """SIGKILL everything in the cgroups until they are empty; the pids still there at the
        timeout (none, unless the kernel is stuck on them)."""
        deadline = time.monotonic() + timeout
        while (left := self.pids()) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        return left

    def remove(self, timeout: float = SETTLE_SECONDS) -> None:
        """Remove the cgroups; a dying task keeps one busy for a moment, hence the retries."""
        for folder in self._unique_dirs():
            deadline = time.monotonic() + timeout
            while True:
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as error:
                    if error.errno != errno.EBUSY or time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)


def _counter(path: Path, key: str) -> int:
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return 0
    for line in lines:
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def hierarchies() -> dict[str, Hierarchy]:
    """controller -> where this process's cgroup is, for the controllers in ``CONTROLLERS`` that
    are mounted (v1, or v2 with the controller enabled for our group)."""
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else ["<v2>"]:
            own[controller] = path
    found = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        before, _, after = line.partition(" - ")
        fields, (fstype, _, options) = before.split(), after.split(" ", 2)
        mount_root, mount_point = fields[3], Path(fields[4])
        if fstype == "cgroup":
            for controller in CONTROLLERS.keys() & set(options.split(",")):
                folder = _inside(mount_point, mount_root, own.get(controller))
                if folder is not None:
                    found[controller] = Hierarchy(CGROUP_V1, folder)
        elif fstype == "cgroup2":
            folder = _inside(mount_point, mount_root, own.get("<v2>"))
            if folder is None:
                continue
            try:
                enabled = set((folder / "cgroup.controllers").read_text().split())
            except OSError:
                continue
            for controller in CONTROLLERS.keys() & enabled:
                found.setdefault(controller, Hierarchy(CGROUP_V2, folder))
    return found


def _inside(mount_point: Path, mount_root: str, path: str | None) -> Path | None:
    """The directory of cgroup ``path`` under a mount of the hierarchy from ``mount_root``."""
    if path is None:
        return None
    relative = os.path.relpath(path, mount_root)
    return None if relative.startswith("..") else (mount_point / relative).resolve()


def create(limits: Limits) -> tuple[Cgroup | None, dict[str, str], list[str]]:
    """A new cgroup for one sandbox with the whole-sandbox limits set, the controllers it covers
    (controller -> ``cgroup v1``/``cgroup v2``) and notes on those it could not (left to rlimits)."""
    wanted = [controller for controller, name in CONTROLLERS.items() if getattr(limits, name) is not None]
    if not wanted:
        return None, {}, []
    found, notes = hierarchies(), []
    name = f"autograder-sandbox-{os.getpid()}-{secrets.token_hex(4)}"
    group = None
    for controller in wanted:
        hierarchy = found.get(controller)
        if hierarchy is None:
            notes.append(f"no {controller} cgroup controller is mounted for this process")
            continue
        if group is not None and group.version != hierarchy.version:
            notes.append(f"the {controller} controller is on {hierarchy.version}, the others on {group.version}")
            continue
        try:
            folder = _make(hierarchy, controller, name, limits)
        except OSError as error:
            notes.append(f"cannot make a {controller} cgroup under {hierarchy.own}: {error}")
            continue
        group = group or Cgroup(hierarchy.version)
        group.dirs[controller] = folder
    return group, {controller: group.version for controller in group.dirs} if group else {}, notes


def _make(hierarchy: Hierarchy, controller: str, name: str, limits: Limits) -> Path:
    folder = hierarchy.own / name
    if hierarchy.version == CGROUP_V2:
        # A v2 child has a controller's files only when its parent delegates the controller;
        # the kernel refuses that (EBUSY) while the parent holds processes, e.g. ours.
        subtree = hierarchy.own / "cgroup.subtree_control"
        if controller not in subtree.read_text().split():
            subtree.write_text(f"+{controller}")
    # v2 keeps both controllers in one folder: only the call that made it may take it away.
    made = not folder.exists()
    folder.mkdir(exist_ok=True)
    try:
        if controller == "memory":
            _set_memory(folder, hierarchy.version, limits.memory_bytes)
        else:
            (folder / "pids.max").write_text(str(limits.max_processes + BWRAP_TASKS))
    except OSError:
        if made:
            folder.rmdir()
        raise
    return folder


def _set_memory(folder: Path, version: str, memory_bytes: int) -> None:
    if version == CGROUP_V1:
        (folder / "memory.limit_in_bytes").write_text(str(memory_bytes))
        # With swap accounting on, memory and swap together: swapping out would not get round the limit.
        if (folder / "memory.memsw.limit_in_bytes").exists():
            (folder / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
    else:
        (folder / "memory.max").write_text(str(memory_bytes))
        if (folder / "memory.swap.max").exists():
            (folder / "memory.swap.max").write_text("0")
