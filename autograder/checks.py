"""One check per graded exercise.

``check_*`` (for the learner's notebook) shows the result and raises AssertionError when anything
is wrong, so nbgrader scores the cell 0; ``evaluate_*`` returns the CheckResult. Every exercise
has visible cases with fixed inputs and hidden cases drawn afresh at grading time, so a
function that returns hard-coded numbers cannot pass. Expected values come from lab_utils'
reference at check time, never typed in here.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from lab_utils import autodiff, cofi
from lab_utils import training

from . import diagnose
from .compare import matches
from .engine import Case, array_of_shape, close_to_expected, describe, finite, number_type, run_check, to_numpy
from .result import CaseResult, CheckResult
from .runner import Outcome, call

TIMEOUT = 10.0
"""Seconds one call of a learner's function may take (training gets more)."""

COFI_PARAMS = ("X", "W", "b", "Y", "R", "lambda_")
COFI_WATCH = dict(enumerate(("X", "W", "b", "Y", "R")))


@dataclass
class Exercise:
    """Everything needed to check one graded exercise."""

    title: str
    params: tuple[str, ...]
    cases: Callable[[np.random.Generator | None], list[Case]]
    """Visible cases for None; hidden cases drawn from the generator otherwise."""
    stages: Sequence
    forbidden: Callable[[], list[Callable]] = list
    """Reference functions the learner's code must not call to get its answer."""
    diagnose: Callable | None = None
    timeout: float = TIMEOUT
    after: Callable[[CheckResult, Callable], None] | None = None
    """Extra cases that need the learner's function itself, run once the values are right."""


EXERCISES: dict[str, Exercise] = {}


def evaluate(key: str, fn, hidden: bool = False, seed: int | None = None) -> CheckResult:
    """Run exercise ``key``'s check on fn: the visible cases, or hidden ones drawn with ``seed``
    (a fresh random seed when None)."""
    exercise = EXERCISES[key]
    rng = np.random.default_rng(secrets.randbits(64) if seed is None else seed) if hidden else None
    cases = exercise.cases(rng)
    if hidden:
        for case in cases:
            case.name = f"hidden case: {case.name}"
    forbidden = _forbidden_codes(exercise.forbidden())
    for case in cases:
        case.forbidden = forbidden
    title = exercise.title + (" (hidden cases)" if hidden else "")
    result = run_check(title, fn, exercise.params, cases, exercise.stages, exercise.timeout, exercise.diagnose)
    if result.passed and exercise.after is not None:
        exercise.after(result, fn)
    return result


def _forbidden_codes(functions) -> dict:
    """Code objects of the reference functions, both these and the ones of the same name that the
    notebook imported (a private copy of lab_utils, see pristine.py, has code objects of its own)."""
    codes = {}
    for f in functions:
        name = f"{f.__module__}.{f.__qualname__}"
        codes[f.__code__] = name
        loaded = getattr(sys.modules.get(f.__module__), f.__name__, None)
        if callable(loaded) and hasattr(loaded, "__code__"):
            codes[loaded.__code__] = name
    return codes


def report(result: CheckResult) -> None:
    """Show the result (HTML in a notebook, text elsewhere); raise AssertionError if it failed."""
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
        raise AssertionError(str(result))


# ----- Lab 1: the tape and the hand derivative ---------------------------------------------------

SIMPLE_CASES = ((3.0, 1.0, 1.0), (2.0, 3.0, 1.0), (-1.5, 2.0, 0.5), (0.25, -4.0, 2.0))


def _simple_inputs(rng) -> list[tuple[float, float, float]]:
    if rng is None:
        return list(SIMPLE_CASES)
    return [tuple(float(v) for v in np.round(rng.uniform(-4, 4, 3), 2)) for _ in range(4)]


def _taped(w0, x, y):
    def run(fn, case) -> Outcome:
        w = tf.Variable(w0)
        with tf.GradientTape() as tape:
            outcome = call(fn, (w, x, y), timeout=TIMEOUT, forbidden=case.forbidden)
        if outcome.error:
            return outcome
        gradient = tape.gradient(outcome.value, w) if tf.is_tensor(outcome.value) else None
        return Outcome(value=(outcome.value, gradient))
    return run


