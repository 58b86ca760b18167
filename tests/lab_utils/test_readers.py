"""lab_utils.readers: each MovieLens layout is read into the same tables, with the file and line to blame."""

import pytest

from lab_utils.readers import MovieLensFiles, read_movielens_files, split_year

ML100K = {
    "u.item": "1|Toy Story (1995)|01-Jan-1995||http://x|" + "|".join("0" * 19) + "\n",
    "u.data": "196\t1\t3\t881250949\n",
}
LATEST = {
    "movies.csv": "movieId,title,genres\n1,Toy Story (1995),Animation\n",
    "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.5,964982703\n",
}
PROJECT = {
    "movies.csv": "movie_id,title,year,genres\n1,Toy Story,1995,Animation\n",
    "ratings.csv": "user_id,movie_id,rating,timestamp\n1,1,4,0\n",
}


@pytest.mark.parametrize("files, ratings_file, first_line, scale", [
    (ML100K, "u.data", 1, (1.0, 5.0)),  # no header: the first rating is on line 1
    (LATEST, "ratings.csv", 2, (0.5, 5.0)),
    (PROJECT, "ratings.csv", 2, (1.0, 5.0)),
], ids=["ml-100k", "ml-latest", "project"])
def test_each_layout_gives_the_same_tables_and_says_where_ratings_came_from(tmp_path, files, ratings_file,
                                                                           first_line, scale):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="latin-1" if name == "u.item" else "utf-8")
    read = read_movielens_files(tmp_path)
    assert isinstance(read, MovieLensFiles)
    assert (read.ratings_path, read.first_line, read.rating_scale) == (tmp_path / ratings_file, first_line, scale)
    assert list(read.ratings.columns) == ["user_id", "movie_id", "rating", "timestamp"]
    assert list(read.movies.columns) == ["movie_id", "title", "year", "genres"]
    assert (read.movies["title"].iat[0], read.movies["year"].iat[0]) == ("Toy Story", 1995)


def test_a_folder_of_other_files_names_both_layouts(tmp_path):
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(FileNotFoundError, match=r"holds no MovieLens files: expected ratings.csv and movies.csv"):
        read_movielens_files(tmp_path)
    (tmp_path / "u.item").write_text("")
    with pytest.raises(FileNotFoundError, match=r"MovieLens file .*u.data is missing"):
        read_movielens_files(tmp_path)


@pytest.mark.parametrize("title, expected", [
    ("Toy Story (1995)", ("Toy Story", 1995)),
    ("Heat (1995) ", ("Heat", 1995)),
    ("Cosmos (1980-1981)", ("Cosmos", 1980)),  # a series: the first year
    ("Cosmos", ("Cosmos", None)),
    ("1984 (1984)", ("1984", 1984)),
])
def test_split_year_takes_the_year_off_the_end_of_a_title(title, expected):
    assert split_year(title) == expected
