"""Generate an edition: the English instructor notebooks with their words from one language's catalogs.

``notebooks/source/cofi-<lang>/`` gets one notebook per English one: the same cells, ids and
nbgrader metadata, the same code, the words translated, and ``metadata.i18n`` naming the language
(the autograder and lab_utils read it to speak that language). Only a complete catalog builds:
a missing, empty or fuzzy entry stops the build with the list of what to translate.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from lab_utils.i18n import METADATA

from . import catalogs
from .segments import Piece, translate_cell


class Untranslated(Exception):
    """The catalogs of a language are not complete; the message lists what is missing."""


def edition_name(language: str) -> str:
    return f"{catalogs.SOURCE_ASSIGNMENT}-{language}"


def edition_dir(language: str, root: Path | None = None) -> Path:
    return (root or catalogs.ROOT / "notebooks" / "source") / edition_name(language)


def translate_notebook(notebook: dict, language: str, words: dict[str, str], source_name: str) -> dict:
    """A copy of the English notebook in ``language``; KeyError names a piece with no translation."""
    out = copy.deepcopy(notebook)

    def translate(piece: Piece) -> str:
        return words[piece.text]

    for cell in out["cells"]:
        source = translate_cell(cell, translate)
        cell["source"] = source.splitlines(keepends=True) if isinstance(cell.get("source"), list) else source
    out.setdefault("metadata", {})[METADATA] = {
        "language": language, "source": f"{catalogs.SOURCE_ASSIGNMENT}/{source_name}"}
    return out


def dumps(notebook: dict) -> str:
    """As Jupyter writes notebooks (nbformat's layout), so a rebuilt notebook diffs cleanly."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build(language: str, target: Path | None = None) -> list[Path]:
    """Write the edition's instructor notebooks; raise Untranslated when a catalog is not complete."""
    missing = [str(p) for stem in catalogs.stems() for p in catalogs.problems(language, stem)]
    if missing:
        raise Untranslated(f"the {language} catalogs are not complete ({len(missing)} problem(s)):\n  "
                           + "\n  ".join(missing))
    target = target or edition_dir(language)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in catalogs.source_notebooks():
        words = catalogs.translations(language, path.stem)
        notebook = translate_notebook(json.loads(path.read_text(encoding="utf-8")), language, words, path.name)
        out = target / path.name
        out.write_text(dumps(notebook), encoding="utf-8")
        written.append(out)
    stale = {p.name for p in target.glob("*.ipynb")} - {p.name for p in catalogs.source_notebooks()}
    for name in stale:  # a notebook removed from the English edition goes from this one too
        (target / name).unlink()
    return written
