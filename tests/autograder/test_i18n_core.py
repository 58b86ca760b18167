"""The learner's language: how lab_utils.i18n picks it, and the autograder's core speaking it while
the data a class report reads (exercise titles, mistake names) stays English."""

import gettext
import json
import os

import pytest

from autograder.mistakes import Mistake
from autograder.result import HIDDEN, SEALED, CaseResult, CheckResult, failure, shown_title
from lab_utils import i18n

XX_PO = r'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "all tests passed"
msgstr "tudo certo"

msgid "FAIL"
msgstr "FALHOU"

msgid "expected: {expected}"
msgstr "esperado: {expected}"

msgid "{count} problem(s)"
msgid_plural "{count} problem(s)"
msgstr[0] "{count} problema"
msgstr[1] "{count} problemas"

msgid "{title}: {problems}, shown above"
msgstr "{title}: {problems}, acima"

msgid "{title} (hidden cases)"
msgstr "{title} (casos ocultos)"

msgid "squared distance"
msgstr "distância ao quadrado"

msgid "{hint} (known mistake: {name})"
msgstr "{hint} (erro conhecido: {name})"

msgid "the square is missing"
msgstr "falta o quadrado"

msgid "square each difference"
msgstr "eleve cada diferença ao quadrado"

msgid "{type} of {count} item"
msgid_plural "{type} of {count} items"
msgstr[0] "{type} de {count} item"
msgstr[1] "{type} de {count} itens"
'''


@pytest.fixture
def clean(monkeypatch, tmp_path):
    """No language from the environment, a folder of our own, fresh caches, before and after."""
    monkeypatch.delenv(i18n.ENVIRONMENT, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    i18n._detected.cache_clear()
    i18n.catalog.cache_clear()
    yield tmp_path
    i18n._detected.cache_clear()
    i18n.catalog.cache_clear()


@pytest.fixture
def xx(clean, monkeypatch):
    """A throwaway catalog for the language "xx" (the real catalogs are left alone)."""
    folder = clean / "locale" / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / f"{i18n.DOMAIN}.po").write_text(XX_PO, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", clean / "locale")
    return "xx"


def notebook(path, language=None):
    metadata = {i18n.METADATA: {"language": language}} if language else {}
    path.write_text(json.dumps({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}))


def failed() -> CheckResult:
    return CheckResult("squared distance" + HIDDEN,
                       [CaseResult("a case", False, "wrong value", "1", "2", mistake="the square is missing")])


def test_a_language_without_a_catalog_leaves_english(clean, monkeypatch):
    monkeypatch.setattr(i18n, "LOCALE_DIR", clean / "no-locale")
    with i18n.use("pt_BR"):
        assert i18n.language() == "pt_BR"
        assert type(i18n.catalog("pt_BR")) is gettext.NullTranslations
        assert i18n._("all tests passed") == "all tests passed"
        assert str(failed()).startswith("squared distance (hidden cases): 1 problem(s)\n[FAIL] a case: wrong value")


def test_the_environment_overrides_use_which_overrides_the_notebooks(clean, monkeypatch):
    notebook(clean / "lab.ipynb", "pt_BR")
    assert i18n.language() == "pt_BR"
    with i18n.use("fr"):
        assert i18n.language() == "fr"
        monkeypatch.setenv(i18n.ENVIRONMENT, "en")
        assert i18n.language() == "en"
    monkeypatch.setenv(i18n.ENVIRONMENT, "de")
    assert i18n.language() == "de"
    monkeypatch.delenv(i18n.ENVIRONMENT)
    with i18n.use(None):
        assert i18n.language() == "pt_BR"


def test_the_session_names_the_notebook(clean, monkeypatch):
    notebook(clean / "english.ipynb")
    notebook(clean / "portugues.ipynb", "pt_BR")
    monkeypatch.setenv("JPY_SESSION_NAME", "portugues.ipynb")
    assert i18n.language() == "pt_BR"
    i18n._detected.cache_clear()
    monkeypatch.setenv("JPY_SESSION_NAME", str(clean / "english.ipynb"))
    assert i18n.language() == "en"


def test_a_folder_of_mixed_languages_is_english(clean):
    notebook(clean / "a.ipynb", "pt_BR")
    notebook(clean / "b.ipynb")
    assert i18n.language() == "en"
    i18n._detected.cache_clear()
    (clean / "b.ipynb").unlink()
    notebook(clean / "c.ipynb", "pt_BR")
    assert i18n.language() == "pt_BR"


def test_english_is_the_source(clean):
    result = failed()
    assert shown_title(result.exercise) == "squared distance (hidden cases)"
    assert shown_title("squared distance" + HIDDEN + SEALED) == "squared distance (hidden cases) (sealed verification)"
    assert failure(result)._render_traceback_() == [
        "AssertionError: squared distance (hidden cases): 1 problem(s), shown above"]


def test_a_result_is_shown_translated_and_its_data_stays_english(xx):
    result = failed()
    with i18n.use(xx):
        text = str(result)
        html = result._repr_html_()
        summary = failure(result)._render_traceback_()
        data = result.to_dict()
    assert text.splitlines()[:3] == ["distância ao quadrado (casos ocultos): 1 problema",
                                     "[FALHOU] a case: wrong value", "    esperado: 1"]
    assert "distância ao quadrado (casos ocultos)" in html
    assert summary == ["AssertionError: distância ao quadrado (casos ocultos): 1 problema, acima"]
    assert data["exercise"] == "squared distance (hidden cases)"  # the class report's key
    assert data["cases"][0]["mistake"] == "the square is missing"


def test_a_known_mistake_is_diagnosed_in_the_learners_language_under_its_english_name(xx):
    mistake = Mistake("the square is missing", "square each difference", lambda a: a)
    with i18n.use(xx):
        diagnosis = mistake.diagnosis()
    assert diagnosis.hint == "eleve cada diferença ao quadrado (erro conhecido: falta o quadrado)"
    assert diagnosis.mistake == "the square is missing"
    assert mistake.diagnosis().hint == "square each difference (known mistake: the square is missing)"


def test_words_about_a_value_are_translated(xx):
    from autograder.compare import describe

    with i18n.use(xx):
        assert describe([1, 2]) == "list de 2 itens"
        assert describe((1,)) == "tuple de 1 item"
    assert describe([1, 2]) == "list of 2 items"


def test_a_session_naming_a_notebook_that_is_not_there_or_elsewhere_falls_back_to_the_folder(clean, monkeypatch, tmp_path_factory):
    notebook(clean / "renamed.ipynb", "pt_BR")
    monkeypatch.setenv("JPY_SESSION_NAME", str(clean / "before-the-rename.ipynb"))
    assert i18n.language() == "pt_BR"
    i18n._detected.cache_clear()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    notebook(elsewhere / "english.ipynb")  # the notebook a process was started from, not this kernel's
    monkeypatch.setenv("JPY_SESSION_NAME", str(elsewhere / "english.ipynb"))
    assert i18n.language() == "pt_BR"


@pytest.mark.parametrize("spelling", ["pt-BR", "pt_br", "PT_BR", "pt"])
def test_the_override_is_read_however_the_language_is_spelled(monkeypatch, spelling):
    monkeypatch.setenv(i18n.ENVIRONMENT, spelling)
    assert i18n.language() == "pt_BR"


def test_a_language_named_by_a_notebook_is_never_a_path_to_a_catalog_of_its_own(tmp_path):
    """A submission's metadata is the learner's: "language": "../../<their folder>" must not make
    the grader read a catalog the learner wrote beside their notebook (it could turn any message
    into a format string of its own). Only the shipped catalogs are read; anything else is English."""
    planted = tmp_path / "evil" / "LC_MESSAGES"
    planted.mkdir(parents=True)
    planted.joinpath(f"{i18n.DOMAIN}.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "all tests passed"\nmsgstr "FORGED {0.__class__}"\n', encoding="utf-8")
    sneaky = os.path.relpath(tmp_path / "evil", i18n.LOCALE_DIR)
    assert (i18n.LOCALE_DIR / sneaky / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").is_file()
    notebook = {"metadata": {"i18n": {"language": sneaky}}, "cells": []}
    with i18n.for_notebook(notebook):
        assert i18n._("all tests passed") == "all tests passed"
    assert type(i18n.catalog(sneaky)) is gettext.NullTranslations
    assert type(i18n.catalog("pt_BR")) is gettext.GNUTranslations
