"""What a check found, as data: rendered as plain text for logs, as HTML in a notebook, and as
JSON in the notebook's outputs (MIME_TYPE) so class grading can read which case failed and why."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from functools import partial

MIME_TYPE = "application/vnd.autograder.check+json"
"""The output a check leaves in the notebook beside its HTML: ``CheckResult.to_dict()``."""


# The learner's language (lab_utils.i18n), imported when a message is first shown: importing
# lab_utils starts TensorFlow, which ``import autograder`` and class grading (reading results) do not need.

def _(message: str) -> str:
    from lab_utils import i18n

    return i18n._(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    from lab_utils import i18n

    return i18n.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """``lab_utils.i18n.N_`` for the modules that must not import lab_utils (exercises/, sealed/mask.py)."""
    return message


HIDDEN = " (hidden cases)"
SEALED = " (sealed verification)"
_SUFFIXES = {HIDDEN: N_("{title} (hidden cases)"), SEALED: N_("{title} (sealed verification)")}
"""What ``CheckResult.exercise`` may end with (in English, as the class report reads it), and how
each is shown in the learner's language."""


def translated(message: str) -> str:
    """A message marked with ``N_`` where it was defined, in the learner's language ("" stays "":
    gettext would give the catalog's header for it)."""
    return _(message) if message else message


def shown_title(exercise: str) -> str:
    """``CheckResult.exercise`` as the learner reads it: the exercise's title (English in the data,
    see ``registry.Exercise``) and the suffixes the check added, in the learner's language."""
    added = []
    while True:
        suffix = next((s for s in _SUFFIXES if exercise.endswith(s) and len(exercise) > len(s)), None)
        if suffix is None:
            break
        exercise = exercise[:-len(suffix)]
        added.append(suffix)
    title = translated(exercise)
    for suffix in reversed(added):
        title = _(_SUFFIXES[suffix]).format(title=title)
    return title


@dataclass
class CaseResult:
    """One case of one check: what it tried, whether it passed, and if not, why."""

    name: str
    passed: bool
    message: str = ""
    expected: str | None = None
    actual: str | None = None
    hint: str = ""
    mistake: str = ""
    """The name of the known mistake the answer reproduces, when one does."""

    def lines(self) -> list[str]:
        mark = _("PASS") if self.passed else _("FAIL")
        out = [f"[{mark}] {self.name}" + (f": {self.message}" if self.message else "")]
        if self.expected is not None:
            out.append("    " + _("expected: {expected}").format(expected=self.expected))
        if self.actual is not None:
            out.append("    " + _("actual:   {actual}").format(actual=self.actual))
        if self.hint:
            out.append("    " + _("hint: {hint}").format(hint=self.hint))
        return out


@dataclass
class CheckResult:
    """All the cases one check ran for one exercise; it passes when every case does."""

    exercise: str
    """The exercise's title in English, as the class report reads it, maybe with ``HIDDEN`` or
    ``SEALED`` after it; shown translated (``shown_title``)."""
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.cases) and all(case.passed for case in self.cases)

    def add(self, case: CaseResult) -> CaseResult:
        self.cases.append(case)
        return case

    def __str__(self) -> str:
        verdict = _("all tests passed") if self.passed else _problems(sum(not c.passed for c in self.cases))
        lines = [f"{shown_title(self.exercise)}: {verdict}"]
        for case in self.cases:
            lines.extend(case.lines())
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CheckResult:
        """The result ``to_dict`` gave; unknown keys (from a newer version) are ignored."""
        known = set(CaseResult.__dataclass_fields__)
        cases = [CaseResult(**{k: v for k, v in case.items() if k in known}) for case in data.get("cases", [])]
        return cls(str(data.get("exercise", "")), cases)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": str(self), "text/html": self._repr_html_(), MIME_TYPE: self.to_dict()}

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        verdict = _("all tests passed") if self.passed else _("not yet right")
        rows = []
        for case in self.cases:
            mark, tint = ("&#10004;", "#1a7f37") if case.passed else ("&#10008;", "#cf222e")
            detail = "".join(
                f"<div><b>{html.escape(label)}</b> <code>{html.escape(value)}</code></div>"
                for label, value in ((_("expected"), case.expected), (_("actual"), case.actual))
                if value is not None
            )
            if case.hint:
                label = _("hint")
                detail += f"<div><b>{html.escape(label)}</b> {html.escape(case.hint)}</div>"
            message = f": {html.escape(case.message)}" if case.message else ""
            rows.append(
                f'<li class="autograder-case" style="color:{tint}">{mark} {html.escape(case.name)}{message}'
                f'<div style="color:#24292f;margin-left:1.5em">{detail}</div></li>'
            )
        return (
            f'<div class="autograder-result" style="border-left:4px solid {colour};padding:4px 10px">'
            f'<b style="color:{colour}">{html.escape(shown_title(self.exercise))}: {html.escape(verdict)}</b>'
            f'<ul style="list-style:none;padding-left:0.5em">{"".join(rows)}</ul></div>'
        )


def report(result: CheckResult) -> None:
    """Show the result (HTML in a notebook, text elsewhere); raise AssertionError if it failed,
    so nbgrader scores the cell 0 (see ``failure``)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        display(result)
    else:
        print(result)
    if not result.passed:
        raise failure(result)


def failure(result: CheckResult) -> AssertionError:
    """The AssertionError a failed check raises once its result is shown. IPython shows what an
    exception's ``_render_traceback_`` returns instead of its traceback: here one line, since a
    traceback through the autograder would only bury the result. The notebook still gets an error
    output (ename AssertionError, evalue the result as text), which nbgrader scores 0. A plain
    AssertionError with an attribute, not a subclass, keeps that ename and survives pickling."""
    error = AssertionError(str(result))
    problems = sum(not case.passed for case in result.cases)
    summary = _("{title}: {problems}, shown above").format(title=shown_title(result.exercise),
                                                           problems=_problems(problems))
    error._render_traceback_ = partial(_shown_above, summary)
    return error


def _problems(count: int) -> str:
    """The count of failed cases: "1 problem(s)" in English, as it always read; a translation may
    have plural forms."""
    return ngettext("{count} problem(s)", "{count} problem(s)", count).format(count=count)


def _shown_above(summary: str) -> list[str]:
    return [f"AssertionError: {summary}"]
