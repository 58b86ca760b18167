"""lab_utils in the learner's language: its plots' and widgets' words and its errors come from the
catalog (a pseudo-language wraps every message in « », so a word that bypasses it shows)."""

import matplotlib
import numpy as np
import pytest

from lab_utils import i18n, plots
from lab_utils.widgets import MoviePicker, RatingPicker

from ..editions.words import pseudo_language

matplotlib.use("Agg")

NOTATION = {"", "w", "J(w)", "lambda", "RMSE"}
"""Axis labels that are the lecture's symbols, the same in every language."""


@pytest.fixture
def pseudo(tmp_path, monkeypatch):
    language = pseudo_language(tmp_path, monkeypatch)
    yield language
    i18n.catalog.cache_clear()


def words(figure) -> list[str]:
    found = []
    for ax in figure.axes:
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        found += [t.get_text() for t in legend.get_texts()] if legend else []
        found += [t.get_text() for t in ax.texts]
    return [w for w in found if w not in NOTATION]


def test_every_word_of_the_plots_comes_from_the_catalog(pseudo, movielens):
    figures = [
        plots.plot_cost_with_iterates(lambda w: (w - 1) ** 2, [3.0, 2.5, 2.1], tangent_at=3.0),
        plots.plot_histories({"«Adam»": [3.0, 2.0, 1.0]}),
        plots.plot_rating_overview(movielens),
        plots.plot_lambda_sweep([0.0, 1.0, 10.0], [0.8, 0.85, 0.9], [1.0, 0.95, 0.97], baseline=1.02),
        plots.plot_feature_map(np.random.default_rng(0).normal(size=(movielens.num_movies, 4)), movielens),
    ]
    for figure in figures:
        figure = getattr(figure, "figure", figure)
        bare = [w for w in words(figure) if "«" not in w]
        assert not bare, bare


def test_the_widgets_labels_come_from_the_catalog(pseudo, movielens):
    picker = RatingPicker(movielens, lambda ratings: None)
    labels = [picker.movie.description, picker.stars.description, picker.add_button.description,
              picker.recommend_button.description, picker.rated.value]
    assert all("«" in label for label in labels), labels
    assert "«" in MoviePicker(movielens, lambda movie: None).movie.description


def test_the_portuguese_widgets_use_the_words_the_notebook_names(monkeypatch, movielens):
    monkeypatch.setenv(i18n.ENVIRONMENT, "pt_BR")
    picker = RatingPicker(movielens, lambda ratings: None)
    assert (picker.add_button.description, picker.recommend_button.description) == ("Adicionar avaliação", "Recomendar")


def test_lab_utils_errors_about_bad_input_come_from_the_catalog(pseudo, tmp_path):
    import lab_utils as lu

    raised = []
    for bad in (lambda: lu.cofi_cost_func_v(np.ones((3, 2)), np.ones((4, 3)), np.ones((1, 4)), np.ones((3, 4)),
                                            np.ones((3, 4)), 1.0),
                lambda: lu.cofi_cost_func(np.ones((3, 2)), np.ones((4, 2)), np.ones((1, 4)), np.ones((3, 4)),
                                          np.ones((3, 4)), -1.0),
                lambda: lu.load_movielens(tmp_path),
                lambda: lu.load_answer(tmp_path / "03_cofi_cost.ipynb", "cofi_cost_func_v")):
        with pytest.raises(Exception) as error:
            bad()
        raised.append(str(error.value))
    assert all(message.startswith("«") for message in raised), raised
