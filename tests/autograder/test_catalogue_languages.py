"""The catalogue of wrong answers in every language of the labs: each mistake is caught the same
way as in English, and the learner reads its diagnosis in their language (the words come from
the catalog, so a new language needs no new phrases here)."""

import numpy as np
import pytest
import tensorflow as tf

from autograder.pristine import verify
from lab_utils.i18n import ENVIRONMENT, SOURCE, available

from ..editions.words import shows
from . import catalogue
from .test_catalogue import KEYS, learner_function, registry

LANGUAGES = [language for language in available() if language != SOURCE]


@pytest.fixture(autouse=True)
def restore_numpy(monkeypatch):
    monkeypatch.setattr(np, "allclose", np.allclose)
    monkeypatch.setattr(np, "isclose", np.isclose)


def in_language(monkeypatch, language, run):
    monkeypatch.setenv(ENVIRONMENT, language)
    try:
        return run()
    finally:
        monkeypatch.delenv(ENVIRONMENT)


def outcome(result):
    return [(case.passed, case.mistake) for case in result.cases]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", [*catalogue.WRONG, *catalogue.LOOP])
def test_each_named_mistake_is_caught_alike_and_named_in_the_language(monkeypatch, language, name):
    grade_id, source, phrase = {**catalogue.WRONG, **catalogue.LOOP}[name]
    learner = learner_function(grade_id, source)
    english = in_language(monkeypatch, SOURCE, lambda: registry.evaluate(KEYS[grade_id], learner))
    translated = in_language(monkeypatch, language, lambda: registry.evaluate(KEYS[grade_id], learner))
    assert not translated.passed and outcome(translated) == outcome(english)
    assert shows(str(translated), phrase, language), str(translated)
    assert phrase not in str(translated) or shows(phrase, phrase, language), str(translated)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", catalogue.CHEATS)
def test_each_cheat_fails_the_hidden_verification_in_the_language(monkeypatch, language, name):
    grade_id, source, phrase = catalogue.CHEATS[name]
    learner = learner_function(grade_id, source)
    with pytest.raises(AssertionError) as failure:
        in_language(monkeypatch, language, lambda: verify(KEYS[grade_id], learner))
    assert shows(str(failure.value), phrase, language), str(failure.value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_passing_check_and_lab_utils_errors_speak_the_language(monkeypatch, language):
    import lab_utils as lu

    def cost(X, W, b, Y, R, lambda_):
        j = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y) * R
        return 0.5 * tf.reduce_sum(j ** 2) + (lambda_ / 2) * (tf.reduce_sum(X ** 2) + tf.reduce_sum(W ** 2))

    def run():
        result = registry.evaluate("cofi_cost_v", cost)
        with pytest.raises(lu.ShapeError) as error:
            lu.cofi_cost_func_v(np.ones((3, 2)), np.ones((4, 3)), np.ones((1, 4)), np.ones((3, 4)), np.ones((3, 4)), 1.0)
        return result, str(error.value)

    english_result, english_error = in_language(monkeypatch, SOURCE, run)
    result, error = in_language(monkeypatch, language, run)
    assert result.passed and str(result) != str(english_result)
    assert error != english_error
