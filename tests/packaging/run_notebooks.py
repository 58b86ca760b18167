"""Run notebooks headless in a kernel of the interpreter that runs this script, as an installed course would.

tests/packaging/test_install.py runs it with the python of a fresh virtual environment that has
tf-cofi-labs installed from its wheel or sdist, so nothing of the checkout or of the test's own
environment is imported: the kernel is this interpreter's (a kernelspec written here comes first
on JUPYTER_PATH, ahead of any python3 kernelspec the machine has), and it starts in the folder of
the notebooks. Each notebook gets a first cell that prints where its kernel found the labs.

    python -I run_notebooks.py NOTEBOOK_FOLDER OUTPUT_FOLDER NAME...

Each notebook runs until its first error, as a learner who runs all cells would see it, and is
written executed to OUTPUT_FOLDER; where it stopped is for the test to judge.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

PROBE_MARK = "installed labs: "
PROBE = f"""\
import json, sys
import autograder, lab_utils, lab_utils.data
print({PROBE_MARK!r} + json.dumps({{"executable": sys.executable, "lab_utils": lab_utils.__file__,
    "autograder": autograder.__file__, "shipped_data": str(lab_utils.data.SHIPPED_DIR)}}))"""
CELL_TIMEOUT = 600
"""Seconds one cell may take: Lab 5 and Lab 6 train on MovieLens 100K."""


def use_this_interpreter_as_kernel(folder: Path) -> None:
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python"}))
    os.environ["JUPYTER_PATH"] = str(folder)


def run(notebooks: Path, output: Path, name: str) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebooks / name, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(notebooks)}})
    try:
        client.execute()
    except CellExecutionError:
        pass  # the error is in the cell's outputs, where the test reads it
    nbformat.write(nb, output / name)


def main(notebooks: str, output: str, *names: str) -> None:
    with tempfile.TemporaryDirectory(prefix="kernelspec-") as folder:
        use_this_interpreter_as_kernel(Path(folder))
        for name in names:
            run(Path(notebooks), Path(output), name)


if __name__ == "__main__":
    main(*sys.argv[1:])
