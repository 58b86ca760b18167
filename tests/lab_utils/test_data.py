"""lab_utils.data: the shipped MovieLens 100K and GroupLens' other layouts, checked and indexed into Y and R."""

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import lab_utils
from lab_utils import DataError, load_movielens, verify_checksums
from lab_utils.data import CHECKSUMS, SHIPPED_DIR


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


def test_shipped_data_is_package_data_beside_the_loader():
    """A wheel, an sdist install and an editable install carry it alike; the checkout keeps no second copy."""
    package = Path(lab_utils.__file__).parent
    assert SHIPPED_DIR == package / "movielens"
    assert {path.name for path in SHIPPED_DIR.iterdir()} >= {*CHECKSUMS, "README.md"}
    assert not (package.parent / "data").exists()


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


def test_project_layout_from_a_folder(tiny_folder):
    data = load_movielens(tiny_folder)
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
def test_malformed_ratings_file_names_the_line_and_problem(tiny_folder, ratings, message):
    write(tiny_folder, "ratings.csv", ratings)
    with pytest.raises(DataError, match=message):
        load_movielens(tiny_folder)


def test_malformed_movies_file_names_the_line(tiny_folder):
    write(tiny_folder, "movies.csv", "movie_id,title,year,genres\n1,Alpha,1990,Drama\n2,Beta,nineteen,Comedy\n3,Gamma,2001,\n")
    with pytest.raises(DataError, match=r"movies.csv line 3: year 'nineteen' is not a whole number"):
        load_movielens(tiny_folder)
    write(tiny_folder, "movies.csv", "movie_id,title,year,genres\n1,Alpha,1990,Drama\n1,Beta,1991,Comedy\n")
    with pytest.raises(DataError, match=r"has movie id 1 twice"):
        load_movielens(tiny_folder)


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
