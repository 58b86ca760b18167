"""This course's graded exercises, one module per lab, registered with ``autograder.registry``.

Adding a lab is adding a module here that calls ``registry.register``; ``load`` imports every
module of this package. Importing the package itself imports no lab and no reference package,
so ``autograder.pristine`` can read ``REFERENCE_PACKAGES`` before it loads fresh copies.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from ..result import N_  # not lab_utils.i18n's: that would import the reference package (see above)


REFERENCE_PACKAGES = ("lab_utils",)
"""The packages holding the course's reference: never the learner's frames, and the source of
the functions a learner must not call."""

SHAPE_ERROR = re.compile(r"matmul|size-incompatible|shapes .* not aligned|could not be broadcast|"
                         r"Incompatible shapes|mismatch in its core dimension", re.I)
ERROR_HINTS = ((SHAPE_ERROR, N_("the shapes do not fit together: is X or W transposed? X is (num_movies, "
                                "num_features), W is (num_users, num_features)")),
               (re.compile(r"no attribute '_unique_id'"),
                N_("apply_gradients takes (gradient, variable) pairs: zip(grads, variables), gradients first"),
                N_("optimizer.apply_gradients was given (variable, gradient) pairs: zip(variables, grads)")),
               (re.compile(r"No gradients provided for any variable"),
                N_("compute the cost from the variables inside the `with tf.GradientTape() as tape:` block, then "
                   "take tape.gradient(cost, variables) after it"),
                N_("the tape gave no gradients: the cost was not computed under the tape (or not from the "
                   "variables)")))
"""(pattern, hint[, what it means]): what a library's error text says the learner did (see runner.Guards).
The hints and meanings are English message ids (marked with ``N_``): the runner translates them where
it shows them."""


def load():
    """Import every lab module (each registers its exercises) and configure the registry; return it."""
    from .. import registry

    paths = tuple(str(Path(importlib.import_module(p).__file__).resolve().parent) for p in REFERENCE_PACKAGES)
    registry.configure(registry.Course(paths, ERROR_HINTS))
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return registry
