"""Known wrong answers, and recognising one in a learner's outputs.

An exercise keeps a catalogue of the mistakes learners make: each is a small wrong
implementation with its name and hint. When one of them reproduces the learner's outputs on
every case, that is the diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lab_utils.i18n import _

from .compare import matches
from .engine import Case, Diagnosis


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: ``compute(*case.args)`` gives what a learner who made it returns.
    ``name`` and ``hint`` are marked with ``N_`` where the mistake is defined: the diagnosis shows
    them translated, and keeps the English name as the key the class report groups by."""

    name: str
    hint: str
    compute: Callable

    def diagnosis(self) -> Diagnosis:
        return Diagnosis(_("{hint} (known mistake: {name})").format(hint=_(self.hint), name=_(self.name)), self.name)


def reproduces(mistake: Mistake, cases: Sequence[Case], outputs, rtol: float = 1e-5) -> bool:
    """Whether the mistake gives the learner's output on every case (``matches`` reads any output)."""
    return all(matches(output, mistake.compute(*case.args), rtol) for case, output in zip(cases, outputs))


def recognise(mistakes: Sequence[Mistake], cases: Sequence[Case], outputs, rtol: float = 1e-5) -> Diagnosis | None:
    """The diagnosis of the first catalogued mistake that reproduces every output the learner gave."""
    for mistake in mistakes:
        if reproduces(mistake, cases, outputs, rtol):
            return mistake.diagnosis()
    return None
