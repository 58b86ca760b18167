"""Lab 3's exercises: the collaborative-filtering cost with loops and vectorized in TensorFlow,
with the named mistakes learners make in it and probes that localize the ones nobody named."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import cofi
from lab_utils.i18n import N_, _, ngettext

from ..compare import describe, matches, short
from ..engine import Diagnosis, FollowUp, Problem, Run, close_to_expected, number_type
from ..mistakes import Mistake
from ..registry import Exercise, register
from ..runner import Outcome
from .cofi_inputs import (COFI_PARAMS, PROBE, as_float, cofi_cases, cofi_inputs, cofi_references, learner_values,
                          on_floats, relation)


def _cost(adjust):
    """A wrong cost built from the right parts: E (the unmasked error), sq (the right squared-error
    term), norms (sum W^2 + sum X^2) and the inputs."""
    def compute(X, W, b, Y, R, lambda_):
        error = cofi.prediction(X, W, b) - Y
        squared = 0.5 * np.sum(R * error**2)
        norms = float(cofi.regularization(X, W, 2.0))
        return adjust(X=X, W=W, b=b, Y=Y, R=R, E=error, sq=squared, norms=norms, lam=lambda_)
    return on_floats(compute)


COST_MISTAKES: tuple[Mistake, ...] = (
    Mistake(N_("the 1/2 is missing"), N_("your cost is twice the expected squared-error term: is the 1/2 missing?"),
            _cost(lambda sq, norms, lam, **__: 2 * sq + lam / 2 * norms)),
    Mistake(N_("the 1/2 is missing everywhere"),
            N_("your cost is exactly twice the expected value: is the 1/2 missing?"),
            _cost(lambda sq, norms, lam, **__: 2 * sq + lam * norms)),
    Mistake(N_("the 1/2 is applied twice"),
            N_("your squared-error term is half the expected value: is the 1/2 applied twice?"),
            _cost(lambda sq, norms, lam, **__: sq / 2 + lam / 2 * norms)),
    Mistake(N_("the 1/2 is applied twice everywhere"),
            N_("your cost is exactly half the expected value: is the 1/2 applied twice?"),
            _cost(lambda sq, norms, lam, **__: (sq + lam / 2 * norms) / 2)),
    Mistake(N_("lambda_ is missing from the regularization"),
            N_("the regularization does not change with lambda_: multiply (sum W^2 + sum X^2) by lambda_ / 2"),
            _cost(lambda sq, norms, lam, **__: sq + norms / 2)),
    Mistake(N_("the regularization has no 1/2"),
            N_("the regularization is twice the expected: it is lambda_ / 2 times the sums"),
            _cost(lambda sq, norms, lam, **__: sq + lam * norms)),
    Mistake(N_("the regularization is added inside the loop over users"),
            N_("the regularization is counted once per user: add it once, after the loops"),
            _cost(lambda sq, norms, lam, W, **__: sq + W.shape[0] * lam / 2 * norms)),
    Mistake(N_("the regularization is added inside the loop over movies and users"),
            N_("the regularization is counted once per (movie, user) pair: add it once, after the loops"),
            _cost(lambda sq, norms, lam, R, **__: sq + R.size * lam / 2 * norms)),
    Mistake(N_("the regularization is added for every rating"),
            N_("the regularization is counted once per rating: add it once, after the loops"),
            _cost(lambda sq, norms, lam, R, **__: sq + np.sum(R) * lam / 2 * norms)),
    Mistake(N_("unrated entries are counted (R is ignored)"),
            N_("entries with R = 0 count in your cost: multiply the error by R (or skip them when R[i, j] is 0)"),
            _cost(lambda E, norms, lam, **__: 0.5 * np.sum(E**2) + lam / 2 * norms)),
    Mistake(N_("Y leaks in at unrated entries"),
            N_("only the prediction is multiplied by R, so y(i,j) at unrated entries leaks into your cost: "
               "multiply the whole error (X W^T + b - Y) by R"),
            _cost(lambda X, W, b, Y, R, norms, lam, **__: 0.5 * np.sum((R * cofi.prediction(X, W, b) - Y) ** 2)
                  + lam / 2 * norms)),
    Mistake(N_("b is left out"), N_("the prediction is w(j) . x(i) + b(j): b is missing"),
            _cost(lambda X, W, b, Y, R, norms, lam, **__: 0.5 * np.sum(R * (cofi.prediction(X, W, 0 * b) - Y) ** 2)
                  + lam / 2 * norms)),
    Mistake(N_("b is regularized"), N_("only W and X are regularized, not b"),
            _cost(lambda sq, norms, lam, b, **__: sq + lam / 2 * (norms + np.sum(b**2)))),
    Mistake(N_("W is not regularized"), N_("the regularization sums the squares of W as well as X"),
            _cost(lambda sq, lam, X, **__: sq + lam / 2 * np.sum(X**2))),
    Mistake(N_("X is not regularized"), N_("the regularization sums the squares of X as well as W"),
            _cost(lambda sq, lam, W, **__: sq + lam / 2 * np.sum(W**2))),
    Mistake(N_("the error is not squared"), N_("square each error: (w(j) . x(i) + b(j) - y(i,j)) ** 2"),
            _cost(lambda E, R, norms, lam, **__: 0.5 * np.sum(R * E) + lam / 2 * norms)),
    Mistake(N_("the absolute error is used instead of its square"),
            N_("square each error instead of taking its absolute value"),
            _cost(lambda E, R, norms, lam, **__: 0.5 * np.sum(R * np.abs(E)) + lam / 2 * norms)),
)


def _learner_cost(invoke):
    """The learner's cost on given inputs as a float, or None when it raises or is not one finite number."""
    values = learner_values(invoke)

    def cost(*args) -> float | None:
        value = values(*args)
        return None if value is None or value.size != 1 else float(value.reshape(()))
    return cost


