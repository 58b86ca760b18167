"""Copies of the reference packages in which the exercises' reference functions only raise.

While a sealed verification runs the learner's code, the sandbox sees such a copy where the real
package lies, so neither importing, nor reading the source (``inspect.getsource``), nor copying
a code object reaches a working reference.
"""

from __future__ import annotations

import ast
import inspect
import shutil
from collections import defaultdict
from pathlib import Path

from ..result import N_  # not lab_utils.i18n's: importing lab_utils here would start TensorFlow


NOT_AVAILABLE = N_("{function} is not available while your answer is checked: write the computation yourself")
"""What a masked reference raises, in the learner's language (the harness is told it)."""


def _stub(name: str, qualified: str) -> list[ast.stmt]:
    return ast.parse("from lab_utils.i18n import _ as _translated\n"
                     f"raise RuntimeError(_translated({NOT_AVAILABLE!r}).format(function={qualified!r}))").body


class _Masker(ast.NodeTransformer):
    def __init__(self, module: str, names: set[str]):
        self.module, self.names = module, names

    def visit_Module(self, node):
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in self.names:
                statement.body = _stub(statement.name, f"{self.module}.{statement.name}")
            elif isinstance(statement, ast.ClassDef) and statement.name in self.names:
                init = ast.parse("def __init__(self, *args, **kwargs): pass").body[0]
                init.body = _stub(statement.name, f"{self.module}.{statement.name}")
                statement.body = [init]
        return node


def masked_copy(functions, folder: Path) -> dict[Path, Path]:
    """Copy each package that holds one of ``functions`` (top-level functions or classes) into
    ``folder``, with those functions' bodies replaced by a ``raise``. Returns {the real package
    folder: its masked copy} for the sandbox to bind one over the other."""
    by_module: dict[str, set[str]] = defaultdict(set)
    for f in functions:
        by_module[f.__module__].add(f.__name__)
    copies: dict[Path, Path] = {}
    for module, names in sorted(by_module.items()):
        real = Path(inspect.getsourcefile(__import__(module, fromlist=["_"]))).resolve()
        package = real.parent
        while (package.parent / "__init__.py").exists():
            package = package.parent
        copy = copies.get(package)
        if copy is None:
            copy = folder / package.name
            shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            copies[package] = copy
        target = copy / real.relative_to(package)
        tree = _Masker(module, names).visit(ast.parse(target.read_text(encoding="utf-8")))
        target.write_text(ast.unparse(ast.fix_missing_locations(tree)) + "\n", encoding="utf-8")
    return copies
