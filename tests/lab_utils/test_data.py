"""lab_utils.data: the shipped MovieLens 100K, GroupLens' other layouts, splits, new users."""

import re
import shutil
import warnings

import numpy as np
import pytest

from lab_utils import DataError, add_user, load_movielens, normalize_ratings, split_ratings, verify_checksums
from lab_utils.data import movie_means
from lab_utils.data import CHECKSUMS, SHIPPED_DIR


@pytest.fixture(scope="module")
def movielens():
    return load_movielens()


def test_shipped_data_has_the_published_counts(movielens):
    assert (movielens.num_ratings, movielens.num_users, movielens.num_movies) == (100_000, 943, 1_682)
    assert movielens.Y.shape == movielens.R.shape == (1_682, 943)
    assert movielens.R.sum() == 100_000
    assert set(np.unique(movielens.Y[movielens.R == 1])) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert np.all(movielens.Y[movielens.R == 0] == 0)


def test_movie_table_counts_and_means_match_Y(movielens):
    movies = movielens.movies
    assert list(movies.columns) == ["movie_id", "title", "year", "genres", "num_ratings", "mean_rating"]
    np.testing.assert_array_equal(movies["num_ratings"], movielens.R.sum(axis=1))
    np.testing.assert_allclose(movies["mean_rating"], movielens.Y.sum(axis=1) / movielens.R.sum(axis=1))
    toy_story = movies.iloc[movielens.movie_row(1)]
    assert (toy_story["title"], toy_story["year"], toy_story["genres"]) == ("Toy Story", 1995, "Animation|Children's|Comedy")
    assert toy_story["num_ratings"] == 452


def test_ids_map_to_rows_and_columns(movielens):
    row, col = movielens.movie_row(50), movielens.user_col(196)
    assert movielens.movie_ids[row] == 50 and movielens.user_ids[col] == 196
    rating = movielens.ratings.query("user_id == 196 and movie_id == 242")["rating"].item()
    assert movielens.Y[movielens.movie_row(242), col] == rating == 3


def test_checksums_in_readme_match_the_loader():
    readme = (SHIPPED_DIR / "README.md").read_text()
    listed = dict(re.findall(r"\| `(\w+\.csv)` \| `([0-9a-f]{64})` \|", readme))
    assert listed == CHECKSUMS


def test_changed_file_fails_its_checksum(tmp_path, monkeypatch):
    for name in CHECKSUMS:
        shutil.copy(SHIPPED_DIR / name, tmp_path / name)
    with open(tmp_path / "ratings.csv", "a") as f:
        f.write("1,1682,4,874965758\n")
    monkeypatch.setenv("LAB_UTILS_DATA", str(tmp_path))
    with pytest.raises(DataError, match=r"ratings.csv does not match its checksum: expected SHA-256 12a39ea6"):
        load_movielens()
    assert load_movielens(verify=False).num_ratings == 100_001


def test_missing_shipped_file_is_named(tmp_path):
    shutil.copy(SHIPPED_DIR / "ratings.csv", tmp_path / "ratings.csv")
    with pytest.raises(FileNotFoundError, match=r"movies.csv is missing"):
        verify_checksums(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"movies.csv is missing"):
        load_movielens(tmp_path)


def test_folder_without_movielens_files_says_what_is_expected(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"expected ratings.csv and movies.csv .* or u.data and u.item"):
        load_movielens(tmp_path)


def write(folder, name, text, encoding="utf-8"):
    (folder / name).write_text(text, encoding=encoding)
    return folder


@pytest.fixture
def tiny(tmp_path):
    """A project-layout folder: three users, three movies."""
    write(tmp_path, "movies.csv", "movie_id,title,year,genres\n1,Alpha,1990,Drama\n2,\"Beta, The\",,Comedy\n3,Gamma,2001,\n")
    return write(tmp_path, "ratings.csv", "user_id,movie_id,rating,timestamp\n10,1,5,0\n10,2,3,0\n20,2,4,0\n30,3,1,0\n")


def test_project_layout_from_a_folder(tiny):
    data = load_movielens(tiny)
    np.testing.assert_array_equal(data.Y, [[5, 0, 0], [3, 4, 0], [0, 0, 1]])
    assert data.movie_row("beta, the") == 1 and np.isnan(data.movies["year"].astype(float)[1])


