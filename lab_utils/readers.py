"""Read a MovieLens folder in any of its layouts (lab_utils/movielens/, ml-100k, ml-latest, ml-25m) into tables.

A reader checks what one file can say about itself (its columns, whole numbers where ids are
expected, no short rows) and names the file and line of the first problem. What needs the files
together (ratings on the scale, movies in the movie list) is checked by ``data.load_movielens``,
which gets from ``MovieLensFiles`` the file and first line to name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .i18n import _

ML100K_GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
)
"""Order of the 19 genre flags in GroupLens' u.item."""

_YEAR_IN_TITLE = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})(?:[-–]\d{0,4})?\)\s*$")


@dataclass(frozen=True, eq=False)
class MovieLensFiles:
    """A MovieLens folder as read, before its ratings are checked against the movie list."""

    ratings: pd.DataFrame
    """Columns user_id, movie_id, rating, timestamp, in the file's order."""
    movies: pd.DataFrame
    """Columns movie_id, title, year, genres."""
    rating_scale: tuple[float, float]
    ratings_path: Path
    """The ratings file, named in messages about a rating."""
    first_line: int
    """The file's line number of ``ratings.iloc[0]``: 2 below a header, 1 without one."""


def read_movielens_files(folder: Path) -> MovieLensFiles:
    """Read the folder in whichever layout it holds: ml-100k (``u.data``, ``u.item``), or
    ``ratings.csv`` and ``movies.csv`` (this project's, or GroupLens' ml-latest / ml-25m)."""
    if (folder / "u.data").exists() or (folder / "u.item").exists():
        return _read_ml100k(folder)
    if (folder / "ratings.csv").exists() or (folder / "movies.csv").exists():
        return _read_csv_layout(folder)
    raise FileNotFoundError(
        _("{folder} holds no MovieLens files: expected ratings.csv and movies.csv "
          "(the shipped lab_utils/movielens/ or GroupLens' ml-latest-small / ml-25m) or u.data and u.item (ml-100k)")
        .format(folder=folder)
    )


def split_year(title: str) -> tuple[str, int | None]:
    """("Toy Story", 1995) from "Toy Story (1995)"; (title, None) when it ends in no year."""
    match = _YEAR_IN_TITLE.match(title)
    if match:
        return match["title"], int(match["year"])
    return title, None


