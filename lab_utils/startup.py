"""Starting TensorFlow without its C++ start-up log lines in the learner's notebook.

On a machine without a GPU, importing TensorFlow and finding its devices write lines such as
``I0000 ... Could not find cuda drivers`` and ``E0000 ... failed call to cuInit`` straight to file
descriptor 2, before ``TF_CPP_MIN_LOG_LEVEL`` is read, and Jupyter shows them as red error text
in the setup cell. ``start_tensorflow`` points descriptor 2 at a file only while TensorFlow is
imported and its devices are found, then writes back every line that is not one of these known,
harmless start-up messages, so a real error still reaches the learner.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

STARTUP_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|oneDNN custom operations are on"
    r"|Could not find cuda drivers on your machine"
    r"|failed call to cuInit"
    r"|Unable to register cu(DNN|FFT|BLAS) factory"
    r"|computation placer already registered"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|To enable the following instructions: .* in other operations, rebuild TensorFlow"
    r"|TF-TRT Warning: Could not find TensorRT"
)
"""What TensorFlow prints when it starts on a CPU-only machine: informative, never a fault."""

_started = []


def start_tensorflow():
    """Import TensorFlow and initialize its devices with its start-up log lines held back; any
    other line written meanwhile is passed on to ``sys.stderr``. Returns the ``tensorflow``
    module; calling it again does nothing more."""
    if _started:
        return _started[0]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # warnings after start-up too
    try:
        held = tempfile.TemporaryFile(mode="w+b")
    except OSError:  # nowhere to hold the lines: show them rather than fail to start
        held = None
    if held is None:
        import tensorflow as tf
    else:
        with held:
            tf = _import_holding_stderr(held)
    _started.append(tf)
    return tf


def _import_holding_stderr(held):
    """Import TensorFlow and find its devices with descriptor 2 pointed at ``held``; then pass on
    what ``passed_on`` keeps of what was written there."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 at all: nothing to show the lines on
        import tensorflow as tf
        return tf
    os.dup2(held.fileno(), 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices()  # the first device use: where cuInit is tried
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        held.seek(0)
        kept = passed_on(held.read().decode(errors="replace"))
        if kept:
            sys.stderr.write(kept)
            sys.stderr.flush()
    return tf


def passed_on(written: str) -> str:
    """The lines of ``written`` (what reached descriptor 2 during start-up) that are not known
    start-up noise: these are shown to the learner."""
    return "".join(line for line in written.splitlines(keepends=True)
                   if line.strip() and not STARTUP_NOISE.search(line))
