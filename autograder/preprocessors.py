"""Two small nbgrader preprocessors, each mending one gap in nbgrader 0.9 (see nbgrader_config.py).

- ``DropEmptyNbgraderMetadata``: when a submission duplicates a cell, DeduplicateIds empties
  the copy's nbgrader metadata, and OverwriteCells (with add_missing_cells) then fails with
  ``KeyError: 'grade_id'`` on it. Removing the empty metadata makes the copy an ordinary cell.
- ``HideTestTracebacks``: in feedback, ClearHiddenTests removes hidden tests from a cell's
  source, but a failing test cell's traceback still quotes them. Reduce that traceback to the
  error's message, which is where a check puts its diagnosis.
"""

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


def _is_graded(cell) -> bool:
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False)


class DropEmptyNbgraderMetadata(Preprocessor):
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if "nbgrader" in cell.metadata and not cell.metadata["nbgrader"]:
            del cell.metadata["nbgrader"]
        return cell, resources


class HideTestTracebacks(Preprocessor):
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if _is_graded(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
