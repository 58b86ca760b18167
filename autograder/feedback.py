"""What nbgrader's feedback shows a learner.

nbgrader's ClearHiddenTests removes the hidden tests from a test cell's source, but a failing
test cell's error output still holds IPython's traceback, which quotes the cell's lines around
the failure, hidden tests included. This preprocessor reduces the traceback of every graded
cell to the error's message, which is where a check puts its diagnosis.
"""

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


class HideTestTracebacks(Preprocessor):
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
