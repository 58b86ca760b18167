"""Load MovieLens ratings into the course's Y and R matrices, split them, and add a new user.

The shipped copy of MovieLens 100K lives in the repository's ``data/`` folder and is verified
against SHA-256 checksums before it is read. A folder downloaded from GroupLens can be loaded
as well: the ml-100k layout (``u.data``, ``u.item``) or the layout of ml-latest-small and
ml-25m (``ratings.csv``, ``movies.csv``).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data"
"""The repository's data folder; ``LAB_UTILS_DATA`` in the environment overrides it."""

CHECKSUMS = {
    "ratings.csv": "12a39ea6db3381e83f1c68c9d3402772ed7ac1f406b339fa849aa9b34e03a7df",
    "movies.csv": "b8006177b0b4ff74a7581c59e31bd9883ce1e8e5d7a0d137016a17af293c5fd7",
    "users.csv": "f0666955a899ab27004d413eec2d92e393f5050879597e126ede637390e5a238",
}
"""SHA-256 of the shipped files; data/README.md lists the same values."""

DENSE_LIMIT_BYTES = 4 * 2**30
"""Largest dense Y (and as much again for R) that ``MovieLens.Y`` will build."""

ML100K_GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
)
"""Order of the 19 genre flags in GroupLens' u.item."""

_YEAR_IN_TITLE = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})(?:[-–]\d{0,4})?\)\s*$")


@dataclass(frozen=True, eq=False)
class MovieLens:
    """Ratings with the maps between MovieLens ids and the rows and columns of Y and R.

    Row i of Y is the movie in ``movies.iloc[i]``; column j is the user ``user_ids[j]``.
    ``ratings`` keeps one line per rating with its ``row`` and ``col`` in Y, so code that
    must not build a dense matrix (a 25M-rating data set) can work from it directly.
    """

    ratings: pd.DataFrame
    """Columns user_id, movie_id, rating, timestamp, row, col."""
    movies: pd.DataFrame
    """One line per movie row: movie_id, title, year, genres, num_ratings, mean_rating."""
    user_ids: np.ndarray
    """user_ids[j] is the MovieLens id of column j."""
    rating_scale: tuple[float, float]
    source: str

    @property
    def num_movies(self) -> int:
        return len(self.movies)

    @property
    def num_users(self) -> int:
        return len(self.user_ids)

    @property
    def num_ratings(self) -> int:
        return len(self.ratings)

    @property
    def movie_ids(self) -> np.ndarray:
        """movie_ids[i] is the MovieLens id of row i."""
        return self.movies["movie_id"].to_numpy()

    @cached_property
    def Y(self) -> np.ndarray:
        """Ratings as a dense (num_movies, num_users) float64 array, 0 where unrated."""
        Y = self._dense_zeros()
        Y[self.ratings["row"].to_numpy(), self.ratings["col"].to_numpy()] = self.ratings["rating"]
        return Y

    @cached_property
    def R(self) -> np.ndarray:
        """The (num_movies, num_users) 0/1 float64 mask: R[i, j] = 1 where user j rated movie i."""
        R = self._dense_zeros()
        R[self.ratings["row"].to_numpy(), self.ratings["col"].to_numpy()] = 1.0
        return R

    def _dense_zeros(self) -> np.ndarray:
        size = self.num_movies * self.num_users * 8
        if size > DENSE_LIMIT_BYTES:
            raise MemoryError(
                f"a dense Y for {self.num_movies:,} movies x {self.num_users:,} users needs "
                f"{size / 2**30:.1f} GiB (limit {DENSE_LIMIT_BYTES / 2**30:.0f} GiB); work from "
                "MovieLens.ratings (its row and col columns) instead of Y and R"
            )
        return np.zeros((self.num_movies, self.num_users))

    @cached_property
    def _row_of_id(self) -> dict[int, int]:
        return {int(m): i for i, m in enumerate(self.movie_ids)}

    @cached_property
    def _col_of_id(self) -> dict[int, int]:
        return {int(u): j for j, u in enumerate(self.user_ids)}

    def user_col(self, user_id: int) -> int:
        """The column of Y that holds the ratings of MovieLens user ``user_id``."""
        try:
            return self._col_of_id[int(user_id)]
        except KeyError:
            raise KeyError(f"no user with id {user_id} in {self.source}") from None

    def movie_row(self, movie: int | str) -> int:
        """The row of Y for a movie given by MovieLens id or by title.

        A title matches case-insensitively, with or without its year in parentheses
        ("Toy Story" or "Toy Story (1995)"). An unknown title raises KeyError with the
        closest titles; one shared by several movies raises KeyError listing their ids.
        """
        if isinstance(movie, (int, np.integer)):
            try:
                return self._row_of_id[int(movie)]
            except KeyError:
                raise KeyError(f"no movie with id {movie} in {self.source}") from None
        return self._row_of_title(str(movie))

    def _row_of_title(self, query: str) -> int:
        title, year = _split_year(query.strip())
        titles = self.movies["title"].str.casefold()
        hits = np.flatnonzero((titles == title.casefold()).to_numpy())
        if year is not None:
            hits = hits[self.movies["year"].to_numpy()[hits] == year]
        if len(hits) == 1:
            return int(hits[0])
        if len(hits) > 1:
            found = ", ".join(
                f"{self.movies['movie_id'].iat[i]} ({_year_text(self.movies['year'].iat[i])})"
                for i in hits
            )
            raise KeyError(f"{query!r} matches several movies, ids {found}: give the movie id")
        close = difflib.get_close_matches(title, self.movies["title"].tolist(), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"no movie titled {query!r} in {self.source}{hint}")