def _tape_type(case, value):
    cost, gradient = value
    if not tf.is_tensor(cost) or tuple(cost.shape) != ():
        return (f"returns {describe(cost)}, expected a 0-d tensor", "a 0-d tf.Tensor", describe(cost),
                "compute J with TensorFlow operations on w (w * x, ** 2); float() or .numpy() hides it from the tape")
    if gradient is None:
        return ("the tape cannot differentiate the cost with respect to w", "a gradient", "None",
                "J must be computed from w itself, not from a copy converted to NumPy")
    return None


def _tape_value(case, value):
    cost, gradient = value
    pair = Case(case.name, expected=case.expected, rtol=1e-5)
    problem = close_to_expected()(pair, np.array([float(cost), float(gradient)]))
    if problem:
        return ("wrong [cost, dJ/dw]",) + problem[1:3] + ("J(w) = (w x - y) ** 2",)
    return None


EXERCISES["tape_cost"] = Exercise(
    "cost under the tape", ("w", "x", "y"),
    lambda rng: [Case(f"w={w}, x={x}, y={y}", run=_taped(w, x, y),
                      expected=np.array([autodiff.simple_cost(w, x, y), autodiff.simple_cost_derivative(w, x, y)]))
                 for w, x, y in _simple_inputs(rng)],
    [_tape_type, _tape_value],
    forbidden=lambda: [autodiff.simple_cost],
)


def _derivative_hint(case, value) -> str:
    w, x, y = case.args
    actual = float(to_numpy(value))
    if matches(actual, 2 * (w * x - y)):
        return "the chain rule also multiplies by the derivative of the inside, w x - y, which is x"
    if matches(actual, (w * x - y) * x):
        return "the power rule brings down the exponent: d/du u^2 = 2u"
    if matches(actual, -case.expected):
        return "the sign is flipped: J grows when w x moves away from y"
    return ""


EXERCISES["hand_derivative"] = Exercise(
    "hand derivative dJ/dw", ("w", "x", "y"),
    lambda rng: [Case(f"w={w}, x={x}, y={y}", args=(w, x, y), expected=autodiff.simple_cost_derivative(w, x, y))
                 for w, x, y in _simple_inputs(rng)],
    [number_type, close_to_expected(_derivative_hint)],
    forbidden=lambda: [autodiff.simple_cost_derivative],
)


# ----- Lab 2: one Adam training step --------------------------------------------------------------

def _step_problem(kind: str, start: tuple[float, ...]):
    """A fresh problem: (variables, cost function) for J(w) or the (w, b) line fit."""
    if kind == "J(w)":
        w = tf.Variable(start[0])
        return [w], lambda: autodiff.simple_cost(w, 1.0, 1.0)
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    y = 2.0 * x + 1.0
    w, b = tf.Variable(start[0]), tf.Variable(start[1])
    return [w, b], lambda: tf.reduce_mean((w * x + b - y) ** 2)


def _steps(kind: str, start, learning_rate: float, steps: int = 3):
    def run(fn, case=None) -> Outcome:
        variables, cost_fn = _step_problem(kind, start)
        optimizer = autodiff.adam(learning_rate)
        costs = []
        for _ in range(steps):
            outcome = call(fn, (cost_fn, variables, optimizer), timeout=TIMEOUT,
                           forbidden=case.forbidden if case else None)
            if outcome.error:
                return outcome
            costs.append(outcome.value)
        return Outcome(value=(costs, [v.numpy() for v in variables]))
    return run


def _step_type(case, value):
    costs, _ = value
    for cost in costs:
        if number_type(case, cost):
            return (f"returns {describe(cost)}, expected the cost as a single number", "a 0-d tensor or a float",
                    describe(cost), "return the cost computed under the tape")
    return None


def _step_value(case, value):
    costs, variables = value
    expected_costs, expected_variables = case.expected
    actual_costs = np.array([float(to_numpy(c)) for c in costs])
    if not matches(actual_costs, np.array(expected_costs), 1e-5):
        return ("the costs returned over 3 steps are wrong", short_list(expected_costs), short_list(actual_costs),
                "return the cost computed under the tape, before the update")
    if not all(matches(v, e, 1e-5) for v, e in zip(variables, expected_variables)):
        unchanged = all(matches(v, s) for v, s in zip(variables, case.info["start"]))
        hint = ("the variables did not change: pass zip(grads, variables) to optimizer.apply_gradients"
                if unchanged else "use tape.gradient(cost, variables) and the optimizer you are given, once per step")
        return ("the variables after 3 steps are wrong", short_list(expected_variables), short_list(variables), hint)
    return None


