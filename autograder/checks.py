"""One check per graded exercise. ``check_*`` shows the result and raises AssertionError when
anything is wrong (so nbgrader scores the cell 0); ``evaluate_*`` returns the CheckResult.

Expected values come from lab_utils' reference at check time, never typed in here.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lab_utils import autodiff, cofi
from lab_utils.train import train

from .engine import Case, array_of_shape, close_to_expected, describe, finite, number_type, run_check, to_numpy
from .result import CaseResult, CheckResult
from .runner import Outcome, call

TIMEOUT = 10.0
"""Seconds one call of a learner's function may take (training gets more)."""

COFI_PARAMS = ("X", "W", "b", "Y", "R", "lambda_")
COFI_WATCH = dict(enumerate(("X", "W", "b", "Y", "R")))


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


def _taped(w0, x, y):
    def run(fn) -> Outcome:
        w = tf.Variable(w0)
        with tf.GradientTape() as tape:
            outcome = call(fn, (w, x, y), timeout=TIMEOUT)
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
    return close_to_expected()(Case(case.name, expected=case.expected, rtol=1e-5), np.array([float(cost), float(gradient)]))


def evaluate_tape_cost(cost) -> CheckResult:
    cases = [Case(f"w={w}, x={x}, y={y}", run=_taped(w, x, y),
                  expected=np.array([autodiff.simple_cost(w, x, y), autodiff.simple_cost_derivative(w, x, y)]))
             for w, x, y in SIMPLE_CASES]
    return run_check("cost under the tape", cost, ("w", "x", "y"), cases, [_tape_type, _tape_value], TIMEOUT)


def check_tape_cost(cost) -> None:
    """Check J(w) = (wx - y)^2 written with TensorFlow, value and tape gradient [cost, dJ/dw]."""
    report(evaluate_tape_cost(cost))


def evaluate_hand_derivative(dcost_dw) -> CheckResult:
    cases = [Case(f"w={w}, x={x}, y={y}", args=(w, x, y), expected=autodiff.simple_cost_derivative(w, x, y))
             for w, x, y in SIMPLE_CASES]
    return run_check("hand derivative dJ/dw", dcost_dw, ("w", "x", "y"), cases,
                     [number_type, close_to_expected(_derivative_hint)], TIMEOUT)


def _derivative_hint(case, value) -> str:
    w, x, y = case.args
    actual = float(to_numpy(value))
    if np.isclose(actual, 2 * (w * x - y)):
        return "the chain rule also multiplies by the derivative of the inside, w x - y, which is x"
    if np.isclose(actual, (w * x - y) * x):
        return "the power rule brings down the exponent: d/du u^2 = 2u"
    if np.isclose(actual, -case.expected):
        return "the sign is flipped: J grows when w x moves away from y"
    return ""


def check_hand_derivative(dcost_dw) -> None:
    """Check dJ/dw = 2 (wx - y) x."""
    report(evaluate_hand_derivative(dcost_dw))


# ----- Lab 2: one Adam training step --------------------------------------------------------------

def _step_problem(kind: str):
    """A fresh problem: (variables, cost function) for J(w) or the (w, b) line fit."""
    if kind == "J(w)":
        w = tf.Variable(3.0)
        return [w], lambda: autodiff.simple_cost(w, 1.0, 1.0)
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    y = 2.0 * x + 1.0
    w, b = tf.Variable(0.5), tf.Variable(-1.0)
    return [w, b], lambda: tf.reduce_mean((w * x + b - y) ** 2)


def _steps(kind: str, learning_rate: float, steps: int = 3):
    def run(fn) -> Outcome:
        variables, cost_fn = _step_problem(kind)
        optimizer = autodiff.adam(learning_rate)
        costs = []
        for _ in range(steps):
            outcome = call(fn, (cost_fn, variables, optimizer), timeout=TIMEOUT)
            if outcome.error:
                return outcome
            costs.append(outcome.value)
        return Outcome(value=(costs, [v.numpy() for v in variables]))
    return run


def _reference_steps(kind: str, learning_rate: float, steps: int = 3):
    return _steps(kind, learning_rate, steps)(autodiff.adam_step).value


def _step_type(case, value):
    costs, _ = value
    for cost in costs:
        if not is_cost(cost):
            return (f"returns {describe(cost)}, expected the cost as a single number", "a 0-d tensor or a float",
                    describe(cost), "return the cost computed under the tape")
    return None


def is_cost(value) -> bool:
    return number_type(None, value) is None


