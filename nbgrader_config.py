"""nbgrader configuration: notebooks/ is the course directory (run nbgrader from this folder)."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# The course root as an absolute path, next to this file (nbgrader and JupyterLab's formgrader
# warn about a relative one and resolve it against whatever folder they were started in).
c.CourseDirectory.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notebooks")
c.CourseDirectory.course_id = "tf-cofi-labs"

# An edition in another language says "# YOUR CODE HERE" in its language in the learner's exercise
# cells: `python -m editions release` (make release) passes the translated line for each edition.
if os.environ.get("EDITION_CODE_STUB"):
    c.ClearSolutions.code_stub = {"python": f"# {os.environ['EDITION_CODE_STUB']}\nraise NotImplementedError()"}

# TensorFlow logs to stderr from C++ (absl) whatever TF_CPP_MIN_LOG_LEVEL says, and nbgrader
# scores a test cell 0 when it has stderr output. IgnorePattern drops a stderr output that
# matches: TensorFlow's log lines ("I0000 00:00:1795368075.715010  3645 port.cc:153] ...")
# and absl's notice that precedes them. Nothing a learner's code prints looks like this.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(?m)^(?:WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWEF]\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] )"
)

# Seconds a single cell may run when autograding; Lab 5's training cell needs the most.
# Class grading (python -m autograder grade) passes it on; --cell-timeout overrides it.
c.Execute.timeout = 300

# Limits of class grading only (python -m autograder grade; nbgrader itself ignores this
# section). Each submission is graded by an `nbgrader autograde` process of its own, several at
# once, and no submission may hold up the others or take the machine down with it:
# - seconds one submission may take before it is stopped (--timeout overrides it). All six labs
#   take under a minute to grade, so only a runaway submission comes near it;
# - GiB of address space for each grading process and the kernel it starts (--memory-limit
#   overrides it; 0: none): a cell that allocates without bound fails with MemoryError instead
#   of pushing the machine, and the submissions graded beside it, out of memory.
c.ClassGrader.submission_timeout = 3600
c.ClassGrader.memory_limit_gb = 4.0

# A submission that deleted a test or exercise cell gets it back (and is graded on it) instead
# of failing to grade.
c.OverwriteCells.add_missing_cells = True

# nbgrader's own list with one step added. Order matters: DropEmptyNbgraderMetadata must come
# after DeduplicateIds (which empties a duplicated cell's metadata) and before OverwriteCells
# (which fails on empty metadata when it re-adds missing cells).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "autograder.preprocessors.DropEmptyNbgraderMetadata",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback shows the learner the checks' results and diagnoses, never the hidden tests' code:
# ClearHiddenTests removes it from the cells' source, HideTestTracebacks from the tracebacks.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "autograder.preprocessors.HideTestTracebacks",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# nbgrader's autograde steps with one added. SealedVerdict must come after Execute (it reads the
# executed notebook) and before SaveAutoGrades (which scores a test cell 0 when it holds an
# error): it decides each graded test cell by the sealed verification (autograder/sealed), in
# which the learner's code runs in a sandbox and the score is decided in this process, so
# nothing the learner's kernel printed or patched can pass a wrong answer.
c.Autograde.autograde_preprocessors = [
    # nbgrader's Execute with the learner's kernel in a bubblewrap sandbox (autograder/sandbox/kernel.py):
    # on the host the notebook's code could read the source notebooks, the gradebook and other
    # submissions, and write into the course. c.Execute settings apply to it; it is Execute
    # itself when c.SealedVerdict.sandbox = False.
    "autograder.sandbox.kernel.SandboxedExecute",
    "autograder.sealed.verdict.SealedVerdict",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