def _require(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(_("MovieLens file {path} is missing").format(path=path))
    return path


def _read_csv_layout(folder: Path) -> MovieLensFiles:
    ratings_path, movies_path = _require(folder / "ratings.csv"), _require(folder / "movies.csv")
    header = ratings_path.open(encoding="utf-8").readline().strip().split(",")
    if header[:2] == ["userId", "movieId"]:
        # GroupLens' ml-latest family: half-star ratings, the year inside the title.
        ratings = _read_table(ratings_path, ["userId", "movieId", "rating", "timestamp"], sep=",")
        ratings.columns = ["user_id", "movie_id", "rating", "timestamp"]
        movies = _read_text_table(movies_path, ["movieId", "title", "genres"], sep=",")
        split = movies["title"].map(split_year)
        movies = pd.DataFrame({
            "movie_id": _integer_column(movies, "movieId", movies_path, first_line=2),
            "title": split.map(lambda t: t[0]),
            "year": split.map(lambda t: t[1]).astype("Int64"),
            "genres": movies["genres"].replace("(no genres listed)", ""),
        })
        return MovieLensFiles(ratings, movies, (0.5, 5.0), ratings_path, first_line=2)
    ratings = _read_table(ratings_path, ["user_id", "movie_id", "rating", "timestamp"], sep=",")
    movies = _read_text_table(movies_path, ["movie_id", "title", "year", "genres"], sep=",")
    movies = movies.assign(
        movie_id=_integer_column(movies, "movie_id", movies_path, first_line=2),
        year=_integer_column(movies, "year", movies_path, first_line=2, allow_missing=True),
    )
    return MovieLensFiles(ratings, movies, (1.0, 5.0), ratings_path, first_line=2)


def _read_ml100k(folder: Path) -> MovieLensFiles:
    ratings_path, items_path = _require(folder / "u.data"), _require(folder / "u.item")
    names = ["user_id", "movie_id", "rating", "timestamp"]
    ratings = _read_table(ratings_path, names, sep="\t", header=False)
    item_columns = ["movie_id", "title", "release_date", "video_date", "url", *ML100K_GENRES]
    items = _read_text_table(items_path, item_columns, sep="|", header=False, encoding="latin-1")
    flags = items[list(ML100K_GENRES)].to_numpy() == "1"
    split = items["title"].map(split_year)
    dates = pd.to_datetime(items["release_date"], format="%d-%b-%Y", errors="coerce")
    movies = pd.DataFrame({
        "movie_id": _integer_column(items, "movie_id", items_path, first_line=1),
        "title": split.map(lambda t: t[0]),
        "year": dates.dt.year.astype("Int64"),
        "genres": ["|".join(g for g, on in zip(ML100K_GENRES, row) if on) for row in flags],
    })
    return MovieLensFiles(ratings, movies, (1.0, 5.0), ratings_path, first_line=1)


def _read_text_table(path, columns, *, sep, header=True, encoding="utf-8") -> pd.DataFrame:
    """Read a table as strings ("" where a field is empty or a row is short).

    A missing column, a row with too many fields or text in another encoding is a DataError.
    """
    try:
        table = pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, encoding=encoding,
            header=0 if header else None, names=None if header else columns,
            quoting=3 if sep != "," else 0,  # u.item and u.data use no quoting at all
        )
    except pd.errors.ParserError as err:
        raise DataError(_("{path} is malformed: {error}").format(path=path, error=err)) from None
    except UnicodeDecodeError as err:
        raise DataError(_("{path} is not {encoding} text: {error}").format(path=path, encoding=encoding, error=err)) from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(
            _("{path} lacks the column(s) {missing}: expected a header {expected}, found {found}").format(
                path=path, missing=", ".join(missing), expected=",".join(columns),
                found=",".join(map(str, table.columns)))
        )
    return table


def _integer_column(table, column, path, *, first_line, allow_missing=False) -> pd.Series:
    text = table[column].astype(str)
    _refuse_empty(text, column, path, first_line, allow_missing)
    values = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = (values.isna() & (text != "")) | (values.notna() & (values != values.round()))
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(_("{path} line {line}: {column} {value!r} is not a whole number").format(
            path=path, line=i + first_line, column=column, value=text.iat[i]))
    return values.astype("Int64" if allow_missing else "int64")


def _refuse_empty(text: pd.Series, column, path, first_line, allow_missing=False) -> None:
    empty = (text == "").to_numpy()
    if empty.any() and not allow_missing:
        raise DataError(_("{path} line {line}: {column} is missing (a short row or an empty field)").format(
            path=path, line=int(np.argmax(empty)) + first_line, column=column))


def _read_table(path, columns, *, sep, header=True) -> pd.DataFrame:
    """Read a ratings file fast with numeric types; diagnose the exact line when that fails."""
    dtypes = {"user_id": "int64", "movie_id": "int64", "userId": "int64", "movieId": "int64",
              "rating": "float64", "timestamp": "int64"}
    try:
        table = pd.read_csv(
            path, sep=sep, header=0 if header else None, names=None if header else columns,
            dtype={c: dtypes[c] for c in columns}, engine="c",
        )
        if list(table.columns) == columns and not table.isna().any().any():
            return table
    except (ValueError, TypeError):
        pass  # fall through to the slow read, which names the offending line
    table = _read_text_table(path, columns, sep=sep, header=header)
    first = 2 if header else 1
    numeric = {c: _integer_column(table, c, path, first_line=first) for c in columns if c != "rating"}
    _refuse_empty(table["rating"], "rating", path, first)
    rating = pd.to_numeric(table["rating"], errors="coerce")
    if rating.isna().any():
        i = int(np.argmax(rating.isna().to_numpy()))
        raise DataError(_("{path} line {line}: rating {value!r} is not a number").format(
            path=path, line=i + first, value=table["rating"].iat[i]))
    return pd.DataFrame({**numeric, "rating": rating})[columns]