def _step_value(case, value):
    costs, variables = value
    expected_costs, expected_variables = case.expected
    problem = close_to_expected()(Case(case.name, expected=np.array(expected_costs), rtol=1e-5),
                                  np.array([float(to_numpy(c)) for c in costs]))
    if problem:
        return ("the costs returned over 3 steps are wrong",) + problem[1:3] + (
            "return the cost computed under the tape, before the update",)
    moved = [not np.allclose(v, e, rtol=1e-5) for v, e in zip(variables, expected_variables)]
    if any(moved):
        start, _ = _step_problem(case.info["kind"])
        unchanged = all(np.allclose(v, s.numpy()) for v, s in zip(variables, start))
        hint = ("the variables did not change: pass zip(grads, variables) to optimizer.apply_gradients"
                if unchanged else "use tape.gradient(cost, variables) and the optimizer you are given, once per step")
        return ("the variables after 3 steps are wrong", short_list(expected_variables), short_list(variables), hint)
    return None


def short_list(values) -> str:
    return ", ".join(f"{float(v):.6g}" for v in values)


def evaluate_train_step(train_step) -> CheckResult:
    cases = [Case(f"3 Adam steps on {kind}, learning rate {lr}", run=_steps(kind, lr),
                  expected=_reference_steps(kind, lr), info={"kind": kind})
             for kind, lr in (("J(w)", 0.1), ("the line fit (w, b)", 0.05))]
    return run_check("training step", train_step, ("cost_fn", "variables", "optimizer"), cases,
                     [_step_type, _step_value], TIMEOUT)


def check_train_step(train_step) -> None:
    """Check one step: cost under the tape, tape.gradient, optimizer.apply_gradients; returns the cost."""
    report(evaluate_train_step(train_step))


# ----- Lab 3 and 4: the collaborative-filtering cost and its gradients ----------------------------

def _cofi_arrays(rng, num_movies, num_users, num_features, density=0.5):
    X = rng.normal(size=(num_movies, num_features))
    W = rng.normal(size=(num_users, num_features))
    b = rng.normal(size=(1, num_users))
    R = (rng.random((num_movies, num_users)) < density).astype(float)
    Y = rng.integers(1, 6, size=(num_movies, num_users)).astype(float)  # unrated entries hold ratings too
    return X, W, b, Y, R


