"""The setup cell of every lab shows the learner no error lines on a CPU-only machine: TensorFlow's
start-up lines (``E0000 ... failed call to cuInit`` and the like) are held back by
``lab_utils.startup``, while anything else written to stderr still reaches the notebook."""

import os

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from lab_utils.startup import passed_on

from ..notebooks.conftest import NOTEBOOKS, SOURCE

CONTROL = ('import os, time\nos.write(2, b"a line written to descriptor 2 after the setup\\n")\n'
           'time.sleep(1)  # Jupyter forwards descriptor 2 from a thread')
"""Run after the setup cell: stderr is still shown, so the test could see TensorFlow's lines."""


def learners_environment():
    """This environment as a learner's own ``jupyter lab`` has it: TF_CPP_MIN_LOG_LEVEL unset, and
    without PYTEST_CURRENT_TEST, in whose presence ipykernel leaves descriptor 2 out of the
    notebook (so no test would see TensorFlow's lines)."""
    return {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "PYTEST_CURRENT_TEST")}


def setup_cells(nb):
    """The code cells up to and including the one with grade_id ``setup``."""
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]
    return [cell for cell in nb.cells[:ids.index("setup") + 1] if cell.cell_type == "code"]


def stderr(cell):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_setup_cell_shows_no_stderr_on_a_cpu_only_machine(name):
    nb = nbformat.read(SOURCE / name, as_version=4)
    nb.cells = [*setup_cells(nb), new_code_cell(CONTROL)]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(SOURCE)}}).execute(env=learners_environment())
    *setup, control = nb.cells
    for cell in setup:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.outputs
        assert stderr(cell) == "", f"{name}'s setup cell shows on stderr:\n{stderr(cell)}"
    assert "TensorFlow" in "".join(o.get("text", "") for o in setup[-1].outputs)
    assert stderr(control) == "a line written to descriptor 2 after the setup\n", control.outputs


def test_only_tensorflows_known_start_up_lines_are_held_back():
    written = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1796168209.238081   16919 cudart_stub.cc:31] Could not find cuda drivers on your machine, "
        "GPU will not be used.\n"
        "E0000 00:00:1796168212.325122   16919 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: "
        "Failed call to cuInit: UNKNOWN ERROR (303)\n"
        "E0000 00:00:1796168212.4   16919 some_op.cc:7] could not open file: /data/model.pb\n"
        "\n"
        "Illegal instruction (core dumped)\n"
    )
    assert passed_on(written) == ("E0000 00:00:1796168212.4   16919 some_op.cc:7] could not open file: /data/model.pb\n"
                                  "Illegal instruction (core dumped)\n")
