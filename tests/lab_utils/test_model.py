"""lab_utils.model: a hand-made CofiModel's predictions in every form, and the recommendations taken from them."""

import numpy as np
import pytest

from lab_utils import CofiModel, load_movielens, recommend, training

# Three movies, three users (the conftest's tiny folder: users 10, 20, 30), two features.
# X W^T + b + Ymean = [[3.5, 0, 2], [2.5, 4, 2], [2.5, 2, 1]].
X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
W = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 0.0]])
b = np.array([[0.5, -1.0, 0.0]])
Ymean = np.array([[1.0], [2.0], [0.0]])
EXPECTED = np.array([[3.5, 0.0, 2.0], [2.5, 4.0, 2.0], [2.5, 2.0, 1.0]])


@pytest.fixture
def model():
    return CofiModel(X, W, b, Ymean, rating_scale=(1.0, 5.0))


def test_predictions_add_the_means_back_and_clip_to_the_scale(model):
    np.testing.assert_allclose(model.predict(clip=False), EXPECTED)
    np.testing.assert_allclose(model.predict(), np.clip(EXPECTED, 1, 5))
    np.testing.assert_allclose(model.predict_user(1, clip=False), [0.0, 4.0, 2.0])
    np.testing.assert_allclose(model.predict_user(1), [1.0, 4.0, 2.0])
    np.testing.assert_allclose(model.predict_pairs([2, 0, 0], [0, 1, 2]), [2.5, 1.0, 2.0])


def test_recommendations_skip_what_the_user_rated_best_first(model, tiny_folder):
    data = load_movielens(tiny_folder)
    # User 20 (column 1) rated Beta only; Gamma scores 2, Alpha 0 (shown clipped to 1).
    table = recommend(model, data, 1)
    assert table["title"].tolist() == ["Gamma", "Alpha"] and table["predicted"].tolist() == [2.0, 1.0]
    assert recommend(model, data, 0)["title"].tolist() == ["Gamma"]  # user 10 rated Alpha and Beta
    assert recommend(model, data, 2, min_ratings=2)["title"].tolist() == ["Beta, The"]  # the one rated twice
    with pytest.raises(IndexError, match=r"user column 3 is outside the 3 users"):
        recommend(model, data, 3)


def test_training_still_offers_the_model_and_recommend():
    assert training.CofiModel is CofiModel and training.recommend is recommend
