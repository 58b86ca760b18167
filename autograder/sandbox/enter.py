"""The first program of a sandbox's process: it joins the sandbox's cgroups, sets its rlimits, then execs bwrap.

Run as ``python -I -S enter.py SPEC COMMAND...`` where SPEC is JSON: ``{"cgroup_procs": [file, ...],
"rlimits": {"RLIMIT_CPU": [soft, hard], ...}}``. Doing this inside the new process, before bwrap
exists, leaves no moment when bwrap or a process it forks runs outside the limits (moving it into a
cgroup or calling prlimit after Popen races with bwrap's first fork), and needs no preexec_fn,
which is unsafe in a caller with threads. It imports nothing from the project, so ``-S`` keeps its
start to a few milliseconds.
"""

import json
import os
import resource
import sys


def main(argv: list[str]) -> None:
    spec = json.loads(argv[1])
    for procs in spec["cgroup_procs"]:
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
    for name, (soft, hard) in spec["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    os.execv(argv[2], argv[2:])


if __name__ == "__main__":
    main(sys.argv)