def _squared_relation(cost) -> str:
    """How the learner's squared-error term relates to the right one, on PROBE (lambda_ = 0)."""
    X, W, b, Y, R, __ = PROBE
    got, want = cost(X, W, b, Y, R, 0.0), cofi.cofi_cost_func_np(X, W, b, Y, R, 0.0)
    if got is None:
        return ""
    per_entry = 0.5 * R * (cofi.prediction(X, W, b) - Y) ** 2
    left_out = {_("the last movie (does a loop stop at num_movies - 1?)"): per_entry[-1].sum(),
                _("the first movie (does a loop start at 1?)"): per_entry[0].sum(),
                _("the last user (does a loop stop at num_users - 1?)"): per_entry[:, -1].sum(),
                _("the first user (does a loop start at 1?)"): per_entry[:, 0].sum()}
    return relation(got, want, R, left_out)


def _regularization_relation(cost) -> str:
    """How the learner's regularization relates to the right one, on PROBE with R and Y all zeros."""
    X, W, b, Y, R, lambda_ = PROBE
    got = cost(X, W, b, np.zeros_like(Y), np.zeros_like(R), lambda_)
    if got is None:
        return ""
    want = cofi.cofi_cost_func_np(X, W, b, np.zeros_like(Y), np.zeros_like(R), lambda_)
    left_out = {which.format(name=name): lambda_ / 2 * np.sum(array[row] ** 2)
                for name, array in (("X", X), ("W", W))
                for which, row in ((_("the last row of {name}"), -1), (_("the first row of {name}"), 0))}
    return relation(got, want, R, left_out)


def _said(words: str) -> str:
    return _(": yours is {words}").format(words=words) if words else ""


