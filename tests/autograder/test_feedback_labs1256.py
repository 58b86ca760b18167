"""Labs 1, 2, 5 and 6: wrong answers that used to pass or get a misleading hint now fail with
words that name what the learner did."""

import numpy as np
import pytest
import tensorflow as tf

import autograder as ag
from autograder import runner
from autograder.exercises import gradient_tape, load

from . import solutions

registry = load()


def failing(result):
    assert not result.passed, str(result)
    return result.cases[-1]


# ----- Lab 5: the training loop ---------------------------------------------------------------

def train_cofi_lambda_one(Y, R, num_features, lambda_, iterations, learning_rate, seed):
    """The loop with lambda_ hard-coded as 1.0 in the cost."""
    return solutions.train_cofi(Y, R, num_features, 1.0, iterations, learning_rate, seed)


def train_cofi_learning_rate_fixed(Y, R, num_features, lambda_, iterations, learning_rate, seed):
    """The loop with Adam's learning rate hard-coded as 0.1."""
    return solutions.train_cofi(Y, R, num_features, lambda_, iterations, 0.1, seed)


def train_cofi_shape_error_in_step(Y, R, num_features, lambda_, iterations, learning_rate, seed):
    """W not transposed, inside the tf.function."""
    X = tf.Variable(tf.zeros((Y.shape[0], num_features)))
    W = tf.Variable(tf.zeros((Y.shape[1], num_features)))
    Y = tf.constant(Y, dtype=tf.float32)

    @tf.function
    def step():
        J = tf.reduce_sum((X @ W - Y) ** 2)
        return J

    history = [float(step()) for _ in range(iterations)]
    return X, W, tf.zeros((1, Y.shape[1])), history


def test_visible_cases_of_the_training_loop_use_lambda_zero_and_a_large_lambda():
    names = [case.name for case in registry.EXERCISES["train_cofi"].cases(None)]
    assert any("lambda_=0," in name for name in names) and any("lambda_=10," in name for name in names)


def test_a_training_loop_that_ignores_lambda_fails_and_says_which_lambda_it_used():
    case = failing(ag.evaluate_train_cofi(train_cofi_lambda_one))
    assert case.message.startswith("history[0], the cost at the start, is wrong")
    assert "the cost with lambda_ = 1, not the lambda_ = 0 you are given" in case.hint


@pytest.mark.parametrize("seed", [3, 17])
def test_a_training_loop_that_ignores_lambda_fails_the_hidden_cases(seed):
    case = failing(registry.evaluate("train_cofi", train_cofi_lambda_one, hidden=True, seed=seed))
    assert "lambda_ = 1, not the lambda_ = 0" in case.hint


def test_a_training_loop_that_ignores_the_learning_rate_fails():
    case = failing(ag.evaluate_train_cofi(train_cofi_learning_rate_fixed))
    assert "differs from the reference's Adam steps" in case.message and "learning_rate you are given (0.2)" in case.hint


@pytest.mark.parametrize("seed", range(100, 108))
def test_the_reference_training_loop_passes_hidden_cases_on_many_seeds(seed):
    result = registry.evaluate("train_cofi", solutions.train_cofi, hidden=True, seed=seed)
    assert result.passed, str(result)
    assert sum("lambda_=0," in case.name for case in result.cases) == 1


def test_the_reference_training_loop_passes_the_visible_cases():
    result = ag.evaluate_train_cofi(solutions.train_cofi)
    assert result.passed and len(result.cases) == 3, str(result)


def test_an_error_inside_the_learners_tf_function_shows_their_line_and_one_sentence():
    case = failing(ag.evaluate_train_cofi(train_cofi_shape_error_in_step))
    assert "J = tf.reduce_sum((X @ W - Y) ** 2)" in case.message
    assert "autograph" not in case.message.lower() and "in user code" not in case.message
    assert "{{node" not in case.message and "\n" not in case.message
    assert case.message.startswith("raised ValueError: Dimensions must be equal")


def test_learner_line_reads_the_line_tensorflow_names_inside_a_tf_function():
    @tf.function
    def step(x):
        return tf.reshape(x, (7,))

    with pytest.raises(Exception) as raised:
        step(tf.zeros((3,)))
    assert runner.learner_line(raised.value).endswith("return tf.reshape(x, (7,))")
    assert "__autograph_generated_file" not in runner.learner_line(raised.value)


