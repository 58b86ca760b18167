"""Sealing off one learner submission's processes with bubblewrap: what they may see, write and use.

``Sandbox`` says what one sandbox sees, hides and may write; ``Limits`` what it may use;
``run`` and ``start`` run a command in it and leave nothing of it behind; ``available`` says
whether this machine can make one (class grading refuses to grade without, unless told to).
"""

from .install import SandboxError, ensure_bwrap, find_bwrap
from .limits import THREADS, Enforcement, Limits, thread_share, usable_cores
from .process import Completed, Sandboxed, run, spawn, start
from .sandbox import Sandbox, available, python_paths

__all__ = ["THREADS", "Completed", "Enforcement", "Limits", "Sandbox", "SandboxError", "Sandboxed", "available",
           "ensure_bwrap", "find_bwrap", "python_paths", "run", "spawn", "start", "thread_share",
           "usable_cores"]
