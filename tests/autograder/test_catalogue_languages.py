"""The catalogue of wrong answers in every language of the labs: each mistake is caught the same
way as in English, and the learner reads its diagnosis in their language (the words come from
the catalog, so a new language needs no new phrases here)."""

import numpy as np
import pytest
import tensorflow as tf

from autograder.pristine import verify
from lab_utils.i18n import ENVIRONMENT, SOURCE, available, catalog

from ..editions.words import pseudo_language, shows
from . import catalogue
from .test_catalogue import KEYS, learner_function, registry
from .test_named_mistakes import CASES as NAMED_CASES

LANGUAGES = [language for language in available() if language != SOURCE]

pytestmark = pytest.mark.usefixtures("restore_numpy")  # the catalogue's cheats replace np.allclose and np.isclose


def in_language(monkeypatch, language, run):
    """``run()`` with the learner's language set, and its result rendered as the learner sees
    it while the language is still set: (text, HTML, what passed and which mistakes)."""
    monkeypatch.setenv(ENVIRONMENT, language)
    try:
        result = run()
        return str(result), result._repr_html_(), [(case.passed, case.mistake) for case in result.cases]
    finally:
        monkeypatch.delenv(ENVIRONMENT)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", [*catalogue.WRONG, *catalogue.LOOP])
def test_each_named_mistake_is_caught_alike_and_named_in_the_language(monkeypatch, language, name):
    grade_id, source, phrase = {**catalogue.WRONG, **catalogue.LOOP}[name]
    learner = learner_function(grade_id, source)
    english, _, caught = in_language(monkeypatch, SOURCE, lambda: registry.evaluate(KEYS[grade_id], learner))
    text, html, caught_here = in_language(monkeypatch, language, lambda: registry.evaluate(KEYS[grade_id], learner))
    assert caught_here == caught and not all(passed for passed, _ in caught)
    assert shows(text, phrase, language), text
    assert phrase not in text or shows(phrase, phrase, language), text
    for english_word in ("problem(s)", "expected:", "actual:", "hint:", "[FAIL]"):
        assert english_word not in text or english_word not in english or shows(english_word, english_word, language), text
    assert shows(html, "not yet right", language), html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key, name, fn", NAMED_CASES, ids=[f"{k}: {n}" for k, n, _ in NAMED_CASES])
def test_every_named_mistake_of_every_exercise_is_named_in_the_language(monkeypatch, language, key, name, fn):
    """Each exercise's whole list of named mistakes (tests/autograder/named_mistakes.py): the same
    mistake is recognised, and the learner reads its name as the catalog translates it."""
    text, _, caught = in_language(monkeypatch, language, lambda: registry.evaluate(key, fn))
    assert caught[-1] == (False, name), text
    translated = catalog(language).gettext(name)
    assert translated != name or name.isupper(), f"{name!r} has no {language} translation"
    assert translated in text and name not in text, text


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

    def shape_error():
        with pytest.raises(lu.ShapeError) as error:
            lu.cofi_cost_func_v(np.ones((3, 2)), np.ones((4, 3)), np.ones((1, 4)), np.ones((3, 4)), np.ones((3, 4)), 1.0)
        return str(error.value)

    text, html, caught = in_language(monkeypatch, language, lambda: registry.evaluate("cofi_cost_v", cost))
    assert all(passed for passed, _ in caught)
    assert shows(text, "all tests passed", language) and shows(html, "all tests passed", language), text
    monkeypatch.setenv(ENVIRONMENT, language)
    assert shows(shape_error(), "has shape", language)


def test_every_line_a_learner_reads_comes_from_the_catalog(monkeypatch, tmp_path):
    """A pseudo-language whose every message is wrapped in « »: each line of a failed check's
    result and of its one-line summary carries a marker, so no text is left out of the catalog
    (a message that bypasses ``_`` shows up unwrapped)."""
    from autograder.result import report
    from lab_utils import i18n

    language = pseudo_language(tmp_path, monkeypatch)
    try:
        for name in ("R-ignored", "transposed"):
            grade_id, source, _ = catalogue.WRONG[name]
            learner = learner_function(grade_id, source)
            text, _, _ = in_language(monkeypatch, language, lambda: registry.evaluate(KEYS[grade_id], learner))
            bare = [line for line in text.splitlines() if not line.strip().lstrip("[").startswith("«")]
            assert not bare, f"lines not from the catalog:\n{text}"
        monkeypatch.setenv(ENVIRONMENT, language)
        with pytest.raises(AssertionError) as failure:
            report(registry.evaluate(KEYS[grade_id], learner))
        assert "«" in failure.value._render_traceback_()[0]
    finally:
        i18n.catalog.cache_clear()
