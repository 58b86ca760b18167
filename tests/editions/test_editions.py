"""The translated editions: generated from the English notebooks and the catalogs, complete, in step.

Every test runs for every language that has catalogs in ``locale/``: a new language
(``python -m editions init LANG``) is under the same tests as soon as its catalogs exist.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from editions import catalogs
from editions.__main__ import main
from editions.build import Untranslated, build, dumps, edition_dir, translate_notebook
from editions.segments import code_skeleton, markdown_blocks, pieces, translate_cell
from lab_utils.i18n import CODE_STUB, available, catalog, notebook_language

LANGUAGES = catalogs.languages()
STEMS = catalogs.stems()
NOTEBOOKS = [p.name for p in catalogs.source_notebooks()]
RELEASE = catalogs.ROOT / "notebooks" / "release"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_is_a_portuguese_edition_and_its_messages():
    assert "pt_BR" in LANGUAGES
    assert "pt_BR" in available()


@pytest.mark.parametrize("stem", STEMS)
def test_templates_are_extracted_from_the_current_english(stem):
    """A changed English notebook or message with no `python -m editions extract` after it fails here."""
    assert catalogs.template_path(stem).read_text(encoding="utf-8") == catalogs.serialize(catalogs.template(stem)), (
        f"{catalogs.template_path(stem)} is not what the English source gives: run python -m editions extract")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("stem", STEMS)
def test_catalogs_are_complete_with_formulas_code_and_placeholders_intact(language, stem):
    found = catalogs.problems(language, stem)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_edition_is_what_the_catalogs_build(language, tmp_path):
    build(language, tmp_path)
    committed = edition_dir(language)
    assert sorted(p.name for p in committed.glob("*.ipynb")) == NOTEBOOKS
    for name in NOTEBOOKS:
        assert (committed / name).read_text(encoding="utf-8") == (tmp_path / name).read_text(encoding="utf-8"), (
            f"{committed / name} is stale: run make release")


def _metadata(cell: dict) -> dict:
    """A cell's metadata but the checksum nbgrader keeps of its words (which differ by edition)."""
    meta = json.loads(json.dumps(cell["metadata"]))
    nbgrader = meta.get("nbgrader", {})
    if not (nbgrader.get("grade") and not nbgrader.get("solution")):
        meta.get("nbgrader", {}).pop("checksum", None)
    return meta


def _same_exercises(english: dict, edition: dict, where: str) -> None:
    assert len(english["cells"]) == len(edition["cells"]), where
    for ours, theirs in zip(english["cells"], edition["cells"]):
        at = f"{where}, cell {ours.get('id')}"
        assert (ours["cell_type"], ours.get("id"), _metadata(ours)) == (
            theirs["cell_type"], theirs.get("id"), _metadata(theirs)), at
        if ours["cell_type"] != "code":
            continue
        meta = ours["metadata"].get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):  # graded test cells, hidden tests included
            assert source(ours) == source(theirs), f"{at}: a graded test cell must be the same byte for byte"
        assert code_skeleton(source(ours)) == code_skeleton(source(theirs)), f"{at}: the code differs, not only words"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_an_edition_has_the_same_cells_code_grade_ids_points_and_hidden_tests(language, name):
    english = load(catalogs.SOURCE_DIR / name)
    edition = load(edition_dir(language) / name)
    _same_exercises(english, edition, name)
    assert notebook_language(edition) == language and notebook_language(english) is None
    assert sum(c["metadata"].get("nbgrader", {}).get("points", 0) for c in edition["cells"]) == sum(
        c["metadata"].get("nbgrader", {}).get("points", 0) for c in english["cells"])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_release_of_an_edition_is_generated_from_it(language, name):
    """The learners' notebooks of the edition: the English release's cells and code, the edition's words."""
    english = load(RELEASE / catalogs.SOURCE_ASSIGNMENT / name)
    release = load(RELEASE / f"{catalogs.SOURCE_ASSIGNMENT}-{language}" / name)
    _same_exercises(english, release, f"release {name}")
    edition = {c["id"]: source(c) for c in load(edition_dir(language) / name)["cells"]}
    stub = f"# {catalog(language).gettext(CODE_STUB)}\n"
    for cell in release["cells"]:
        if cell["cell_type"] == "markdown" or not cell["metadata"].get("nbgrader", {}).get("solution"):
            assert source(cell) == edition[cell["id"]] or (_hidden_tests_cleared(edition[cell["id"]], source(cell))), (
                f"{name} {cell['id']}: the release differs from the edition's notebook: run make release")
        elif cell["metadata"].get("nbgrader", {}).get("solution"):  # "# YOUR CODE HERE" in the edition's words
            assert stub in source(cell) and "NotImplementedError()" in source(cell), f"{name} {cell['id']}: {source(cell)!r}"
    assert notebook_language(release) == language


