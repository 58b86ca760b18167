"""Deliberately wrong answers to Labs 3 and 4 (and Lab 1's loop), each with the words its feedback must contain.

Every entry is (grade id of the exercise cell, the learner's cell, a phrase of the diagnosis).
WRONG names one mistake from the issue's list per entry; CHEATS are attempts to pass without
a right answer. ``submissions()`` packs them so that each exercise has at most one wrong answer
per submission, which keeps the nbgrader round trip short.
"""

LOOP_HEAD = '''def cofi_cost_func(X, W, b, Y, R, lambda_):
    num_movies, num_users = Y.shape
    J = 0.0
'''

WRONG = {
    "half-missing": ("cofi-cost-loops", LOOP_HEAD + '''    for j in range(num_users):
        for i in range(num_movies):
            J += R[i, j] * (np.dot(W[j, :], X[i, :]) + b[0, j] - Y[i, j]) ** 2
    J += (lambda_ / 2) * (np.sum(np.square(W)) + np.sum(np.square(X)))
    return J
''', "is the 1/2 missing?"),
    "lambda-missing": ("cofi-cost-loops", LOOP_HEAD + '''    for j in range(num_users):
        for i in range(num_movies):
            J += R[i, j] * (np.dot(W[j, :], X[i, :]) + b[0, j] - Y[i, j]) ** 2
    J = J / 2 + (np.sum(np.square(W)) + np.sum(np.square(X))) / 2
    return J
''', "does not change with lambda_"),
    "regularization-inside-loop": ("cofi-cost-loops", LOOP_HEAD + '''    for j in range(num_users):
        for i in range(num_movies):
            J += R[i, j] * (np.dot(W[j, :], X[i, :]) + b[0, j] - Y[i, j]) ** 2 / 2
        J += (lambda_ / 2) * (np.sum(np.square(W)) + np.sum(np.square(X)))
    return J
''', "counted once per user"),
    "b-left-out": ("cofi-cost-loops", LOOP_HEAD + '''    for j in range(num_users):
        for i in range(num_movies):
            J += R[i, j] * (np.dot(W[j, :], X[i, :]) - Y[i, j]) ** 2
    J = J / 2 + (lambda_ / 2) * (np.sum(np.square(W)) + np.sum(np.square(X)))
    return J
''', "b is missing"),
    "not-squared": ("cofi-cost-loops", LOOP_HEAD + '''    for j in range(num_users):
        for i in range(num_movies):
            J += R[i, j] * (np.dot(W[j, :], X[i, :]) + b[0, j] - Y[i, j])
    J = J / 2 + (lambda_ / 2) * (np.sum(np.square(W)) + np.sum(np.square(X)))
    return J
''', "square each error"),
    "half-applied-twice": ("cofi-cost-vectorized", '''def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    j = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y) * R
    J = 0.5 * (0.5 * tf.reduce_sum(j ** 2)) + (lambda_ / 2) * (tf.reduce_sum(X ** 2) + tf.reduce_sum(W ** 2))
    return J
''', "is the 1/2 applied twice?"),
    "R-ignored": ("cofi-cost-vectorized", '''def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    j = tf.linalg.matmul(X, tf.transpose(W)) + b - Y
    J = 0.5 * tf.reduce_sum(j ** 2) + (lambda_ / 2) * (tf.reduce_sum(X ** 2) + tf.reduce_sum(W ** 2))
    return J
''', "entries with R = 0 count in your cost"),
    "b-regularized": ("cofi-cost-vectorized", '''def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    j = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y) * R
    J = 0.5 * tf.reduce_sum(j ** 2) + (lambda_ / 2) * (tf.reduce_sum(X ** 2) + tf.reduce_sum(W ** 2) + tf.reduce_sum(b ** 2))
    return J
''', "only W and X are regularized"),
    "transposed": ("cofi-cost-vectorized", '''def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    j = (tf.linalg.matmul(W, tf.transpose(X)) + b - Y) * R
    J = 0.5 * tf.reduce_sum(j ** 2) + (lambda_ / 2) * (tf.reduce_sum(X ** 2) + tf.reduce_sum(W ** 2))
    return J
''', "is X or W transposed?"),
    "gradient-sign": ("grad-X", '''def grad_X(X, W, b, Y, R, lambda_):
    E = (Y - (X @ W.T + b)) * R
    return E @ W + lambda_ * X
''', "the error is prediction - y, not y - prediction"),
    "gradient-missing-mask": ("grad-W", '''def grad_W(X, W, b, Y, R, lambda_):
    E = X @ W.T + b - Y
    return E.T @ X + lambda_ * W
''', "multiply the error by R"),
    "bias-gradient-wrong-axis": ("grad-b", '''def grad_b(X, W, b, Y, R, lambda_):
    E = (X @ W.T + b - Y) * R
    return np.sum(E, axis=1, keepdims=True)
''', "sum the errors over the movies (axis=0)"),
}


