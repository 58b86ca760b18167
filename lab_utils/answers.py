"""Your answer from an earlier lab, loaded from that lab's notebook: the labs build on each other."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from .i18n import _


def load_answer(notebook: str | Path, name: str) -> Callable:
    """The function ``name`` as you wrote it in ``notebook`` (a path, e.g. ``"03_cofi_cost.ipynb"``
    next to this one): the code cell that defines it runs on its own, with ``np`` and ``tf``
    imported, and nothing else of that notebook runs.

    Raises FileNotFoundError, ValueError (not a notebook) or LookupError (no cell defines ``name``)
    with the file and what was looked for. An answer not written yet still loads: calling it raises
    its NotImplementedError.
    """
    path = Path(notebook)
    if not path.is_file():
        raise FileNotFoundError(_("{path} is not there: give the path of the notebook that holds your {name} "
                                  "(the labs' notebooks sit side by side, so its file name usually does)").format(
            path=path, name=name))
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                   for c in cells if c.get("cell_type") == "code"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(_("{path} is not a readable notebook ({error_type}: {error}); "
                           "expected the .ipynb file of a lab").format(
            path=path, error_type=type(error).__name__, error=error)) from None
    for index, source in enumerate(sources):
        if _defines(source, name):
            namespace = {"np": np, "tf": tf, "__name__": f"answer from {path.name}"}
            where = _("{notebook}, code cell {number}").format(notebook=path.name, number=index + 1)
            exec(compile(source, where, "exec"), namespace)
            return namespace[name]
    raise LookupError(_("no code cell of {path} defines a function {name}: expected a cell starting `def {name}(`")
                      .format(path=path, name=name))


def _defines(source: str, name: str) -> bool:
    """Whether a cell's code defines function ``name`` at its top level. A cell that is not plain
    Python counts when it has ``def name(``: running it then says where its syntax error is."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return f"def {name}(" in source
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)