def _hidden_tests_cleared(instructor: str, learner: str) -> bool:
    """The learner's copy of a graded test cell: nbgrader removed its hidden tests, nothing else."""
    import re

    return re.sub(r"(?s)\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "", instructor).strip() == learner.strip()


# --- the workflow ---------------------------------------------------------------------------


def test_every_english_cell_survives_the_round_trip_unchanged():
    """Cutting a cell into pieces and putting each back as it was gives the cell byte for byte."""
    for path in catalogs.source_notebooks():
        for cell in load(path)["cells"]:
            assert translate_cell(cell, lambda piece: piece.text) == source(cell), f"{path.name} {cell.get('id')}"


def test_fenced_code_and_display_math_are_not_offered_for_translation():
    text = "Some words here.\n\n```python\nx = 1  # a comment\n\ny = 2\n```\n\n$$\nJ = \\frac{1}{2}\n\n$$\n\nMore words."
    chunks = [chunk for chunk, translatable in markdown_blocks(text) if translatable]
    assert [c.strip() for c in chunks] == ["Some words here.", "More words."]
    assert "".join(chunk for chunk, _ in markdown_blocks(text)) == text


def test_code_keeps_its_tokens_and_only_prose_strings_and_comments_are_offered():
    cell = {"cell_type": "code", "metadata": {}, "source":
            'rmse = {}  # the table\nrmse["global mean"] = 1.0\nprint(f"cost {J:.4f} after {n} steps")\nkey = "float32"\n'}
    assert [(p.kind, p.text) for p in pieces(cell)] == [
        ("comment", "the table"), ("string", "global mean"), ("string", "cost {J:.4f} after {n} steps")]
    translated = translate_cell(cell, lambda p: {"the table": "a tabela", "global mean": "média global",
                                                 "cost {J:.4f} after {n} steps": "custo {J:.4f} após {n} passos"}[p.text])
    assert 'rmse["média global"]' in translated and 'f"custo {J:.4f} após {n} passos"' in translated
    assert code_skeleton(translated) == code_skeleton(source(cell))
    assert code_skeleton(translated.replace("= 1.0", "= 2.0")) != code_skeleton(source(cell))


def _catalog_copy(language: str, stem: str, tmp_path: Path) -> Path:
    copy = tmp_path / f"{stem}.po"
    shutil.copy(catalogs.po_path(language, stem), copy)
    return copy


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_english_cell_that_changes_is_caught_missing_then_fuzzy(language, tmp_path):
    """Edit one English paragraph: its translation is missing from the catalog; after
    `python -m editions extract` it is fuzzy. Either way the catalog test fails and build refuses."""
    name = NOTEBOOKS[0]
    notebook = load(catalogs.SOURCE_DIR / name)
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "markdown" and pieces(c))
    old = pieces(cell)[0].text
    new = old.replace(old.split()[-1], "(edited) " + old.split()[-1])
    cell["source"] = source(cell).replace(old, new)
    changed = tmp_path / name
    changed.write_text(dumps(notebook), encoding="utf-8")
    template = catalogs.notebook_template(changed)
    po = _catalog_copy(language, changed.stem, tmp_path)

    missing = catalogs.problems(language, changed.stem, template, po)
    assert [(p.msgid, p.what.split()[0]) for p in missing] == [(new, "missing")]

    merged = catalogs.merged(template, catalogs.read(po, language), language, changed.stem)
    catalogs.write(merged, po)
    fuzzy = catalogs.problems(language, changed.stem, template, po)
    assert [(p.msgid, p.what.split()[0]) for p in fuzzy] == [(new, "fuzzy:")]
    assert f'#| msgid "{old}"' in po.read_text(encoding="utf-8")  # the translator sees what changed


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_translation_that_loses_a_formula_code_or_a_placeholder_is_caught(language, tmp_path):
    for stem, kind, pattern in ((NOTEBOOKS[2][:-6], "LaTeX", catalogs.MATH), (NOTEBOOKS[0][:-6], "code", catalogs.CODE_SPAN),
                                (catalogs.MESSAGES_DOMAIN, "placeholder", catalogs.BRACES)):
        po = _catalog_copy(language, stem, tmp_path)
        catalog = catalogs.read(po, language)
        entry = next(m for m in catalog if m.id and isinstance(m.string, str) and pattern.search(m.string))
        entry.string = pattern.sub("", entry.string, count=1)
        catalogs.write(catalog, po)
        found = catalogs.problems(language, stem, catalogs.template(stem), po)
        assert [p.msgid for p in found] == [entry.id] and kind in found[0].what, found
    # a stray brace: str.format would raise inside the learner's check
    po = _catalog_copy(language, catalogs.MESSAGES_DOMAIN, tmp_path)
    catalog = catalogs.read(po, language)
    entry = next(m for m in catalog if m.id and isinstance(m.string, str) and catalogs.BRACES.search(m.string))
    entry.string += " }"
    catalogs.write(catalog, po)
    found = catalogs.problems(language, catalogs.MESSAGES_DOMAIN, catalogs.template(catalogs.MESSAGES_DOMAIN), po)
    assert [p.msgid for p in found] == [entry.id] and "placeholder" in found[0].what, found
    # a link target and an HTML tag (the labs' markdown has none today; a paragraph may tomorrow)
    english = "See [the guide](https://www.tensorflow.org/guide/function) and <b>this</b> $J$ with `tf.function`."
    kept = "Veja [o guia](https://www.tensorflow.org/guide/function) e <b>isto</b> $J$ com `tf.function`."
    assert catalogs.invariants(kept, "markdown") == catalogs.invariants(english, "markdown")
    for lost, kind in ((kept.replace("(https://www.tensorflow.org/guide/function)", "(https://example.org)"), "link"),
                       (kept.replace("<b>isto</b>", "isto"), "HTML")):
        changed = catalogs.invariants(lost, "markdown")
        assert [name for name in changed if changed[name] != catalogs.invariants(english, "markdown")[name]] == [kind]