# ----- Lab 2: the training step ---------------------------------------------------------------

def train_step_gradient_descent(cost_fn, variables, optimizer):
    with tf.GradientTape() as tape:
        J = cost_fn()
    grads = tape.gradient(J, variables)
    for v, g in zip(variables, grads):
        v.assign_sub(optimizer.learning_rate * g)
    return J


def train_step_rebinds(cost_fn, variables, optimizer):
    with tf.GradientTape() as tape:
        J = cost_fn()
    grads = tape.gradient(J, variables)
    for v, g in zip(variables, grads):
        v = v - optimizer.learning_rate * g  # noqa: F841 (the learner's no-op)
    return J


def train_step_pairs_swapped(cost_fn, variables, optimizer):
    with tf.GradientTape() as tape:
        J = cost_fn()
    grads = tape.gradient(J, variables)
    optimizer.apply_gradients(zip(variables, grads))
    return J


def train_step_cost_outside_tape(cost_fn, variables, optimizer):
    J = cost_fn()
    with tf.GradientTape() as tape:
        pass
    grads = tape.gradient(J, variables)
    optimizer.apply_gradients(zip(grads, variables))
    return J


def test_plain_gradient_descent_is_named_instead_of_blaming_the_returned_cost():
    case = failing(ag.evaluate_train_step(train_step_gradient_descent))
    assert "the variables after 3 steps are wrong" in case.message
    assert "plain gradient descent" in case.hint and "before the update" not in case.hint


def test_a_step_that_rebinds_the_name_says_the_variables_did_not_change():
    case = failing(ag.evaluate_train_step(train_step_rebinds))
    assert "the variables did not change" in case.hint and "`v = v - lr * g`" in case.hint


def test_swapped_pairs_in_apply_gradients_are_said_in_the_learners_terms():
    case = failing(ag.evaluate_train_step(train_step_pairs_swapped))
    assert "_unique_id" not in case.message
    assert "apply_gradients was given (variable, gradient) pairs" in case.message
    assert "zip(grads, variables)" in case.hint


def test_a_cost_computed_outside_the_tape_is_said_in_the_learners_terms():
    case = failing(ag.evaluate_train_step(train_step_cost_outside_tape))
    assert "No gradients provided" not in case.message
    assert "the cost was not computed under the tape" in case.message and "inside the `with tf.GradientTape() as tape:` block" in case.hint


def test_returning_the_cost_after_the_update_still_gets_its_hint():
    def train_step(cost_fn, variables, optimizer):
        solutions.train_step(cost_fn, variables, optimizer)
        return cost_fn()
    case = failing(ag.evaluate_train_step(train_step))
    assert case.message.startswith("the cost returned by the first step is wrong") and "before the update" in case.hint


# ----- Lab 1: the cost under the tape and the hand derivative -----------------------------------

def test_w_instead_of_x_in_the_hand_derivative_is_named():
    case = failing(ag.evaluate_hand_derivative(lambda w, x, y: 2 * (w * x - y) * w))
    assert case.mistake == "w instead of x in the chain rule's factor" and "that is x, not w" in case.hint


def test_a_cost_without_its_square_is_named():
    case = failing(ag.evaluate_tape_cost(lambda w, x, y: w * x - y))
    assert case.mistake == "the square is missing" and "not w x - y" in case.hint


# ----- Lab 1: the lecture's loop ---------------------------------------------------------------

def _loop(w, x, y, alpha, iterations, cost=lambda w, x, y: (w * x - y) ** 2, sign=-1.0, apply="assign_add"):
    """The lecture's loop as a learner writes it, with one thing changed by the keywords."""
    for _ in range(iterations):
        with tf.GradientTape() as tape:
            costJ = cost(w, x, y)
        [dJdw] = tape.gradient(costJ, [w])
        getattr(w, apply)(sign * alpha * dJdw)


def loop_rebinding_w(w, x, y, alpha, iterations):
    for _ in range(iterations):
        with tf.GradientTape() as tape:
            costJ = (w * x - y) ** 2
        dJdw = tape.gradient(costJ, w)
        w = w - alpha * dJdw


def loop_derivative_once(w, x, y, alpha, iterations):
    with tf.GradientTape() as tape:
        costJ = (w * x - y) ** 2
    dJdw = tape.gradient(costJ, w)
    for _ in range(iterations):
        w.assign_add(-alpha * dJdw)


