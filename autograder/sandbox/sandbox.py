"""What one sandbox is (``Sandbox``): what it sees, hides and may write, its environment, and the bwrap command that makes it."""

from __future__ import annotations

import os
import site
import stat
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .install import SandboxError, find_bwrap
from .limits import Limits

SANDBOX_UID = SANDBOX_GID = 65534
"""nobody/nogroup inside. Bubblewrap maps this id to the uid that runs bwrap, so as root the
sandbox's processes are root to the host's files and sockets: what it sees is what keeps it out.
Hence a root of its own with only ``SYSTEM`` and the Python environment in it, /etc without what
only root may read, and /proc made read-only (bwrap leaves /proc/sys writable to a process
mapped to root)."""

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
"""What of the host a sandbox sees, read-only, besides the Python environment (``python_paths``)
and what a caller binds: programs, libraries, /etc and /sys (TensorFlow reads the CPUs there).
Nothing else of the host is there: not /home, /root, /srv, /opt, /var or /run, so neither the
instructor's files nor the host's Unix sockets (a database's, Docker's), which a process mapped
to root could otherwise connect to through a read-only mount."""

REPOSITORY = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ("lab_utils", "autograder")
"""Bound read-only into a sandbox; the shipped MovieLens data is inside lab_utils (lab_utils/movielens)."""

PRIVATE_TMPFS = ("/tmp", "/var/tmp", "/dev/shm")
"""Fresh, empty and writable in every sandbox: nothing written there reaches the host or another sandbox."""

# The order mounts of the same depth are made in: what is given to the sandbox wins over what is hidden.
_HIDE, _READ, _WRITE = range(3)


def _resolved(path) -> Path:
    return Path(path).expanduser().resolve()


@dataclass(frozen=True)
class Sandbox:
    """One learner submission's sandbox: the host's ``SYSTEM`` folders and ``readonly`` read-only
    in a root of its own, ``writable`` (the private copy of the submission) read-write at its own
    path, a private /tmp, no network, its own PIDs."""

    writable: Path
    readonly: Sequence[Path | tuple[Path, Path]] = ()
    """Host paths bound read-only: a path at itself, or (source, destination) to put a copy (a
    masked package) over another path. Needed for what lies in ``hidden``, e.g. ``python_paths()``."""
    hidden: Sequence[Path] = ()
    """Host paths covered so they cannot be read: a folder by an empty read-only tmpfs, a file by
    an unreadable node. The course's source notebooks, gradebook and other submissions, the
    repository's .git and tests, the user's HOME: outside ``SYSTEM`` they are not there anyway,
    but a folder bound read-only may hold them (a checkout under /tmp is bound whole)."""
    limits: Limits = field(default_factory=Limits)
    env: Mapping[str, str] = field(default_factory=dict)
    """Variables set inside beside the clean defaults of ``environment()`` (and over them)."""

    def __post_init__(self):
        # Paths are made absolute and real once, here: bwrap mounts on real paths, and a symlink
        # left in ``hidden`` would hide the link and not what it points to.
        object.__setattr__(self, "writable", _resolved(self.writable))
        pairs = tuple((item, item) if isinstance(item, (str, os.PathLike)) else tuple(item) for item in self.readonly)
        object.__setattr__(self, "readonly", tuple((_resolved(source), _resolved(target)) for source, target in pairs))
        object.__setattr__(self, "hidden", tuple(_resolved(path) for path in self.hidden))
        object.__setattr__(self, "env", dict(self.env))

    def environment(self) -> dict[str, str]:
        """The whole environment inside: nothing of the grader's (tokens, paths, proxies) leaks in."""
        return {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            # /tmp rather than the submission: IPython, Jupyter and matplotlib write their state
            # under HOME, which would otherwise land in the graded copy.
            "HOME": "/tmp",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            **self.env,
        }

    def command(self, argv: Sequence[str]) -> list[str]:
        """The full bwrap command that runs ``argv`` in this sandbox."""
        bwrap = find_bwrap()
        if bwrap is None:
            raise SandboxError("bwrap is missing: install Debian's bubblewrap (ensure_bwrap() does it as root)")
        if not self.writable.is_dir():
            raise SandboxError(f"the sandbox's writable folder {self.writable} is not a folder")
        if not argv:
            raise ValueError("no command to run in the sandbox")
        command = [
            bwrap,
            # Every namespace: no network but a loopback of its own, no view of the host's processes.
            "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID),
            # No user namespace inside: it would give the learner's code capabilities over its own mounts.
            "--disable-userns",
            "--hostname", "sandbox",
            "--die-with-parent",
            # A session of its own: no controlling terminal, so no TIOCSTI keystrokes into the grader's.
            "--new-session",
            "--dev", "/dev", "--proc", "/proc",
        ]
        command += _system()
        for folder in PRIVATE_TMPFS:
            command += self._tmpfs_size() + ["--tmpfs", folder]
        # Looked for at each start (a few ms): a file made root's only since is hidden too.
        hidden = (*self.hidden, *_root_only("/etc"))
        command += self._mounts(hidden)
        for folder in ["/", "/proc", "/dev", *(path for path in hidden if path.is_dir())]:
            # Last, once every mount inside them is made: the sandbox's own root, a hidden folder's
            # tmpfs and bwrap's /dev would otherwise be writable, and /proc/sys would let a process
            # mapped to root set the host's sysctls.
            command += ["--remount-ro", str(folder)]
        command += ["--chdir", str(self.writable), "--clearenv"]
        for name, value in self.environment().items():
            command += ["--setenv", name, value]
        return command + ["--", *argv]

    def _tmpfs_size(self) -> list[str]:
        # tmpfs is memory: without a cgroup nothing else would bound what /tmp holds.
        return ["--size", str(self.limits.memory_bytes)] if self.limits.memory_bytes else []

    def _mounts(self, hidden: Sequence[Path]) -> list[str]:
        """Hidden, read-only and writable mounts, shallowest first so that the deeper path wins:
        the interpreter under a hidden HOME stays visible, a submission under a hidden course
        folder stays writable, a hidden folder inside the submission stays hidden."""
        mounts = [(path, _HIDE, path) for path in hidden if path.exists()]
        mounts += [(target, _READ, source) for source, target in self.readonly]
        mounts.append((self.writable, _WRITE, self.writable))
        command = []
        for target, kind, source in sorted(mounts, key=lambda mount: (len(mount[0].parts), mount[1])):
            if kind == _HIDE:
                # bwrap mounts without device access, so the bound /dev/null cannot even be opened.
                command += ["--tmpfs", str(target)] if target.is_dir() else ["--ro-bind", "/dev/null", str(target)]
            elif kind == _READ:
                command += ["--ro-bind", str(source), str(target)]
            else:
                command += ["--bind", str(source), str(target)]
        return command