def _split_year(title: str) -> tuple[str, int | None]:
    match = _YEAR_IN_TITLE.match(title)
    if match:
        return match["title"], int(match["year"])
    return title, None


def _year_text(year) -> str:
    return "year unknown" if pd.isna(year) else str(int(year))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksums(folder: Path | str | None = None) -> None:
    """Check every shipped file against ``CHECKSUMS``; raise DataError naming the first that differs."""
    folder = Path(folder) if folder is not None else _shipped_dir()
    for name, expected in CHECKSUMS.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"MovieLens file {path} is missing; restore it with `git checkout -- data/`")
        actual = _sha256(path)
        if actual != expected:
            raise DataError(
                f"{path} does not match its checksum: expected SHA-256 {expected}, got {actual}. "
                "The file was changed or damaged; restore it with `git checkout -- data/`."
            )


def _shipped_dir() -> Path:
    return Path(os.environ.get("LAB_UTILS_DATA", SHIPPED_DIR))


def load_movielens(path: Path | str | None = None, *, verify: bool = True) -> MovieLens:
    """Load MovieLens ratings and movies.

    path: None for the shipped MovieLens 100K (checked against its checksums unless
    ``verify=False``), or a folder in one of GroupLens' layouts: ml-100k (``u.data`` and
    ``u.item``) or ml-latest-small / ml-25m (``ratings.csv`` and ``movies.csv``).
    """
    if path is None:
        folder = _shipped_dir()
        if verify:
            verify_checksums(folder)
    else:
        folder = Path(path)
        if not folder.is_dir():
            raise FileNotFoundError(f"MovieLens folder {folder} does not exist")

    if (folder / "u.data").exists() or (folder / "u.item").exists():
        ratings, movies, scale = _read_ml100k(folder)
    elif (folder / "ratings.csv").exists() or (folder / "movies.csv").exists():
        ratings, movies, scale = _read_csv_layout(folder)
    else:
        raise FileNotFoundError(
            f"{folder} holds no MovieLens files: expected ratings.csv and movies.csv "
            "(this project's data/ or GroupLens' ml-latest-small / ml-25m) or u.data and u.item (ml-100k)"
        )
    return _assemble(ratings, movies, scale, source=str(folder))


def _require(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"MovieLens file {path} is missing")
    return path


def _read_csv_layout(folder: Path):
    ratings_path, movies_path = _require(folder / "ratings.csv"), _require(folder / "movies.csv")
    header = ratings_path.open(encoding="utf-8").readline().strip().split(",")
    if header[:2] == ["userId", "movieId"]:
        # GroupLens' ml-latest family: half-star ratings, the year inside the title.
        ratings = _read_table(ratings_path, ["userId", "movieId", "rating", "timestamp"], sep=",")
        ratings.columns = ["user_id", "movie_id", "rating", "timestamp"]
        movies = _read_text_table(movies_path, ["movieId", "title", "genres"], sep=",")
        split = movies["title"].map(_split_year)
        movies = pd.DataFrame({
            "movie_id": _integer_column(movies, "movieId", movies_path, first_line=2),
            "title": split.map(lambda t: t[0]),
            "year": split.map(lambda t: t[1]).astype("Int64"),
            "genres": movies["genres"].replace("(no genres listed)", ""),
        })
        return ratings, movies, (0.5, 5.0)
    ratings = _read_table(ratings_path, ["user_id", "movie_id", "rating", "timestamp"], sep=",")
    movies = _read_text_table(movies_path, ["movie_id", "title", "year", "genres"], sep=",")
    movies = movies.assign(
        movie_id=_integer_column(movies, "movie_id", movies_path, first_line=2),
        year=_integer_column(movies, "year", movies_path, first_line=2, allow_missing=True),
    )
    return ratings, movies, (1.0, 5.0)