def short_list(values) -> str:
    return ", ".join(f"{float(v):.6g}" for v in values)


def _step_cases(rng) -> list[Case]:
    if rng is None:
        settings = [("J(w)", (3.0,), 0.1), ("the line fit (w, b)", (0.5, -1.0), 0.05)]
    else:
        settings = [("J(w)", (float(np.round(rng.uniform(-3, 3), 2)),), float(np.round(rng.uniform(0.02, 0.3), 3))),
                    ("the line fit (w, b)", tuple(float(v) for v in np.round(rng.uniform(-2, 2, 2), 2)),
                     float(np.round(rng.uniform(0.02, 0.2), 3)))]
    return [Case(f"3 Adam steps on {kind} from {start}, learning rate {lr}", run=_steps(kind, start, lr),
                 expected=_steps(kind, start, lr)(autodiff.adam_step).value, info={"start": start})
            for kind, start, lr in settings]


EXERCISES["train_step"] = Exercise(
    "training step", ("cost_fn", "variables", "optimizer"), _step_cases, [_step_type, _step_value],
    forbidden=lambda: [autodiff.adam_step, autodiff.fit_line],
)


# ----- Lab 3 and 4: the collaborative-filtering cost and its gradients ----------------------------

def _cofi_arrays(rng, num_movies, num_users, num_features, density=0.5):
    X = rng.normal(size=(num_movies, num_features))
    W = rng.normal(size=(num_users, num_features))
    b = rng.normal(size=(1, num_users))
    R = (rng.random((num_movies, num_users)) < density).astype(float)
    Y = rng.integers(1, 6, size=(num_movies, num_users)).astype(float)  # unrated entries hold ratings too
    return X, W, b, Y, R