def cofi_inputs(tensors: bool = False) -> list[tuple[str, tuple, float]]:
    """(name, (X, W, b, Y, R), lambda_) for every visible case of the cost and gradient checks."""
    rng = np.random.default_rng(2024)
    hand = (np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 1.0], [2.0, 0.0]]), np.array([[0.0, 1.0]]),
            np.array([[1.0, 4.0], [2.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
    random = _cofi_arrays(rng, 7, 5, 3)
    lonely = _cofi_arrays(rng, 6, 4, 2)
    lonely[4][:, 1] = 0.0  # a user who rated nothing
    lonely[4][3, :] = 0.0  # a movie nobody rated
    inputs = [
        ("2 movies x 2 users, by hand, lambda_=0", hand, 0.0),
        ("2 movies x 2 users, by hand, lambda_=2", hand, 2.0),
        ("7 movies x 5 users x 3 features, unrated entries hold ratings, lambda_=0", random, 0.0),
        ("7 movies x 5 users x 3 features, lambda_=1.5", random, 1.5),
        ("a user and a movie without ratings, lambda_=1", lonely, 1.0),
        ("float32 inputs, lambda_=0.5", tuple(a.astype(np.float32) for a in random), 0.5),
    ]
    if tensors:
        inputs.append(("tf.Variable inputs, lambda_=1", tuple(tf.Variable(a) for a in random), 1.0))
    return inputs


def _cofi_cases(reference, tensors: bool) -> list[Case]:
    cases = []
    for name, arrays, lambda_ in cofi_inputs(tensors):
        float32 = to_numpy(arrays[0]).dtype == np.float32
        as_numpy = tuple(to_numpy(a).astype(np.float64) for a in arrays)
        cases.append(Case(name, args=(*arrays, lambda_), expected=reference(*as_numpy, lambda_),
                          watch=COFI_WATCH, rtol=1e-4 if float32 else 1e-6, info={"lambda_": lambda_}))
    return cases


def _cost_hint(case, value) -> str:
    ratio = float(to_numpy(value)) / case.expected if case.expected else np.inf
    if np.isclose(ratio, 2.0):
        return "your cost is exactly twice the expected value: is the 1/2 missing?"
    if np.isclose(ratio, 0.5):
        return "your cost is exactly half the expected value: is the 1/2 applied twice?"
    return ""


def evaluate_cofi_cost(cofi_cost_func) -> CheckResult:
    return run_check("cofi_cost_func (loops)", cofi_cost_func, COFI_PARAMS, _cofi_cases(cofi.cofi_cost_func_np, False),
                     [number_type, close_to_expected(_cost_hint)], TIMEOUT)


def check_cofi_cost(cofi_cost_func) -> None:
    """Check the loop version of the collaborative-filtering cost."""
    report(evaluate_cofi_cost(cofi_cost_func))


def _tensor_cost_type(case, value):
    if not tf.is_tensor(value) or tuple(value.shape) != ():
        return (f"returns {describe(value)}, expected a 0-d tensor", "a 0-d tf.Tensor", describe(value),
                "use tf operations (tf.linalg.matmul, tf.reduce_sum) so GradientTape can differentiate the cost")
    return None


def evaluate_cofi_cost_v(cofi_cost_func_v) -> CheckResult:
    result = run_check("cofi_cost_func_v (vectorized, TensorFlow)", cofi_cost_func_v, COFI_PARAMS,
                       _cofi_cases(cofi.cofi_cost_func_np, True), [_tensor_cost_type, close_to_expected(_cost_hint)],
                       TIMEOUT)
    if result.passed:
        _check_tape_through(result, cofi_cost_func_v)
    return result


def _check_tape_through(result: CheckResult, fn) -> None:
    """After the values are right: a tape around the learner's cost must reach X, W and b."""
    name, arrays, lambda_ = cofi_inputs(tensors=True)[-1]
    variables = [tf.Variable(a) for a in arrays[:3]]
    with tf.GradientTape() as tape:
        cost = fn(*variables, *arrays[3:], lambda_)
    grads = tape.gradient(cost, variables)
    missing = [n for n, g in zip("XWb", grads) if g is None]
    result.add(CaseResult("GradientTape differentiates it with respect to X, W and b", not missing,
                          "" if not missing else f"no gradient for {', '.join(missing)}",
                          hint="" if not missing else "compute the cost from the variables with tf operations"))


def check_cofi_cost_v(cofi_cost_func_v) -> None:
    """Check the vectorized TensorFlow cost: values, a 0-d tensor, and a tape can differentiate it."""
    report(evaluate_cofi_cost_v(cofi_cost_func_v))


def _gradient_check(name: str, index: int, shape_name: str):
    def evaluate(fn) -> CheckResult:
        reference = lambda *a: cofi.cofi_gradients(*a)[index]
        return run_check(name, fn, COFI_PARAMS, _cofi_cases(reference, False),
                         [array_of_shape(shape_name), close_to_expected()], TIMEOUT)
    return evaluate


evaluate_grad_X = _gradient_check("dJ/dX", 0, "(num_movies, num_features)")
evaluate_grad_W = _gradient_check("dJ/dW", 1, "(num_users, num_features)")
evaluate_grad_b = _gradient_check("dJ/db", 2, "(1, num_users)")


def check_grad_X(grad_X) -> None:
    """Check dJ/dX = E W + lambda_ X with E the masked error."""
    report(evaluate_grad_X(grad_X))


def check_grad_W(grad_W) -> None:
    """Check dJ/dW = E^T X + lambda_ W."""
    report(evaluate_grad_W(grad_W))


def check_grad_b(grad_b) -> None:
    """Check dJ/db = the sum of E over movies, shape (1, num_users)."""
    report(evaluate_grad_b(grad_b))


# ----- Lab 5: the training loop -------------------------------------------------------------------

TRAIN_SETTINGS = dict(num_features=4, lambda_=1.0, iterations=150, learning_rate=0.1, seed=3)
TRAIN_TIMEOUT = 120.0


def _training_problem():
    rng = np.random.default_rng(11)
    X, W, b, _, R = _cofi_arrays(rng, 30, 20, 3, density=0.4)
    Y = np.clip(np.round(X @ W.T + b + 3), 1, 5) * R
    return Y - (Y.sum(1, keepdims=True) / np.maximum(R.sum(1, keepdims=True), 1)) * R, R


def _train_type(case, value):
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        return (f"returns {describe(value)}, expected the tuple (X, W, b, history)", "(X, W, b, history)",
                describe(value), "end with `return X, W, b, history`")
    Y, R = case.args[:2]
    s = case.args[2]
    shapes = {"X": (Y.shape[0], s), "W": (Y.shape[1], s), "b": (1, Y.shape[1])}
    for (name, shape), array in zip(shapes.items(), value[:3]):
        if tuple(np.shape(to_numpy(array))) != shape:
            return (f"{name} has shape {tuple(np.shape(to_numpy(array)))}, expected {shape}", str(shape),
                    str(tuple(np.shape(to_numpy(array)))), "")
    if len(value[3]) != case.args[4]:
        return (f"history has {len(value[3])} entries, expected one cost per iteration ({case.args[4]})",
                str(case.args[4]), str(len(value[3])), "append the cost once in every iteration")
    return None


def _train_value(case, value):
    X, W, b, history = (to_numpy(v) if i < 3 else np.array([float(to_numpy(h)) for h in v]) for i, v in enumerate(value))
    problem = finite(case, history)
    if problem:
        return problem
    Y, R, _, lambda_ = case.args[:4]
    final = cofi.cofi_cost_func_np(X.astype(float), W.astype(float), b.astype(float), Y, R, lambda_)
    if not history[-1] < 0.5 * history[0]:
        return ("the cost barely went down", f"below {0.5 * history[0]:.4g}", f"{history[-1]:.4g}",
                "apply the gradients with optimizer.apply_gradients(zip(grads, [X, W, b])) in every iteration")
    if final > 1.1 * case.expected + 1e-6:
        return ("the trained X, W and b cost more than the reference reaches with the same settings",
                f"at most {1.1 * case.expected:.4g}", f"{final:.4g}",
                "use the learning rate and lambda_ you are given, and return the trained variables")
    return None


def evaluate_train_cofi(train_cofi) -> CheckResult:
    Y, R = _training_problem()
    s = TRAIN_SETTINGS
    reference = train(Y, R, num_features=s["num_features"], lambda_=s["lambda_"], learning_rate=s["learning_rate"],
                      iterations=s["iterations"], seed=s["seed"], normalize=False, verbose=False)
    expected = cofi.cofi_cost_func_np(reference.X, reference.W, reference.b, Y, R, s["lambda_"])
    args = (Y, R, s["num_features"], s["lambda_"], s["iterations"], s["learning_rate"], s["seed"])
    case = Case("30 movies x 20 users, 4 features, 150 iterations", args=args, expected=expected,
                watch={0: "Y", 1: "R"})
    return run_check("train_cofi", train_cofi,
                     ("Y", "R", "num_features", "lambda_", "iterations", "learning_rate", "seed"),
                     [case], [_train_type, _train_value], TRAIN_TIMEOUT)


def check_train_cofi(train_cofi) -> None:
    """Check the training loop: shapes, one cost per iteration, and a cost as low as the reference's."""
    report(evaluate_train_cofi(train_cofi))


# ----- Lab 6: related movies ----------------------------------------------------------------------

def evaluate_squared_distance(squared_distance) -> CheckResult:
    rng = np.random.default_rng(6)
    cases = []
    for n in (1, 3, 10):
        a, b = rng.normal(size=n), rng.normal(size=n)
        cases.append(Case(f"vectors of length {n}", args=(a, b), expected=cofi.squared_distance(a, b),
                          watch={0: "a", 1: "b"}))
    return run_check("squared_distance", squared_distance, ("a", "b"), cases,
                     [number_type, close_to_expected(_distance_hint)], TIMEOUT)


def _distance_hint(case, value) -> str:
    if np.isclose(float(to_numpy(value)), np.sqrt(case.expected)):
        return "that is the distance itself; the squared distance leaves out the square root"
    return ""


def check_squared_distance(squared_distance) -> None:
    """Check ||a - b||^2."""
    report(evaluate_squared_distance(squared_distance))


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


def evaluate_closest_movies(closest_movies) -> CheckResult:
    rng = np.random.default_rng(8)
    X = rng.normal(size=(30, 4))
    cases = [Case(f"30 movies, movie {m}, k={k}", args=(X, m, k), expected=cofi.similar_movies(X, m, k)[0],
                  watch={0: "X"}) for m, k in ((0, 5), (17, 1), (29, 10))]
    return run_check("closest_movies", closest_movies, ("X", "movie", "k"), cases, [_rows_type, _rows_value], TIMEOUT)


def check_closest_movies(closest_movies) -> None:
    """Check the k rows of X nearest to a movie, nearest first, the movie itself left out."""
    report(evaluate_closest_movies(closest_movies))