def _read_ml100k(folder: Path):
    ratings_path, items_path = _require(folder / "u.data"), _require(folder / "u.item")
    names = ["user_id", "movie_id", "rating", "timestamp"]
    ratings = _read_table(ratings_path, names, sep="\t", header=False)
    item_columns = ["movie_id", "title", "release_date", "video_date", "url", *ML100K_GENRES]
    items = _read_text_table(items_path, item_columns, sep="|", header=False, encoding="latin-1")
    flags = items[list(ML100K_GENRES)].to_numpy() == "1"
    split = items["title"].map(_split_year)
    dates = pd.to_datetime(items["release_date"], format="%d-%b-%Y", errors="coerce")
    movies = pd.DataFrame({
        "movie_id": _integer_column(items, "movie_id", items_path, first_line=1),
        "title": split.map(lambda t: t[0]),
        "year": dates.dt.year.astype("Int64"),
        "genres": ["|".join(g for g, on in zip(ML100K_GENRES, row) if on) for row in flags],
    })
    return ratings, movies, (1.0, 5.0)


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
        raise DataError(f"{path} is malformed: {err}") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{path} is not {encoding} text: {err}") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(
            f"{path} lacks the column(s) {', '.join(missing)}: expected a header "
            f"{','.join(columns)}, found {','.join(map(str, table.columns))}"
        )
    return table


def _integer_column(table, column, path, *, first_line, allow_missing=False) -> pd.Series:
    text = table[column].astype(str)
    _refuse_empty(text, column, path, first_line, allow_missing)
    values = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = (values.isna() & (text != "")) | (values.notna() & (values != values.round()))
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(f"{path} line {i + first_line}: {column} {text.iat[i]!r} is not a whole number")
    return values.astype("Int64" if allow_missing else "int64")


def _refuse_empty(text: pd.Series, column, path, first_line, allow_missing=False) -> None:
    empty = (text == "").to_numpy()
    if empty.any() and not allow_missing:
        raise DataError(f"{path} line {int(np.argmax(empty)) + first_line}: {column} is missing (a short row or an empty field)")


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
        raise DataError(f"{path} line {i + first}: rating {table['rating'].iat[i]!r} is not a number")
    return pd.DataFrame({**numeric, "rating": rating})[columns]


def _assemble(ratings: pd.DataFrame, movies: pd.DataFrame, scale, source: str) -> MovieLens:
    """Check the ratings against the scale and the movie list, and index them into Y's rows and columns."""
    ml100k = (Path(source) / "u.data").exists()
    ratings_file = Path(source) / ("u.data" if ml100k else "ratings.csv")
    first_line = 1 if ml100k else 2
    low, high = scale
    rating = ratings["rating"].to_numpy()
    outside = (rating < low) | (rating > high)
    if outside.any():
        i = int(np.argmax(outside))
        raise DataError(
            f"{ratings_file} line {i + first_line}: rating {rating[i]:g} is outside the scale {low:g} to {high:g}"
        )
    duplicated = ratings.duplicated(["user_id", "movie_id"]).to_numpy()
    if duplicated.any():
        i = int(np.argmax(duplicated))
        raise DataError(
            f"{ratings_file} line {i + first_line}: user {ratings['user_id'].iat[i]} rates movie "
            f"{ratings['movie_id'].iat[i]} a second time"
        )
    duplicate_movie = movies["movie_id"].duplicated().to_numpy()
    if duplicate_movie.any():
        raise DataError(f"the movie list in {source} has movie id {movies['movie_id'][duplicate_movie].iat[0]} twice")
    movies = movies.sort_values("movie_id", ignore_index=True)
    row_of = pd.Series(np.arange(len(movies)), index=movies["movie_id"].to_numpy())
    rows = row_of.reindex(ratings["movie_id"].to_numpy()).to_numpy()
    unknown = np.isnan(rows)
    if unknown.any():
        i = int(np.argmax(unknown))
        raise DataError(
            f"{ratings_file} line {i + first_line}: movie {ratings['movie_id'].iat[i]} is not in the movie list"
        )
    user_ids = np.unique(ratings["user_id"].to_numpy())
    ratings = ratings.assign(
        row=rows.astype(np.int64), col=np.searchsorted(user_ids, ratings["user_id"].to_numpy())
    ).reset_index(drop=True)
    movies = movies[["movie_id", "title", "year", "genres"]].reset_index(drop=True)
    return _with_stats(MovieLens(ratings, movies, user_ids, (float(low), float(high)), source))


def _with_stats(data: MovieLens) -> MovieLens:
    """Recount num_ratings and mean_rating per movie from the ratings this object holds."""
    rows = data.ratings["row"].to_numpy()
    counts = np.bincount(rows, minlength=data.num_movies)
    sums = np.bincount(rows, weights=data.ratings["rating"].to_numpy(), minlength=data.num_movies)
    means = np.full(data.num_movies, np.nan)
    np.divide(sums, counts, out=means, where=counts > 0)
    movies = data.movies[["movie_id", "title", "year", "genres"]].assign(
        num_ratings=counts, mean_rating=means
    )
    return replace(data, movies=movies)