def cofi_inputs(rng: np.random.Generator | None = None, tensors: bool = False) -> list[tuple[str, tuple, float]]:
    """(name, (X, W, b, Y, R), lambda_) for the cost and gradient checks: the visible cases for
    rng None, otherwise hidden ones with random, non-square shapes and lambda_."""
    if rng is None:
        source = np.random.default_rng(2024)
        hand = (np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 1.0], [2.0, 0.0]]), np.array([[0.0, 1.0]]),
                np.array([[1.0, 4.0], [2.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
        random = _cofi_arrays(source, 7, 5, 3)
        lonely = _cofi_arrays(source, 6, 4, 2)
        inputs = [("2 movies x 2 users, by hand, lambda_=0", hand, 0.0),
                  ("2 movies x 2 users, by hand, lambda_=2", hand, 2.0)]
        lambdas = (0.0, 1.5, 1.0, 0.5)
    else:
        num_movies, num_users, num_features = (int(v) for v in rng.choice(np.arange(3, 11), 3, replace=False))
        random = _cofi_arrays(rng, num_movies, num_users, num_features)
        lonely = _cofi_arrays(rng, num_users + 1, num_users, num_features)
        inputs = []
        lambdas = (0.0, *(float(v) for v in np.round(rng.uniform(0.3, 3.0, 3), 2)))
    lonely[4][:, 1] = 0.0  # a user who rated nothing
    lonely[4][-1, :] = 0.0  # a movie nobody rated
    shape = "x".join(map(str, (random[0].shape[0], random[1].shape[0], random[0].shape[1])))
    inputs += [
        (f"{shape} movies x users x features, unrated entries hold ratings, lambda_={lambdas[0]}", random, lambdas[0]),
        (f"{shape} movies x users x features, lambda_={lambdas[1]}", random, lambdas[1]),
        (f"a user and a movie without ratings, lambda_={lambdas[2]}", lonely, lambdas[2]),
        (f"float32 inputs, lambda_={lambdas[3]}", tuple(a.astype(np.float32) for a in random), lambdas[3]),
    ]
    if tensors:
        inputs.append((f"tf.Variable inputs, lambda_={lambdas[1]}", tuple(tf.Variable(a) for a in random), lambdas[1]))
    return inputs


def _cofi_cases(reference, tensors: bool):
    def make(rng) -> list[Case]:
        cases = []
        for name, arrays, lambda_ in cofi_inputs(rng, tensors):
            float32 = to_numpy(arrays[0]).dtype == np.float32
            as_numpy = tuple(to_numpy(a).astype(np.float64) for a in arrays)
            cases.append(Case(name, args=(*arrays, lambda_), expected=reference(*as_numpy, lambda_),
                              watch=COFI_WATCH, rtol=1e-4 if float32 else 1e-6))
        return cases
    return make


def _diagnose_cost(fn, cases, outputs, failing) -> str:
    mistake = diagnose.recognise(diagnose.COST_MISTAKES, cases, outputs, rtol=1e-4)
    if mistake is not None:
        return f"{mistake.hint} (known mistake: {mistake.name})"
    return diagnose.localize_cost(fn, cofi.cofi_cost_func_np, failing, TIMEOUT)


def _cost_references():
    return [cofi.cofi_cost_func, cofi.cofi_cost_func_np, cofi.cofi_cost_func_v, cofi.cofi_gradients]


EXERCISES["cofi_cost"] = Exercise(
    "cofi_cost_func (loops)", COFI_PARAMS, _cofi_cases(cofi.cofi_cost_func_np, False),
    [number_type, close_to_expected()], forbidden=_cost_references, diagnose=_diagnose_cost,
)


def _tensor_cost_type(case, value):
    if not tf.is_tensor(value) or tuple(value.shape) != ():
        return (f"returns {describe(value)}, expected a 0-d tensor", "a 0-d tf.Tensor", describe(value),
                "use tf operations (tf.linalg.matmul, tf.reduce_sum) so GradientTape can differentiate the cost")
    return None


TAPE_CASE = "GradientTape differentiates it with respect to X, W and b"


def _tape_through(result: CheckResult, fn) -> None:
    """After the values are right: a tape around the learner's cost must reach X, W and b."""
    _, arrays, lambda_ = cofi_inputs(tensors=True)[-1]
    variables = [tf.Variable(a) for a in arrays[:3]]
    with tf.GradientTape() as tape:
        cost = fn(*variables, *arrays[3:], lambda_)
    grads = tape.gradient(cost, variables)
    missing = [n for n, g in zip("XWb", grads) if g is None]
    result.add(CaseResult(TAPE_CASE, not missing,
                          "" if not missing else f"no gradient for {', '.join(missing)}",
                          hint="" if not missing else "compute the cost from the variables with tf operations"))


EXERCISES["cofi_cost_v"] = Exercise(
    "cofi_cost_func_v (vectorized, TensorFlow)", COFI_PARAMS, _cofi_cases(cofi.cofi_cost_func_np, True),
    [_tensor_cost_type, close_to_expected()], forbidden=_cost_references, diagnose=_diagnose_cost,
    after=_tape_through,
)


def _gradient_exercise(name: str, index: int, shape_name: str, key: str) -> Exercise:
    def reference(*args):
        return cofi.cofi_gradients(*args)[index]

    def diagnose_gradient(fn, cases, outputs, failing) -> str:
        mistake = diagnose.recognise(diagnose.GRADIENT_MISTAKES[key], cases, outputs, rtol=1e-4)
        return f"{mistake.hint} (known mistake: {mistake.name})" if mistake else ""

    shape_hint = _bias_shape_hint if key == "b" else None
    return Exercise(name, COFI_PARAMS, _cofi_cases(reference, False),
                    [array_of_shape(shape_name, shape_hint), close_to_expected()], forbidden=_cost_references,
                    diagnose=diagnose_gradient)


def _bias_shape_hint(case, got) -> str:
    num_movies, num_users = np.shape(case.args[3])
    if got in ((num_movies, 1), (num_movies,), (1, num_movies), (num_users, 1)):
        return ("sum the errors over the movies (axis=0), one number per user, and keep the shape "
                "(1, num_users) with keepdims=True")
    return ""


EXERCISES["grad_X"] = _gradient_exercise("dJ/dX", 0, "(num_movies, num_features)", "X")
EXERCISES["grad_W"] = _gradient_exercise("dJ/dW", 1, "(num_users, num_features)", "W")
EXERCISES["grad_b"] = _gradient_exercise("dJ/db", 2, "(1, num_users)", "b")


# ----- Lab 5: the training loop -------------------------------------------------------------------

TRAIN_TIMEOUT = 120.0
TRAIN_PARAMS = ("Y", "R", "num_features", "lambda_", "iterations", "learning_rate", "seed")


def _training_problem(seed: int, num_movies: int, num_users: int):
    rng = np.random.default_rng(seed)
    X, W, b, _, R = _cofi_arrays(rng, num_movies, num_users, 3, density=0.4)
    Y = np.clip(np.round(X @ W.T + b + 3), 1, 5) * R
    return Y - (Y.sum(1, keepdims=True) / np.maximum(R.sum(1, keepdims=True), 1)) * R, R


def _skeleton_start(Y, settings) -> tuple:
    """The starting X, W, b that Lab 5's given code draws. Low-rank completion has local minima,
    so the reference must start where the learner's loop starts for the final costs to compare."""
    (num_movies, num_users), num_features = Y.shape, settings["num_features"]
    initial = tf.random.Generator.from_seed(settings["seed"])
    X = initial.normal((num_movies, num_features), stddev=0.1)
    W = initial.normal((num_users, num_features), stddev=0.1)
    return X.numpy(), W.numpy(), np.zeros((1, num_users))


def _train_cases(rng) -> list[Case]:
    if rng is None:
        seed, num_movies, num_users = 11, 30, 20
        settings = dict(num_features=4, lambda_=1.0, iterations=150, learning_rate=0.1, seed=3)
    else:
        seed, num_movies, num_users = int(rng.integers(1 << 30)), int(rng.integers(20, 40)), int(rng.integers(12, 25))
        settings = dict(num_features=int(rng.integers(2, 6)), lambda_=float(np.round(rng.uniform(0.5, 2), 2)),
                        iterations=int(rng.integers(120, 180)), learning_rate=0.1, seed=int(rng.integers(1000)))
    Y, R = _training_problem(seed, num_movies, num_users)
    model = training.train(Y, R, normalize=False, verbose=False, initial=_skeleton_start(Y, settings), **settings)
    expected = cofi.cofi_cost_func_np(model.X, model.W, model.b, Y, R, settings["lambda_"])
    name = (f"{num_movies} movies x {num_users} users, {settings['num_features']} features, "
            f"{settings['iterations']} iterations")
    return [Case(name, args=(Y, R, *settings.values()), expected=expected, watch={0: "Y", 1: "R"})]


def _train_type(case, value):
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        return (f"returns {describe(value)}, expected the tuple (X, W, b, history)", "(X, W, b, history)",
                describe(value), "end with `return X, W, b, history`")
    Y, features, iterations = case.args[0], case.args[2], case.args[4]
    shapes = {"X": (Y.shape[0], features), "W": (Y.shape[1], features), "b": (1, Y.shape[1])}
    for (name, shape), array in zip(shapes.items(), value[:3]):
        got = tuple(np.shape(to_numpy(array)))
        if got != shape:
            return (f"{name} has shape {got}, expected {shape}", str(shape), str(got), "")
    if len(value[3]) != iterations:
        return (f"history has {len(value[3])} entries, expected one cost per iteration ({iterations})",
                str(iterations), str(len(value[3])), "append the cost once in every iteration")
    return None


def _train_value(case, value):
    X, W, b = (to_numpy(v).astype(float) for v in value[:3])
    history = np.array([float(to_numpy(h)) for h in value[3]])
    problem = finite(case, history)
    if problem:
        return problem
    Y, R, _, lambda_ = case.args[:4]
    final = cofi.cofi_cost_func_np(X, W, b, Y, R, lambda_)
    if not history[-1] < 0.5 * history[0]:
        return ("the cost barely went down", f"below {0.5 * history[0]:.4g}", f"{history[-1]:.4g}",
                "apply the gradients with optimizer.apply_gradients(zip(grads, [X, W, b])) in every iteration")
    if final > 1.1 * case.expected + 1e-6:
        return ("the trained X, W and b cost more than the reference reaches from the same start with the same "
                "settings", f"at most {1.1 * case.expected:.4g}", f"{final:.4g}",
                "keep the given starting values, use the learning rate and lambda_ you are given, and return the "
                "trained variables")
    return None


EXERCISES["train_cofi"] = Exercise(
    "train_cofi", TRAIN_PARAMS, _train_cases, [_train_type, _train_value],
    forbidden=lambda: [training.train], timeout=TRAIN_TIMEOUT,
)


# ----- Lab 6: related movies ----------------------------------------------------------------------

def _distance_cases(rng) -> list[Case]:
    source = np.random.default_rng(6) if rng is None else rng
    lengths = (1, 3, 10) if rng is None else tuple(int(n) for n in rng.integers(1, 60, 3))
    cases = []
    for n in lengths:
        a, b = source.normal(size=n), source.normal(size=n)
        cases.append(Case(f"vectors of length {n}", args=(a, b), expected=cofi.squared_distance(a, b),
                          watch={0: "a", 1: "b"}))
    return cases


def _distance_hint(case, value) -> str:
    if matches(float(to_numpy(value)), np.sqrt(case.expected)):
        return "that is the distance itself; the squared distance leaves out the square root"
    return ""


EXERCISES["squared_distance"] = Exercise(
    "squared_distance", ("a", "b"), _distance_cases, [number_type, close_to_expected(_distance_hint)],
    forbidden=lambda: [cofi.squared_distance, cofi.similar_movies],
)


def _rows_type(case, value):
    rows = np.asarray(to_numpy(value)) if not isinstance(value, list) else np.asarray(value)
    if rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer):
        return (f"returns {describe(value)}, expected a 1-d array of row indices", "integers, one per movie",
                describe(value), "np.argsort gives row indices; keep the first k")
    if len(rows) != case.args[2]:
        return (f"returns {len(rows)} rows, expected k = {case.args[2]}", str(case.args[2]), str(len(rows)), "")
    return None


def _rows_value(case, value):
    rows = np.asarray(to_numpy(value)).tolist()
    expected = case.expected.tolist()
    if rows == expected:
        return None
    movie = case.args[1]
    hint = ("the movie itself is its own closest match at distance 0: leave it out" if movie in rows else
            "sort by distance from the smallest up" if sorted(rows) == sorted(expected) else "")
    return ("wrong movies or order", str(expected), str(rows), hint)


def _closest_cases(rng) -> list[Case]:
    if rng is None:
        X = np.random.default_rng(8).normal(size=(30, 4))
        picks = ((0, 5), (17, 1), (29, 10))
    else:
        X = rng.normal(size=(int(rng.integers(15, 60)), int(rng.integers(2, 8))))
        picks = tuple((int(rng.integers(len(X))), int(rng.integers(1, len(X)))) for _ in range(3))
    return [Case(f"{len(X)} movies, movie {m}, k={k}", args=(X, m, k), expected=cofi.similar_movies(X, m, k)[0],
                 watch={0: "X"}) for m, k in picks]


EXERCISES["closest_movies"] = Exercise(
    "closest_movies", ("X", "movie", "k"), _closest_cases, [_rows_type, _rows_value],
    forbidden=lambda: [cofi.similar_movies, cofi.squared_distance],
)


# ----- What the notebooks call --------------------------------------------------------------------

def _checker(key: str, doc: str):
    def evaluate_exercise(fn) -> CheckResult:
        return evaluate(key, fn)

    def check_exercise(fn) -> None:
        report(evaluate(key, fn))

    evaluate_exercise.__name__, check_exercise.__name__ = f"evaluate_{key}", f"check_{key}"
    evaluate_exercise.__doc__ = check_exercise.__doc__ = doc
    return evaluate_exercise, check_exercise


evaluate_tape_cost, check_tape_cost = _checker("tape_cost", "J(w) = (wx - y)^2 with TensorFlow: value and tape gradient.")
evaluate_hand_derivative, check_hand_derivative = _checker("hand_derivative", "dJ/dw = 2 (wx - y) x.")
evaluate_train_step, check_train_step = _checker("train_step", "Cost under the tape, tape.gradient, apply_gradients.")
evaluate_cofi_cost, check_cofi_cost = _checker("cofi_cost", "The loop version of the collaborative-filtering cost.")
evaluate_cofi_cost_v, check_cofi_cost_v = _checker("cofi_cost_v", "The vectorized TensorFlow cost, differentiable.")
evaluate_grad_X, check_grad_X = _checker("grad_X", "dJ/dX = E W + lambda_ X, with E the masked error.")
evaluate_grad_W, check_grad_W = _checker("grad_W", "dJ/dW = E^T X + lambda_ W.")
evaluate_grad_b, check_grad_b = _checker("grad_b", "dJ/db = the sum of E over movies, shape (1, num_users).")
evaluate_train_cofi, check_train_cofi = _checker("train_cofi", "The training loop: shapes, history, final cost.")
evaluate_squared_distance, check_squared_distance = _checker("squared_distance", "||a - b||^2.")
evaluate_closest_movies, check_closest_movies = _checker("closest_movies", "The k nearest rows, nearest first.")