@pytest.mark.parametrize(
    "ratings, message",
    [
        ("user_id,movie_id,rating,timestamp\n10,1,5,0\n10,2,abc,0\n", r"ratings.csv line 3: rating 'abc' is not a number"),
        ("user_id,movie_id,rating,timestamp\n10,1,5,0\nx,2,4,0\n", r"ratings.csv line 3: user_id 'x' is not a whole number"),
        ("user_id,movie_id,rating,timestamp\n10,1,5,0\n10,2,4\n", r"ratings.csv line 3: timestamp is missing \(a short row or an empty field\)"),
        ("user_id,movie_id,rating,timestamp\n10,1,5,0\n10,2,4,0,9\n", r"ratings.csv is malformed: .*Expected 4 fields in line 3, saw 5"),
        ("user_id,movie_id,rating,timestamp\n10,1,5,0\n10,2,6,0\n", r"ratings.csv line 3: rating 6 is outside the scale 1 to 5"),
        ("user_id,movie_id,rating,timestamp\n10,1,0,0\n", r"ratings.csv line 2: rating 0 is outside the scale 1 to 5"),
        ("user_id,movie_id,rating,timestamp\n10,1,5,0\n10,1,4,0\n", r"ratings.csv line 3: user 10 rates movie 1 a second time"),
        ("user_id,movie_id,rating,timestamp\n10,9,5,0\n", r"ratings.csv line 2: movie 9 is not in the movie list"),
        ("user,movie,rating,timestamp\n10,1,5,0\n", r"ratings.csv lacks the column\(s\) user_id, movie_id: expected a header"),
    ],
    ids=["rating-not-number", "id-not-number", "short-row", "long-row", "rating-above-scale",
         "rating-below-scale", "duplicate-rating", "unknown-movie", "wrong-header"],
)
def test_malformed_ratings_file_names_the_line_and_problem(tiny, ratings, message):
    write(tiny, "ratings.csv", ratings)
    with pytest.raises(DataError, match=message):
        load_movielens(tiny)


def test_malformed_movies_file_names_the_line(tiny):
    write(tiny, "movies.csv", "movie_id,title,year,genres\n1,Alpha,1990,Drama\n2,Beta,nineteen,Comedy\n3,Gamma,2001,\n")
    with pytest.raises(DataError, match=r"movies.csv line 3: year 'nineteen' is not a whole number"):
        load_movielens(tiny)
    write(tiny, "movies.csv", "movie_id,title,year,genres\n1,Alpha,1990,Drama\n1,Beta,1991,Comedy\n")
    with pytest.raises(DataError, match=r"has movie id 1 twice"):
        load_movielens(tiny)


def test_grouplens_ml100k_layout(tmp_path):
    flags = lambda *on: "|".join("1" if i in on else "0" for i in range(19))
    write(tmp_path, "u.item",
          f"1|Toy Story (1995)|01-Jan-1995||http://x|{flags(3, 4, 5)}\n"
          f"2|Caf\xe9 Society (1995)|unknown||http://x|{flags(8)}\n", encoding="latin-1")
    write(tmp_path, "u.data", "196\t1\t3\t881250949\n186\t2\t5\t891717742\n196\t2\t1\t881250950\n")
    data = load_movielens(tmp_path)
    assert data.num_ratings == 3 and data.num_users == 2
    assert data.movies["title"].tolist() == ["Toy Story", "Café Society"]
    assert data.movies["genres"].tolist() == ["Animation|Children's|Comedy", "Drama"]
    assert data.movies["year"].iloc[0] == 1995 and data.movies["year"].isna().iloc[1]
    write(tmp_path, "u.data", "196\t1\t3\t881250949\n186\t2\t7\t891717742\n")
    with pytest.raises(DataError, match=r"u.data line 2: rating 7 is outside the scale 1 to 5"):
        load_movielens(tmp_path)