def split_ratings(data: MovieLens, test_fraction: float = 0.2, seed: int = 0) -> tuple[MovieLens, MovieLens]:
    """Hold out ``test_fraction`` of each user's ratings, chosen at random with ``seed``.

    Returns (train, test), both with the same movies and users as ``data`` so their Y and R
    line up; ``train.R`` and ``test.R`` are the train and test masks. Every user keeps at
    least one rating in train.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    rng = np.random.default_rng(seed)
    cols = data.ratings["col"].to_numpy()
    order = np.lexsort((rng.random(len(cols)), cols))
    counts = np.bincount(cols, minlength=data.num_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(len(cols), dtype=np.int64)
    rank[order] = np.arange(len(cols)) - starts[cols[order]]
    held_out = np.minimum(np.round(counts * test_fraction), counts - 1).astype(np.int64)
    in_test = rank < held_out[cols]
    train = replace(data, ratings=data.ratings[~in_test].reset_index(drop=True))
    test = replace(data, ratings=data.ratings[in_test].reset_index(drop=True))
    return _with_stats(train), _with_stats(test)


def add_user(data: MovieLens, ratings: Mapping[int | str, float], user_id: int | None = None) -> tuple[MovieLens, int]:
    """Append a user who rated the given movies; return the new data and the user's column.

    ratings maps a movie id or a title (see ``MovieLens.movie_row``) to a rating on the data
    set's scale. The new user's id is one more than the largest unless ``user_id`` is given.
    """
    if not ratings:
        raise ValueError("the new user has rated no movies: give at least one {movie: rating}")
    low, high = data.rating_scale
    user_id = int(data.user_ids.max()) + 1 if user_id is None else int(user_id)
    if user_id in data._col_of_id:
        raise ValueError(f"user id {user_id} is already taken in {data.source}")
    rows = {}
    for movie, rating in ratings.items():
        row = data.movie_row(movie)
        if not (isinstance(rating, (int, float, np.number)) and low <= float(rating) <= high):
            raise ValueError(f"rating {rating!r} for {movie!r} is outside the scale {low:g} to {high:g}")
        if row in rows:
            raise ValueError(f"{movie!r} is rated twice: it is the same movie as another entry")
        rows[row] = float(rating)
    col = data.num_users
    new = pd.DataFrame({
        "user_id": user_id,
        "movie_id": data.movie_ids[list(rows)],
        "rating": list(rows.values()),
        "timestamp": 0,
        "row": list(rows),
        "col": col,
    })
    extended = replace(
        data,
        ratings=pd.concat([data.ratings, new], ignore_index=True),
        user_ids=np.append(data.user_ids, user_id),
    )
    return _with_stats(extended), col


def movie_means(rows: np.ndarray, ratings: np.ndarray, num_movies: int, shrinkage: float = 0.0) -> np.ndarray:
    """Each movie's mean rating, from the ratings' movie rows; shape (num_movies,).

    ``shrinkage`` adds that many pseudo-ratings at the overall mean to every movie, pulling the
    mean of a movie with few ratings towards the overall mean (0 gives the plain mean). A movie
    nobody rated gets the overall mean; nothing is divided by zero, so nothing warns.
    """
    rows, ratings = np.asarray(rows), np.asarray(ratings, dtype=float)
    if shrinkage < 0 or not np.isfinite(shrinkage):
        raise ValueError(f"shrinkage must be a finite number >= 0, got {shrinkage}")
    overall = ratings.mean() if len(ratings) else 0.0
    counts = np.bincount(rows, minlength=num_movies) + shrinkage
    sums = np.bincount(rows, weights=ratings, minlength=num_movies) + shrinkage * overall
    means = np.full(num_movies, overall)
    np.divide(sums, counts, out=means, where=counts > 0)
    return means


def normalize_ratings(Y: np.ndarray, R: np.ndarray, shrinkage: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Subtract each movie's mean rating over its rated entries.

    Returns (Ynorm, Ymean) with Ymean of shape (num_movies, 1) and Ynorm zero where R is 0.
    A movie nobody rated gets the mean of all ratings, so its prediction falls back to the
    overall average instead of 0. ``shrinkage`` is as in ``movie_means``.
    """
    Y, R = np.asarray(Y, dtype=float), np.asarray(R, dtype=float)
    if Y.shape != R.shape or Y.ndim != 2:
        raise ValueError(f"Y and R must be (num_movies, num_users) arrays of one shape, got {Y.shape} and {R.shape}")
    rows, cols = np.nonzero(R)
    Ymean = movie_means(rows, Y[rows, cols], Y.shape[0], shrinkage)[:, None]
    Ynorm = (Y - Ymean) * R
    return Ynorm, Ymean
