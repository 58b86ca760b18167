"""Finding bubblewrap (`bwrap`), and installing Debian's package when it is missing and we may."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

PACKAGE = "bubblewrap"


class SandboxError(RuntimeError):
    """A sandbox could not be made, or could not be cleaned up after."""


def find_bwrap() -> str | None:
    return shutil.which("bwrap")


def ensure_bwrap() -> str:
    """The path of ``bwrap``, installed with apt-get when it is missing (as root on Debian): the
    sandbox needs nothing else, since bubblewrap works without setuid where user namespaces are on."""
    try:
        return ensure_package(PACKAGE, find_bwrap)
    except RuntimeError as error:
        raise SandboxError(str(error)) from None


def ensure_package(package: str, find: Callable[[], str | None]) -> str:
    """What ``find()`` finds, after installing Debian's ``package`` with apt-get when it finds
    nothing (as root); RuntimeError saying what to do where that cannot be done."""
    path = find()
    if path:
        return path
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise RuntimeError(f"{package} is missing and cannot be installed here (needs apt-get as root): "
                           f"install Debian's package with `apt-get install {package}`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Installing first and updating the lists only when that fails: a fresh container may have
    # no package lists, a warm one should not pay for an update.
    install = [apt, "install", "-y", "-qq", package]
    result = subprocess.run(install, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        for command in ([apt, "update", "-qq"], install):
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n"
                                   f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    path = find()
    if path is None:
        raise RuntimeError(f"apt-get installed {package} but it is still not found")
    return path