def test_grouplens_latest_layout_with_half_stars(tmp_path):
    write(tmp_path, "movies.csv",
          'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,"American President, The (1995)",Comedy\n'
          "3,Cosmos,(no genres listed)\n")
    write(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.5,964982703\n2,2,0.5,964981247\n")
    data = load_movielens(tmp_path)
    assert data.rating_scale == (0.5, 5.0)
    assert data.movies["title"].tolist() == ["Toy Story", "American President, The", "Cosmos"]
    assert data.movies["year"].iloc[1] == 1995 and data.movies["genres"].iloc[2] == ""
    assert data.movie_row("Toy Story (1995)") == 0 and data.movies["num_ratings"].iloc[2] == 0
    assert data.Y[1, data.user_col(2)] == 0.5


def test_split_holds_out_a_fraction_of_each_user(movielens):
    train, test = split_ratings(movielens, test_fraction=0.2, seed=0)
    assert train.num_ratings + test.num_ratings == movielens.num_ratings
    assert np.all(train.R + test.R == movielens.R)
    per_user_test = test.R.sum(axis=0) / movielens.R.sum(axis=0)
    assert np.all(np.abs(per_user_test - 0.2) <= 0.5 / movielens.R.sum(axis=0) + 1e-12)
    assert train.R.sum(axis=0).min() >= 1
    again, _ = split_ratings(movielens, test_fraction=0.2, seed=0)
    other, _ = split_ratings(movielens, test_fraction=0.2, seed=1)
    assert np.array_equal(again.R, train.R) and not np.array_equal(other.R, train.R)


def test_split_keeps_one_training_rating_per_user(tiny):
    train, test = split_ratings(load_movielens(tiny), test_fraction=0.9, seed=0)
    assert train.R.sum(axis=0).tolist() == [1, 1, 1] and test.num_ratings == 1


def test_split_rejects_fraction_outside_zero_one(movielens):
    with pytest.raises(ValueError, match=r"test_fraction must lie strictly between 0 and 1, got 1.5"):
        split_ratings(movielens, test_fraction=1.5)


def test_add_user_by_id_and_title(movielens):
    data, col = add_user(movielens, {"Toy Story (1995)": 5, 50: 4.0, "twelve monkeys": 1})
    assert col == 943 and data.num_users == 944 and data.user_ids[col] == 944
    assert data.Y[[0, data.movie_row(50), data.movie_row(7)], col].tolist() == [5.0, 4.0, 1.0]
    assert data.R[:, col].sum() == 3 and movielens.num_users == 943
    assert data.movies["num_ratings"].iloc[0] == 453


@pytest.mark.parametrize(
    "ratings, error, message",
    [
        ({"Toy Story": 6}, ValueError, r"rating 6 for 'Toy Story' is outside the scale 1 to 5"),
        ({"Chasing Amy": 4}, KeyError, r"'Chasing Amy' matches several movies, ids 246 \(1997\), 268 \(1997\)"),
        ({"Toy Stroy": 4}, KeyError, r"no movie titled 'Toy Stroy' .* did you mean 'Toy Story'"),
        ({99999: 4}, KeyError, r"no movie with id 99999"),
        ({1: 4, "Toy Story": 5}, ValueError, r"'Toy Story' is rated twice"),
        ({}, ValueError, r"has rated no movies"),
    ],
)
def test_add_user_rejects_bad_ratings(movielens, ratings, error, message):
    with pytest.raises(error, match=message):
        add_user(movielens, ratings)


def test_normalize_ratings_is_nan_and_warning_free_with_unrated_movie():
    Y = np.array([[5.0, 3.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 2.0]])
    R = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Ynorm, Ymean = normalize_ratings(Y, R)
    np.testing.assert_allclose(Ymean, [[4.0], [11 / 4], [1.5]])
    np.testing.assert_allclose(Ynorm, [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0], [-0.5, 0.0, 0.5]])


def test_shrunk_means_count_pseudo_ratings_at_the_overall_mean():
    Y = np.array([[5.0, 3.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 2.0]])
    R = (Y > 0).astype(float)
    overall = 11 / 4
    _, Ymean = normalize_ratings(Y, R, shrinkage=2.0)
    np.testing.assert_allclose(Ymean[:, 0], [(8 + 2 * overall) / 4, overall, (3 + 2 * overall) / 4])
    np.testing.assert_allclose(movie_means([0, 0, 2, 2], [5, 3, 1, 2], 3, 2.0), Ymean[:, 0])
    with pytest.raises(ValueError, match="shrinkage must be a finite number >= 0"):
        movie_means([0], [5], 1, -1)


def test_normalized_movielens_rows_average_zero(movielens):
    Ynorm, Ymean = normalize_ratings(movielens.Y, movielens.R)
    assert Ymean.shape == (1_682, 1) and not np.isnan(Ynorm).any()
    np.testing.assert_allclose((Ynorm * movielens.R).sum(axis=1), 0, atol=1e-9)