def test_a_third_language_is_one_command_and_a_catalog(tmp_path, monkeypatch, capsys):
    """`python -m editions init es` gives every catalog with every entry to translate; the build
    refuses until they are translated, and then gives an edition with the same code."""
    monkeypatch.setattr(catalogs, "LOCALE", tmp_path / "locale")
    monkeypatch.setattr(catalogs, "MESSAGES_LOCALE", tmp_path / "messages")
    assert main(["init", "es"]) == 0
    assert catalogs.languages() == ["es"]
    assert all(catalogs.po_path("es", stem).is_file() for stem in STEMS)
    assert main(["check", "es"]) == 1
    assert "not translated" in capsys.readouterr().out
    with pytest.raises(Untranslated):
        build("es", tmp_path / "edition")
    for stem in STEMS:  # a translator who "translates" every entry as itself
        path = catalogs.po_path("es", stem)
        catalog = catalogs.read(path, "es")
        for message in catalog:
            if message.id:
                message.string = message.id if isinstance(message.id, str) else tuple(message.id) + (message.id[1],)
        catalogs.write(catalog, path)
    assert main(["check", "es"]) == 0
    for path in build("es", tmp_path / "edition"):
        english = load(catalogs.SOURCE_DIR / path.name)
        built = load(path)
        assert notebook_language(built) == "es"
        del built["metadata"]["i18n"]
        assert built == english


def test_translate_notebook_names_the_piece_it_lacks():
    notebook = load(catalogs.SOURCE_DIR / NOTEBOOKS[0])
    with pytest.raises(KeyError):
        translate_notebook(notebook, "xx", {}, NOTEBOOKS[0])
