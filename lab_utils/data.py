"""The MovieLens object: ratings indexed into Y and R, loaded from a verified folder.

The shipped copy of MovieLens 100K is package data, in ``lab_utils/movielens/`` beside this
module, so a wheel, an sdist install and an editable install all carry it; it is verified
against SHA-256 checksums before it is read. A folder downloaded from GroupLens can be loaded
as well (``readers`` reads each layout); here the ratings are checked against the rating scale
and the movie list and given their rows and columns in Y and R.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .i18n import N_, _
from .ratings import with_movie_stats
from .readers import MovieLensFiles, read_movielens_files, split_year

SHIPPED_DIR = Path(__file__).resolve().parent / "movielens"
"""The shipped MovieLens 100K, inside the package; ``LAB_UTILS_DATA`` in the environment overrides it."""

CHECKSUMS = {
    "ratings.csv": "12a39ea6db3381e83f1c68c9d3402772ed7ac1f406b339fa849aa9b34e03a7df",
    "movies.csv": "b8006177b0b4ff74a7581c59e31bd9883ce1e8e5d7a0d137016a17af293c5fd7",
    "users.csv": "f0666955a899ab27004d413eec2d92e393f5050879597e126ede637390e5a238",
}
"""SHA-256 of the shipped files; lab_utils/movielens/README.md lists the same values."""

_RESTORE = N_("reinstall tf-cofi-labs to restore it (in a checkout: `git checkout -- lab_utils/movielens/`)")
"""How a damaged or missing shipped file comes back, in an installed package or in a checkout."""

DENSE_LIMIT_BYTES = 4 * 2**30
"""Largest dense Y (and as much again for R) that ``MovieLens.Y`` will build."""


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
                _("a dense Y for {num_movies:,} movies x {num_users:,} users needs "
                  "{size:.1f} GiB (limit {limit:.0f} GiB); work from "
                  "MovieLens.ratings (its row and col columns) instead of Y and R").format(
                    num_movies=self.num_movies, num_users=self.num_users, size=size / 2**30,
                    limit=DENSE_LIMIT_BYTES / 2**30)
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
            raise KeyError(_("no user with id {user_id} in {source}").format(user_id=user_id, source=self.source)) from None

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
                raise KeyError(_("no movie with id {movie_id} in {source}").format(movie_id=movie, source=self.source)) from None
        return self._row_of_title(str(movie))

    def _row_of_title(self, query: str) -> int:
        title, year = split_year(query.strip())
        titles = self.movies["title"].str.casefold()
        hits = np.flatnonzero((titles == title.casefold()).to_numpy())
        if year is not None:
            hits = hits[self.movies["year"].to_numpy()[hits] == year]
        if len(hits) == 1:
            return int(hits[0])
        if len(hits) > 1:
            found = ", ".join(
                "{} ({})".format(self.movies["movie_id"].iat[i], _year_text(self.movies["year"].iat[i]))
                for i in hits
            )
            raise KeyError(_("{title!r} matches several movies, ids {found}: give the movie id").format(
                title=query, found=found))
        close = difflib.get_close_matches(title, self.movies["title"].tolist(), n=3)
        hint = "; " + _("did you mean {titles}?").format(titles=", ".join(repr(c) for c in close)) if close else ""
        raise KeyError(_("no movie titled {title!r} in {source}{hint}").format(title=query, source=self.source, hint=hint))


def _year_text(year) -> str:
    return _("year unknown") if pd.isna(year) else str(int(year))


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
            raise FileNotFoundError(_("MovieLens file {path} is missing; {restore}").format(path=path, restore=_(_RESTORE)))
        actual = _sha256(path)
        if actual != expected:
            raise DataError(
                _("{path} does not match its checksum: expected SHA-256 {expected}, got {actual}. "
                  "The file was changed or damaged; {restore}.").format(
                    path=path, expected=expected, actual=actual, restore=_(_RESTORE))
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
            raise FileNotFoundError(_("MovieLens folder {folder} does not exist").format(folder=folder))
    return _assemble(read_movielens_files(folder), source=str(folder))


def _assemble(files: MovieLensFiles, source: str) -> MovieLens:
    """Check the ratings against the scale and the movie list, and index them into Y's rows and columns."""
    ratings, movies = files.ratings, files.movies
    ratings_file, first_line = files.ratings_path, files.first_line
    low, high = files.rating_scale
    rating = ratings["rating"].to_numpy()
    outside = (rating < low) | (rating > high)
    if outside.any():
        i = int(np.argmax(outside))
        raise DataError(
            _("{path} line {line}: rating {rating:g} is outside the scale {low:g} to {high:g}").format(
                path=ratings_file, line=i + first_line, rating=rating[i], low=low, high=high)
        )
    duplicated = ratings.duplicated(["user_id", "movie_id"]).to_numpy()
    if duplicated.any():
        i = int(np.argmax(duplicated))
        raise DataError(
            _("{path} line {line}: user {user_id} rates movie {movie_id} a second time").format(
                path=ratings_file, line=i + first_line, user_id=ratings["user_id"].iat[i],
                movie_id=ratings["movie_id"].iat[i])
        )
    duplicate_movie = movies["movie_id"].duplicated().to_numpy()
    if duplicate_movie.any():
        raise DataError(_("the movie list in {source} has movie id {movie_id} twice").format(
            source=source, movie_id=movies["movie_id"][duplicate_movie].iat[0]))
    movies = movies.sort_values("movie_id", ignore_index=True)
    row_of = pd.Series(np.arange(len(movies)), index=movies["movie_id"].to_numpy())
    rows = row_of.reindex(ratings["movie_id"].to_numpy()).to_numpy()
    unknown = np.isnan(rows)
    if unknown.any():
        i = int(np.argmax(unknown))
        raise DataError(
            _("{path} line {line}: movie {movie_id} is not in the movie list").format(
                path=ratings_file, line=i + first_line, movie_id=ratings["movie_id"].iat[i])
        )
    user_ids = np.unique(ratings["user_id"].to_numpy())
    ratings = ratings.assign(
        row=rows.astype(np.int64), col=np.searchsorted(user_ids, ratings["user_id"].to_numpy())
    ).reset_index(drop=True)
    movies = movies[["movie_id", "title", "year", "genres"]].reset_index(drop=True)
    return with_movie_stats(MovieLens(ratings, movies, user_ids, (float(low), float(high)), source))