LOOP_MISTAKES = {
    "w did not change": lambda w, x, y, alpha, iterations: w - alpha,
    "the step goes uphill": lambda *a: _loop(*a, sign=1.0),
    "assign instead of assign_add": lambda *a: _loop(*a, apply="assign"),
    "the derivative is taken once, before the loop": loop_derivative_once,
    "one step too few": lambda w, x, y, alpha, iterations: _loop(w, x, y, alpha, iterations - 1),
    "one step too many": lambda w, x, y, alpha, iterations: _loop(w, x, y, alpha, iterations + 1),
    "x is missing from the cost": lambda *a: _loop(*a, cost=lambda w, x, y: (w - y) ** 2),
    "the square is missing from the cost": lambda *a: _loop(*a, cost=lambda w, x, y: w * x - y),
    "alpha is not used": lambda w, x, y, alpha, iterations: _loop(w, x, y, 0.01, iterations),
    "w is rebound to a new tensor instead of changed": loop_rebinding_w,
}


def test_every_named_mistake_of_the_loop_has_a_learner_version():
    assert set(LOOP_MISTAKES) == {name for name, *_ in gradient_tape.LOOP_MISTAKES} | {gradient_tape.REBOUND[0]}


@pytest.mark.parametrize("name", LOOP_MISTAKES)
def test_a_mistake_in_the_lectures_loop_is_named_on_visible_and_hidden_cases(name):
    assert failing(ag.evaluate_tape_loop(LOOP_MISTAKES[name])).mistake == name
    for seed in range(8):
        assert failing(registry.evaluate("tape_loop", LOOP_MISTAKES[name], hidden=True, seed=seed)).mistake == name


def test_the_lectures_loop_is_the_first_case_and_ends_at_2_0910():
    case = registry.EXERCISES["tape_loop"].cases(None)[0]
    assert case.name.startswith("the lecture's loop") and round(case.expected, 4) == 2.0910


def test_a_cost_outside_the_tape_in_the_loop_says_where_the_cost_belongs():
    def gradient_descent(w, x, y, alpha, iterations):
        for _ in range(iterations):
            costJ = (w * x - y) ** 2
            with tf.GradientTape() as tape:
                pass
            w.assign_add(-alpha * tape.gradient(costJ, w))
    case = failing(ag.evaluate_tape_loop(gradient_descent))
    assert "NoneType" in case.message and "inside `with tf.GradientTape() as tape:`" in case.hint and not case.mistake


# ----- Lab 6: the closest movies ----------------------------------------------------------------

def closest_movies_farthest_first(X, movie, k):
    distances = np.sum((X - X[movie]) ** 2, axis=1)
    return np.argsort(distances)[::-1][:k]


def closest_movies_farthest_first_movie_excluded(X, movie, k):
    distances = np.sum((X - X[movie]) ** 2, axis=1)
    distances[movie] = np.inf
    return np.argsort(-distances)[:k]


def closest_movies_axis_0(X, movie, k):
    distances = np.sum((X - X[movie]) ** 2, axis=0)
    return np.argsort(distances)[:k]


@pytest.mark.parametrize("wrong", [closest_movies_farthest_first, closest_movies_farthest_first_movie_excluded])
def test_farthest_first_is_named(wrong):
    case = failing(ag.evaluate_closest_movies(wrong))
    assert case.mistake == "sorted farthest first" and "without reversing" in case.hint


def test_summing_over_axis_0_is_named():
    case = failing(ag.evaluate_closest_movies(closest_movies_axis_0))
    assert case.mistake == "the distances are summed over axis=0" and "sum over axis=1" in case.hint


def test_an_exception_whose_text_cannot_be_read_is_still_reported():
    class Unreadable(ValueError):
        def __str__(self):
            raise RuntimeError("no text")

    def squared_distance(a, b):
        raise Unreadable()
    case = failing(ag.evaluate_squared_distance(squared_distance))
    assert case.message.startswith("raised Unreadable: (its message cannot be read)")


def test_the_loops_named_mistake_crosses_the_sealed_wire():
    from .test_properties import sealed
    assert failing(sealed("tape_loop", loop_rebinding_w)).mistake == gradient_tape.REBOUND[0]
