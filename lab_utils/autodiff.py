"""The reference for the first two labs: J(w) = (wx - y)^2, its derivative, and the two loops.

The lecture's example is w = tf.Variable(3.0), x = y = 1.0, alpha = 0.01 and 30 steps of
``w.assign_add(-alpha * dJdw)``; after them w = 1 + 2 * 0.98^30, about 2.0909.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf


def simple_cost(w, x, y):
    """J(w) = (w x - y)^2, written with operators so it works on floats, arrays and tensors."""
    return (w * x - y) ** 2


def simple_cost_derivative(w, x, y) -> float:
    """dJ/dw = 2 (w x - y) x, derived by hand."""
    return 2.0 * (w * x - y) * x


def gradient_descent_with_tape(w0: float = 3.0, x: float = 1.0, y: float = 1.0, alpha: float = 0.01,
                               iterations: int = 30) -> list[float]:
    """The lecture's loop; returns w before the first step and after each one."""
    w = tf.Variable(w0)
    visited = [float(w.numpy())]
    for _ in range(iterations):
        with tf.GradientTape() as tape:
            cost = simple_cost(w, x, y)
        dJdw = tape.gradient(cost, w)
        w.assign_add(-alpha * dJdw)
        visited.append(float(w.numpy()))
    return visited


def adam_step(cost_fn: Callable[[], tf.Tensor], variables: Sequence[tf.Variable], optimizer) -> tf.Tensor:
    """One training step: the cost under the tape, its gradients, and Adam's update. Returns the cost."""
    with tf.GradientTape() as tape:
        cost = cost_fn()
    grads = tape.gradient(cost, variables)
    optimizer.apply_gradients(zip(grads, variables))
    return cost


def fit_line(x: np.ndarray, y: np.ndarray, optimizer, iterations: int, w0: float = 0.0, b0: float = 0.0,
             step: Callable = adam_step) -> dict[str, list[float]]:
    """Fit y = w x + b by mean squared error with ``optimizer``; return the history of cost, w and b."""
    w, b = tf.Variable(w0, dtype=tf.float64), tf.Variable(b0, dtype=tf.float64)
    x, y = tf.constant(x, dtype=tf.float64), tf.constant(y, dtype=tf.float64)
    history = {"cost": [], "w": [], "b": []}
    for _ in range(iterations):
        cost = step(lambda: tf.reduce_mean((w * x + b - y) ** 2), [w, b], optimizer)
        history["cost"].append(float(cost))
        history["w"].append(float(w.numpy()))
        history["b"].append(float(b.numpy()))
    return history


class GradientDescent:
    """Plain gradient descent with the optimizer interface, so it can stand beside Adam in one loop."""

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate

    def apply_gradients(self, grads_and_vars) -> None:
        for grad, var in grads_and_vars:
            var.assign_sub(self.learning_rate * grad)


def adam(learning_rate: float) -> keras.optimizers.Adam:
    """A new Adam optimizer: one instance must not be reused for a new set of variables."""
    return keras.optimizers.Adam(learning_rate=learning_rate)
