"""ipywidgets front ends: rate movies to get recommendations, pick a movie to see its neighbours.

Both take the function that does the work as an argument, so the notebook decides which model
answers and the widget only gathers input and shows the table.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from .data import MovieLens
from .i18n import _


def _movie_options(data: MovieLens, min_ratings: int) -> list[tuple[str, int]]:
    """(label, movie id) pairs, most-rated first, labels unique thanks to the year and id."""
    movies = data.movies[data.movies["num_ratings"] >= min_ratings].sort_values("num_ratings", ascending=False)
    return [
        (f"{title} ({'?' if pd.isna(year) else int(year)}) #{movie_id}", int(movie_id))
        for movie_id, title, year in movies[["movie_id", "title", "year"]].itertuples(index=False)
    ]


class RatingPicker:
    """Pick movies, give each 1 to 5 stars, press "Recommend" to see ``recommend_fn(ratings)``.

    recommend_fn receives {movie id: rating} and returns a DataFrame to show.
    """

    def __init__(self, data: MovieLens, recommend_fn: Callable[[dict[int, float]], pd.DataFrame], min_ratings: int = 50):
        self.ratings: dict[int, float] = {}
        self._recommend_fn = recommend_fn
        self._titles = dict((movie_id, label) for label, movie_id in _movie_options(data, 0))
        self.movie = widgets.Dropdown(options=_movie_options(data, min_ratings), description=_("Movie"))
        self.stars = widgets.IntSlider(value=4, min=1, max=5, description=_("Rating"))
        self.add_button = widgets.Button(description=_("Add rating"), icon="plus")
        self.recommend_button = widgets.Button(description=_("Recommend"), button_style="primary")
        self.rated = widgets.HTML("<i>" + html.escape(_("No ratings yet.")) + "</i>")
        self.output = widgets.Output()
        self.add_button.on_click(lambda _button: self.add(self.movie.value, self.stars.value))
        self.recommend_button.on_click(lambda _button: self.recommend())
        self.box = widgets.VBox([
            widgets.HBox([self.movie, self.stars, self.add_button]), self.rated, self.recommend_button, self.output,
        ])
        self.box.add_class("lab-rating-picker")

    def add(self, movie_id: int, rating: float) -> None:
        """Record a rating (replacing an earlier one for the same movie)."""
        self.ratings[int(movie_id)] = float(rating)
        items = "".join(f"<li>{self._titles[m]}: {r:g}</li>" for m, r in self.ratings.items())
        self.rated.value = "<b>" + html.escape(_("Your ratings")) + "</b><ul>" + items + "</ul>"

    def recommend(self) -> None:
        """Show the recommendations for the ratings so far in the widget's output area."""
        self.output.clear_output()
        with self.output:
            if not self.ratings:
                print(_("Rate at least one movie first."))
                return
            display(self._recommend_fn(dict(self.ratings)))

    def _ipython_display_(self):
        display(self.box)


class MoviePicker:
    """Choose a movie and see ``neighbours_fn(movie id)``, for example the k closest movies."""

    def __init__(self, data: MovieLens, neighbours_fn: Callable[[int], pd.DataFrame], min_ratings: int = 50):
        self._neighbours_fn = neighbours_fn
        self.movie = widgets.Dropdown(options=_movie_options(data, min_ratings), description=_("Movie"))
        self.output = widgets.Output()
        self.movie.observe(lambda change: self.show(change["new"]), names="value")
        self.box = widgets.VBox([self.movie, self.output])
        self.box.add_class("lab-movie-picker")
        self.show(self.movie.value)

    def show(self, movie_id: int) -> None:
        self.output.clear_output()
        with self.output:
            display(self._neighbours_fn(int(movie_id)))

    def _ipython_display_(self):
        display(self.box)
