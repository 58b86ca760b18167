"""How long each instructor notebook takes to execute headless, in a fresh kernel.

    .venv/bin/python benchmarks/notebook_times.py
"""

import os
import platform
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

SOURCE = Path(__file__).resolve().parents[1] / "notebooks" / "source" / "cofi"


def main():
    print(f"Executing {SOURCE.relative_to(SOURCE.parents[2])} on {platform.node()} "
          f"({os.cpu_count()} cores, Python {platform.python_version()})\n")
    print("| notebook | seconds | errors |")
    print("| --- | ---: | ---: |")
    total = 0.0
    for path in sorted(SOURCE.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        started = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - started
        total += seconds
        errors = sum(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
        print(f"| {path.stem} | {seconds:.1f} | {errors} |")
    print(f"| all six | {total:.1f} | |")


if __name__ == "__main__":
    main()
