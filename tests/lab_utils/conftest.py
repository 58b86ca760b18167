"""Data the lab_utils tests share: the shipped MovieLens 100K and a folder small enough to read."""

import pytest

from lab_utils import load_movielens


@pytest.fixture(scope="module")
def movielens():
    return load_movielens()


@pytest.fixture
def tiny_folder(tmp_path):
    """A project-layout folder: three users, three movies."""
    (tmp_path / "movies.csv").write_text(
        "movie_id,title,year,genres\n1,Alpha,1990,Drama\n2,\"Beta, The\",,Comedy\n3,Gamma,2001,\n")
    (tmp_path / "ratings.csv").write_text(
        "user_id,movie_id,rating,timestamp\n10,1,5,0\n10,2,3,0\n20,2,4,0\n30,3,1,0\n")
    return tmp_path
