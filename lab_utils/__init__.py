"""Helpers for the TensorFlow collaborative-filtering labs: MovieLens data and the reference math."""

from .startup import start_tensorflow

start_tensorflow()  # before the modules below import TensorFlow: see startup.py

from .answers import load_answer
from .cofi import (
    check_cofi_inputs, cofi_cost_func, cofi_cost_func_np, cofi_cost_func_v, cofi_gradients,
    predict, similar_movies, squared_distance,
)
from .data import MovieLens, load_movielens, verify_checksums
from .errors import DataError, ShapeError
from .metrics import GlobalMean, MovieMean, rmse
from .model import CofiModel, recommend
from .ratings import add_user, movie_means, normalize_ratings, split_ratings
from .training import train

__all__ = [
    "CofiModel", "DataError", "GlobalMean", "MovieLens", "MovieMean", "ShapeError", "add_user",
    "check_cofi_inputs", "cofi_cost_func", "cofi_cost_func_np", "cofi_cost_func_v", "cofi_gradients",
    "load_answer", "load_movielens", "movie_means", "normalize_ratings", "predict", "recommend", "rmse",
    "similar_movies", "split_ratings", "squared_distance", "start_tensorflow", "train", "verify_checksums",
]