def localize(invoke, case) -> Diagnosis | None:
    """Re-evaluate the learner's cost on variants of a failing case to say which term is wrong:
    lambda_ = 0 leaves the squared-error term alone, R (and Y) all zeros the regularization alone;
    then, on PROBE, how the wrong term relates to the right one."""
    X, W, b, Y, R, lambda_ = as_float(*case.args)
    cost = _learner_cost(invoke)

    def agrees(*args) -> bool | None:
        value = cost(*args)
        return None if value is None else matches(value, cofi.cofi_cost_func_np(*args), 1e-5)

    here, there = cost(X, W, b, Y, R, lambda_), cost(*PROBE)
    if here is not None and here == there and not matches(cofi.cofi_cost_func_np(*PROBE),
                                                         cofi.cofi_cost_func_np(X, W, b, Y, R, lambda_), 1e-5):
        return Diagnosis(_("your cost is {cost:.6g} whatever the inputs (the same for this case and for 5 movies x "
                           "3 users): compute it from X, W, b, Y, R and lambda_").format(cost=here))
    squared_ok = agrees(X, W, b, Y, R, 0.0)
    regularization_ok = agrees(X, W, b, np.zeros_like(Y), np.zeros_like(R), lambda_ if lambda_ else 1.0)
    if squared_ok and regularization_ok is False:
        return Diagnosis(_("the squared-error term is right (checked with lambda_ = 0); the regularization "
                           "lambda_/2 (sum W^2 + sum X^2) is not (checked with R all zeros)")
                         + _said(_regularization_relation(cost)))
    if regularization_ok and squared_ok is False:
        without_b = agrees(X, W, np.zeros_like(b), Y, R, 0.0)
        where = (" " + _("With b = 0 it is right, so look at how b enters the prediction.") if without_b else "")
        return Diagnosis(_("the regularization is right (checked with R all zeros); the squared-error term over the "
                           "rated entries is not (checked with lambda_ = 0)") + _said(_squared_relation(cost)) + "."
                         + where)
    if squared_ok is False and regularization_ok is None and (words := _squared_relation(cost)):
        return Diagnosis(_("the squared-error term over the rated entries is wrong (checked with lambda_ = 0)")
                         + _said(words))
    if squared_ok is False and regularization_ok is False:
        both = relation(there, cofi.cofi_cost_func_np(*PROBE), PROBE[4]) if there is not None else ""
        return Diagnosis(_("both the squared-error term (checked with lambda_ = 0) and the regularization (checked "
                           "with R all zeros) differ from the expected values") + _said(both))
    return None


register(Exercise(
    "cofi_cost", N_("cofi_cost_func (loops)"), COFI_PARAMS, cofi_cases(cofi.cofi_cost_func_np, False),
    [number_type, close_to_expected()], doc=N_("The loop version of the collaborative-filtering cost."),
    forbidden=cofi_references, mistakes=COST_MISTAKES, localize=localize,
))


def _tensor_cost_type(case, value):
    if not tf.is_tensor(value) or tuple(value.shape) != ():
        return Problem(_("returns {value}, expected a 0-d tensor").format(value=describe(value)), _("a 0-d tf.Tensor"),
                       describe(value), _("use tf operations (tf.linalg.matmul, tf.reduce_sum) so GradientTape can "
                                          "differentiate the cost"))
    return None


TAPE_CASE = N_("GradientTape differentiates it with respect to X, W and b")
"""The follow-up's name: an English message id, translated where the case is shown."""


def _tape_inputs() -> tuple:
    """The inputs the tape follow-up differentiates at: the visible case with tf.Variable inputs."""
    __, arrays, lambda_ = cofi_inputs(tensors=True)[-1]
    return (*arrays, lambda_)


def tape_through(invoke) -> Outcome:
    """A tape around the learner's cost of variables X, W, b: the tape's gradient for each of
    them as an array, or None where the tape found none (plain data, judged by ``_tape_gradients``)."""
    *arrays, lambda_ = _tape_inputs()
    variables = [tf.Variable(a) for a in arrays[:3]]
    with tf.GradientTape() as tape:
        outcome = invoke(*variables, *arrays[3:], lambda_)
    if outcome.error:
        return outcome
    try:
        grads = tape.gradient(outcome.value, variables)
    except Exception as error:  # the learner's cost may be anything the stages let through
        return Outcome(error=_("GradientTape cannot differentiate your cost ({error_type}: {error})").format(
                           error_type=type(error).__name__, error=error),
                       hint=_("compute the cost from X, W and b with tf operations"))
    return Outcome(value=[None if g is None else tf.convert_to_tensor(g).numpy() for g in grads])