def _system() -> list[str]:
    """bwrap arguments putting ``SYSTEM`` into the sandbox's root: a folder bound read-only, a
    symbolic link (``/bin -> usr/bin``) made again as it is."""
    arguments = []
    for path in SYSTEM:
        if os.path.islink(path):
            arguments += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            arguments += ["--ro-bind", path, path]
    return arguments


def _root_only(folder: str) -> tuple[Path, ...]:
    """What in ``folder`` other users may not read (/etc/shadow, private keys, a database's
    access rules): hidden, since the sandbox is root to the host's files. A folder they cannot
    enter is hidden whole."""
    def mode(path: str) -> int:
        try:
            return os.lstat(path).st_mode
        except OSError:  # gone since the listing
            return 0o777

    found = []
    for parent, folders, files in os.walk(folder):
        for name in list(folders):
            if mode(os.path.join(parent, name)) & 0o005 != 0o005:
                found.append(Path(parent, name))
                folders.remove(name)
        for name in files:
            bits = mode(os.path.join(parent, name))
            if not stat.S_ISLNK(bits) and not bits & 0o004:
                found.append(Path(parent, name))
    return tuple(found)


def python_paths() -> tuple[Path, ...]:
    """What the current interpreter needs visible in a sandbox that hides their parents (a pyenv
    interpreter lives under the hidden HOME): its prefixes, its site-packages, and this
    repository's ``lab_utils`` (with its MovieLens data) and ``autograder``. For ``Sandbox.readonly``."""
    wanted = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *site.getsitepackages(),
              *(REPOSITORY / name for name in PROJECT_PACKAGES)]
    if any(REPOSITORY.is_relative_to(folder) for folder in PRIVATE_TMPFS):
        # A checkout under /tmp would vanish under the sandbox's own /tmp, the folders above its
        # packages left as writable tmpfs: bound whole, it reads as anywhere else (its hidden
        # parts still hidden, since deeper mounts come later).
        wanted.append(REPOSITORY)
    paths = {_resolved(path) for path in wanted if Path(path).exists()}
    # A folder inside another one listed is visible with it: one mount fewer.
    return tuple(sorted(path for path in paths if not any(other != path and path.is_relative_to(other)
                                                          for other in paths)))


def available() -> str | None:
    """None when a sandbox can be made on this machine, else why not, in words for the instructor."""
    if not sys.platform.startswith("linux"):
        return f"not Linux ({sys.platform}): bubblewrap needs Linux namespaces"
    if find_bwrap() is None:
        return "bwrap is missing: install Debian's bubblewrap (ensure_bwrap() does it as root)"
    with tempfile.TemporaryDirectory() as folder:
        try:
            result = subprocess.run(Sandbox(Path(folder)).command(["true"]), capture_output=True, text=True,
                                    timeout=60)
        except subprocess.TimeoutExpired:
            return "bwrap did not finish running `true` in a sandbox within a minute"
    if result.returncode == 0:
        return None
    reason = result.stderr.strip() or f"exit status {result.returncode}"
    if "namespace" in reason or "Operation not permitted" in reason:
        return (f"bwrap cannot create namespaces (user namespaces disabled? see the sysctls "
                f"user.max_user_namespaces and kernel.unprivileged_userns_clone): {reason}")
    return f"bwrap cannot make a sandbox here: {reason}"
