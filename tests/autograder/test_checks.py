"""autograder.checks: the reference passes every check; typical mistakes fail with their own message."""

import numpy as np
import pytest
import tensorflow as tf

import autograder as ag
from lab_utils import autodiff, cofi, train


def reference_train_cofi(Y, R, num_features, lambda_, iterations, learning_rate, seed):
    model = train(Y, R, num_features=num_features, lambda_=lambda_, iterations=iterations,
                  learning_rate=learning_rate, seed=seed, normalize=False, verbose=False)
    return model.X, model.W, model.b, model.history


REFERENCES = {
    ag.evaluate_tape_cost: autodiff.simple_cost,
    ag.evaluate_hand_derivative: autodiff.simple_cost_derivative,
    ag.evaluate_train_step: autodiff.adam_step,
    ag.evaluate_cofi_cost: cofi.cofi_cost_func,
    ag.evaluate_cofi_cost_v: cofi.cofi_cost_func_v,
    ag.evaluate_grad_X: lambda *a: cofi.cofi_gradients(*a)[0],
    ag.evaluate_grad_W: lambda *a: cofi.cofi_gradients(*a)[1],
    ag.evaluate_grad_b: lambda *a: cofi.cofi_gradients(*a)[2],
    ag.evaluate_train_cofi: reference_train_cofi,
    ag.evaluate_squared_distance: cofi.squared_distance,
    ag.evaluate_closest_movies: lambda X, movie, k: cofi.similar_movies(X, movie, k)[0],
}


@pytest.mark.parametrize("evaluate, reference", REFERENCES.items(), ids=lambda f: getattr(f, "__name__", ""))
def test_reference_passes_every_case(evaluate, reference):
    result = evaluate(reference)
    assert result.passed, str(result)
    assert len(result.cases) >= 1 and "all tests passed" in str(result)


def failing(result):
    assert not result.passed
    return result.cases[-1]


def test_check_raises_assertion_error_with_the_diagnosis():
    with pytest.raises(AssertionError, match=r"twice the expected value: is the 1/2 missing\?"):
        ag.check_cofi_cost(lambda X, W, b, Y, R, lambda_: 2 * cofi.cofi_cost_func_np(X, W, b, Y, R, lambda_))


def test_wrong_signature_is_reported_before_anything_runs():
    case = failing(ag.evaluate_cofi_cost(lambda X, W: 0.0))
    assert case.name == "can be called as the exercise asks"
    assert case.message == "the function takes (X, W), expected (X, W, b, Y, R, lambda_)"


def test_not_a_function():
    assert "expected a function taking (a, b), got int 3" in failing(ag.evaluate_squared_distance(3)).message


def test_unwritten_exercise_says_so():
    def cost(w, x, y):
        raise NotImplementedError()
    case = failing(ag.evaluate_tape_cost(cost))
    assert "NotImplementedError: the exercise is not written yet" in case.message


def test_exception_names_the_learners_line():
    def cofi_cost_func(X, W, b, Y, R, lambda_):
        return np.sum((X @ W + b - Y) * R)  # W not transposed
    case = failing(ag.evaluate_cofi_cost(cofi_cost_func))
    assert case.message.startswith("raised ValueError: matmul")
    assert "return np.sum((X @ W + b - Y) * R)" in case.message


def test_a_function_that_hangs_is_stopped():
    def squared_distance(a, b):
        while True:
            pass
    case = failing(ag.evaluate_squared_distance(squared_distance))
    assert case.message == "did not finish within 10 seconds"


def test_modifying_an_input_in_place_is_reported():
    def grad_b(X, W, b, Y, R, lambda_):
        Y *= R
        return cofi.cofi_gradients(X, W, b, Y, R, lambda_)[2]
    assert failing(ag.evaluate_grad_b(grad_b)).message == "changed its input Y in place"


def test_type_is_checked_before_value():
    case = failing(ag.evaluate_cofi_cost(lambda X, W, b, Y, R, lambda_: (X @ W.T + b - Y) * R))
    assert case.message.startswith("returns ndarray of shape (2, 2)") and "expected a single number" in case.message


def test_shape_is_checked_before_value_and_names_the_notation():
    case = failing(ag.evaluate_grad_b(lambda *a: cofi.cofi_gradients(*a)[2].ravel()))
    assert case.message.startswith("returns shape (2,), expected (1, num_users) = (1, 2)")
    assert "keepdims=True" in case.hint
    case = failing(ag.evaluate_grad_W(lambda *a: cofi.cofi_gradients(*a)[1].T * 1.0))
    assert "expected (num_users, num_features) = (5, 3)" in case.message and case.hint == "it looks transposed"


def test_nan_is_its_own_failure():
    case = failing(ag.evaluate_squared_distance(lambda a, b: float("nan")))
    assert case.message == "returns NaN or inf (and 2 more case(s) fail the same way)"


def test_array_mismatch_names_index_and_largest_difference():
    def grad_X(X, W, b, Y, R, lambda_):
        return cofi.cofi_gradients(X, W, b, Y, R, lambda_)[0] + 1.0
    case = failing(ag.evaluate_grad_X(grad_X))
    assert case.message.startswith("wrong values: first mismatch at index (0, 0)") and "largest difference 1" in case.message


def test_tape_cost_computed_outside_tensorflow_is_caught():
    case = failing(ag.evaluate_tape_cost(lambda w, x, y: float((w * x - y) ** 2)))
    assert "expected a 0-d tensor" in case.message and "hides it from the tape" in case.hint


@pytest.mark.parametrize("wrong, hint", [
    (lambda w, x, y: 2 * (w * x - y), "chain rule"),
    (lambda w, x, y: (w * x - y) * x, "power rule"),
    (lambda w, x, y: -2 * (w * x - y) * x, "sign is flipped"),
])
def test_hand_derivative_mistakes_are_named(wrong, hint):
    assert hint in failing(ag.evaluate_hand_derivative(wrong)).hint


def test_training_step_that_never_applies_gradients():
    def train_step(cost_fn, variables, optimizer):
        with tf.GradientTape() as tape:
            cost = cost_fn()
        tape.gradient(cost, variables)
        return cost
    case = failing(ag.evaluate_train_step(train_step))
    assert case.message.startswith("the costs returned over 3 steps are wrong")


def test_vectorized_cost_in_numpy_is_not_differentiable():
    case = failing(ag.evaluate_cofi_cost_v(cofi.cofi_cost_func_np))
    assert "expected a 0-d tensor" in case.message


def test_closest_movies_that_include_the_movie_itself():
    case = failing(ag.evaluate_closest_movies(lambda X, m, k: np.argsort(np.sum((X - X[m]) ** 2, axis=1))[:k]))
    assert "its own closest match" in case.hint


def test_results_render_as_text_and_html():
    result = ag.evaluate_squared_distance(lambda a, b: np.sqrt(np.sum((a - b) ** 2)))
    text, html = str(result), result._repr_html_()
    assert "[FAIL] vectors of length 1: wrong value" in text and "leaves out the square root" in text
    assert 'class="autograder-result"' in html and "leaves out the square root" in html and "&#10008;" in html