NOT_SEEN = N_("compute the regularization with tf operations (tf.reduce_sum, tf.square), not np.sum, "
              "so the tape sees it")
SQUARED_NOT_SEEN = N_("compute the squared error with tf operations (tf.linalg.matmul, tf.reduce_sum), not NumPy "
                      "or .numpy(), so the tape sees it")


def _tape_gradients(grads) -> Problem | None:
    """Whether the tape's gradients of the learner's cost are the reference gradients, and if not,
    which part of the cost the tape did not see."""
    X, W, b, Y, R, lambda_ = as_float(*_tape_inputs())
    expected = cofi.cofi_gradients(X, W, b, Y, R, lambda_)
    grads = list(grads)
    if len(grads) != 3:
        return Problem(ngettext("the tape gave {count} gradient, expected 3 (X, W, b)",
                                "the tape gave {count} gradients, expected 3 (X, W, b)", len(grads)).format(
                                    count=len(grads)))
    missing = [name for name, g in zip("XWb", grads) if g is None]
    if missing == ["b"]:
        return Problem(_("no gradient for b: the tape does not see the squared-error term, the only one b is in"),
                       hint=_(SQUARED_NOT_SEEN))
    if missing:
        return Problem(_("no gradient for {names}").format(names=", ".join(missing)),
                       hint=_("compute the cost from the variables with tf operations"))
    lacking, only_regularization, other = [], [], []
    for name, grad, want, own in zip("XWb", grads, expected, (X, W, None)):
        grad = np.asarray(grad, dtype=float)
        if matches(grad, want, 1e-5):
            continue
        if own is not None and lambda_ and matches(grad + lambda_ * own, want, 1e-5):
            lacking.append(name)
        elif matches(grad, 0 * want if own is None else lambda_ * own, 1e-5):
            only_regularization.append(name)
        else:
            other.append((name, grad, want))
    if not (lacking or only_regularization or other):
        return None
    name = (lacking or only_regularization or [other[0][0]])[0]
    want = expected["XWb".index(name)]
    got = np.asarray(grads["XWb".index(name)], dtype=float)
    if lacking:
        terms = _(" and ").join(_("dJ/d{name} lacks lambda_ * {name}").format(name=n) for n in lacking)
        return Problem(_("the tape's {terms}: the value is right but the tape does not see the regularization").format(
                           terms=terms), short(want), short(got), _(NOT_SEEN))
    if only_regularization:
        names = ", ".join(f"dJ/d{n}" for n in only_regularization)
        return Problem(_("the tape's {gradients} lacks the squared-error term: the value is right but the tape does "
                         "not see that term").format(gradients=names), short(want), short(got), _(SQUARED_NOT_SEEN))
    return Problem(_("the tape's dJ/d{name} differs from the expected gradient (largest difference "
                     "{difference:.3g})").format(name=name, difference=float(np.max(np.abs(got - want)))),
                   short(want), short(got),
                   _("compute the whole cost from X, W and b with tf operations, so the tape sees every term"))


register(Exercise(
    "cofi_cost_v", N_("cofi_cost_func_v (vectorized, TensorFlow)"), COFI_PARAMS,
    cofi_cases(cofi.cofi_cost_func_np, True), [_tensor_cost_type, close_to_expected()],
    doc=N_("The vectorized TensorFlow cost, differentiable."), forbidden=cofi_references, mistakes=COST_MISTAKES,
    localize=localize, follow_ups=[FollowUp(TAPE_CASE, Run(tape_through), _tape_gradients)],
))