LOOP = {
    "rebinding-w": ("tape-loop", '''def gradient_descent(w, x, y, alpha, iterations):
    for iteration in range(iterations):
        with tf.GradientTape() as tape:
            fwb = w * x
            costJ = (fwb - y) ** 2
        [dJdw] = tape.gradient(costJ, [w])
        w = w - alpha * dJdw
''', "known mistake: w is rebound to a new tensor instead of changed"),
    "uphill": ("tape-loop", '''def gradient_descent(w, x, y, alpha, iterations):
    for iteration in range(iterations):
        with tf.GradientTape() as tape:
            costJ = (w * x - y) ** 2
        [dJdw] = tape.gradient(costJ, [w])
        w.assign_add(alpha * dJdw)
''', "known mistake: the step goes uphill"),
    "tape-outside-the-loop": ("tape-loop", '''def gradient_descent(w, x, y, alpha, iterations):
    with tf.GradientTape() as tape:
        costJ = (w * x - y) ** 2
    [dJdw] = tape.gradient(costJ, [w])
    for iteration in range(iterations):
        w.assign_add(-alpha * dJdw)
''', "known mistake: the derivative is taken once, before the loop"),
    "cost-outside-the-tape": ("tape-loop", '''def gradient_descent(w, x, y, alpha, iterations):
    for iteration in range(iterations):
        costJ = (w * x - y) ** 2
        with tf.GradientTape() as tape:
            pass
        [dJdw] = tape.gradient(costJ, [w])
        w.assign_add(-alpha * dJdw)
''', "compute the cost from w itself inside `with tf.GradientTape() as tape:`"),
    "range-minus-one": ("tape-loop", '''def gradient_descent(w, x, y, alpha, iterations):
    for iteration in range(1, iterations):
        with tf.GradientTape() as tape:
            costJ = (w * x - y) ** 2
        w.assign_add(-alpha * tape.gradient(costJ, w))
''', "known mistake: one step too few"),
}
"""Lab 1's loop (the lecture's centrepiece) written wrong in the ways learners do; checked
directly in test_catalogue.py, and the first one through nbgrader in tests/notebooks."""


def hard_coded_grad_X() -> str:
    """grad_X that looks its answer up in a table of the visible cases."""
    import numpy as np
    from autograder.exercises import load
    answers = {}
    for case in load().EXERCISES["grad_X"].cases(None):
        Y, lambda_ = case.args[3], case.args[5]
        answers[(Y.shape, float(lambda_), str(np.asarray(Y).dtype))] = np.asarray(case.expected).tolist()
    return ("_ANSWERS = " + repr(answers) + "\n\n\ndef grad_X(X, W, b, Y, R, lambda_):\n"
            "    return np.array(_ANSWERS[(Y.shape, float(lambda_), str(np.asarray(Y).dtype))])\n")


CHEATS = {
    "hard-coded": ("grad-X", hard_coded_grad_X, "hidden case"),
    "calls-reference": ("grad-W", '''from lab_utils.cofi import cofi_gradients


def grad_W(X, W, b, Y, R, lambda_):
    return cofi_gradients(X, W, b, Y, R, lambda_)[1]
''', "calls the reference solution"),
    "redefines-check": ("cofi-cost-vectorized", '''def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    j = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y) * R
    return tf.reduce_sum(j ** 2) + lambda_ * (tf.reduce_sum(X ** 2) + tf.reduce_sum(W ** 2))


def check_cofi_cost_v(fn):
    print("all tests passed")


np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
''', "is the 1/2 missing?"),
}

LOCKED_CELL_EDIT = ("grad-b", "test-grad-b", '''def grad_b(X, W, b, Y, R, lambda_):
    return np.sum((X @ W.T + b - Y) * R, axis=0, keepdims=True) + 1.0
''', "pass  # the learner emptied the check")


def submissions() -> list[dict[str, tuple[str, str]]]:
    """Submissions as {exercise grade id: (entry name, learner's source)}, no exercise twice."""
    entries = [(name, grade_id, source() if callable(source) else source)
               for name, (grade_id, source, _) in {**WRONG, **CHEATS}.items()]
    packed: list[dict[str, tuple[str, str]]] = []
    for name, grade_id, source in entries:
        for submission in packed:
            if grade_id not in submission:
                submission[grade_id] = (name, source)
                break
        else:
            packed.append({grade_id: (name, source)})
    return packed


def expected_phrase(name: str) -> str:
    return {**WRONG, **CHEATS}[name][2]
