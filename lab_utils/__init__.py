"""Helpers for the TensorFlow collaborative-filtering labs: MovieLens data and the reference math."""

from .cofi import (
    check_cofi_inputs, cofi_cost_func, cofi_cost_func_np, cofi_cost_func_v, cofi_gradients,
    predict, similar_movies, squared_distance,
)
from .data import MovieLens, add_user, load_movielens, normalize_ratings, split_ratings, verify_checksums
from .errors import DataError, ShapeError
from .metrics import GlobalMean, MovieMean, rmse
from .training import CofiModel, recommend, train

__all__ = [
    "CofiModel", "DataError", "GlobalMean", "MovieLens", "MovieMean", "ShapeError", "add_user",
    "check_cofi_inputs", "cofi_cost_func", "cofi_cost_func_np", "cofi_cost_func_v", "cofi_gradients",
    "load_movielens", "normalize_ratings", "predict", "recommend", "rmse", "similar_movies",
    "split_ratings", "squared_distance", "train", "verify_checksums",
]
