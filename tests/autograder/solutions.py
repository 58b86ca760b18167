"""Correct answers to every exercise, written the way a learner would, independent of lab_utils."""

import keras
import numpy as np
import tensorflow as tf


def cost(w, x, y):
    return (w * x - y) ** 2


def dcost_dw(w, x, y):
    return 2 * (w * x - y) * x


def gradient_descent(w, x, y, alpha, iterations):
    for _ in range(iterations):
        with tf.GradientTape() as tape:
            fwb = w * x
            costJ = (fwb - y) ** 2
        [dJdw] = tape.gradient(costJ, [w])
        w.assign_add(-alpha * dJdw)


def train_step(cost_fn, variables, optimizer):
    with tf.GradientTape() as tape:
        J = cost_fn()
    grads = tape.gradient(J, variables)
    optimizer.apply_gradients(zip(grads, variables))
    return J


def cofi_cost_func(X, W, b, Y, R, lambda_):
    num_movies, num_users = Y.shape
    J = 0.0
    for j in range(num_users):
        for i in range(num_movies):
            J += R[i, j] * (np.dot(W[j, :], X[i, :]) + b[0, j] - Y[i, j]) ** 2
    return J / 2 + lambda_ / 2 * (np.sum(W**2) + np.sum(X**2))


def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    error = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y) * R
    return 0.5 * tf.reduce_sum(error**2) + lambda_ / 2 * (tf.reduce_sum(X**2) + tf.reduce_sum(W**2))


def grad_X(X, W, b, Y, R, lambda_):
    return ((X @ W.T + b - Y) * R) @ W + lambda_ * X


def grad_W(X, W, b, Y, R, lambda_):
    return ((X @ W.T + b - Y) * R).T @ X + lambda_ * W


def grad_b(X, W, b, Y, R, lambda_):
    return np.sum((X @ W.T + b - Y) * R, axis=0, keepdims=True)


def train_cofi(Y, R, num_features, lambda_, iterations, learning_rate, seed):
    num_movies, num_users = Y.shape
    initial = tf.random.Generator.from_seed(seed)
    X = tf.Variable(initial.normal((num_movies, num_features), stddev=0.1))
    W = tf.Variable(initial.normal((num_users, num_features), stddev=0.1))
    b = tf.Variable(tf.zeros((1, num_users)))
    Y, R = tf.constant(Y, dtype=tf.float32), tf.constant(R, dtype=tf.float32)
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            J = cofi_cost_func_v(X, W, b, Y, R, lambda_)
        grads = tape.gradient(J, [X, W, b])
        optimizer.apply_gradients(zip(grads, [X, W, b]))
        return J

    history = [float(step()) for _ in range(iterations)]
    return X, W, b, history


def squared_distance(a, b):
    return np.sum((a - b) ** 2)


def closest_movies(X, movie, k):
    distances = np.sum((X - X[movie]) ** 2, axis=1)
    distances[movie] = np.inf
    return np.argsort(distances)[:k]
