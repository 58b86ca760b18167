"""The gettext catalogs: templates extracted from the English sources, one ``.po`` per language.

- the notebooks: ``locale/templates/<notebook>.pot`` and ``locale/<lang>/LC_MESSAGES/<notebook>.po``;
- the messages of the autograder and lab_utils (read at run time, so inside the package):
  ``lab_utils/locale/labs.pot`` and ``lab_utils/locale/<lang>/LC_MESSAGES/labs.po``.

Babel reads, writes and merges them (``Catalog.update`` marks an entry whose English changed as
fuzzy, with the old translation kept beside it for the translator).
"""

from __future__ import annotations

import io
import json
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from .segments import pieces

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ASSIGNMENT = "cofi"
SOURCE_DIR = ROOT / "notebooks" / "source" / SOURCE_ASSIGNMENT
LOCALE = ROOT / "locale"
MESSAGES_LOCALE = ROOT / "lab_utils" / "locale"
MESSAGES_DOMAIN = "labs"
MESSAGE_SOURCES = ("autograder", "lab_utils")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PROJECT = "tf-cofi-labs"

KIND_COMMENT = {
    "markdown": "markdown: keep $math$, `code`, link targets and HTML as they are",
    "comment": "a comment in a code cell",
    "string": "a string in a code cell: keep {placeholders} and the quotes' escaping; "
              "keep it as it is when it is data (a movie title, a key)",
}


def source_notebooks() -> list[Path]:
    return sorted(SOURCE_DIR.glob("*.ipynb"))


def languages() -> list[str]:
    """Every language with catalogs (the folders of ``locale/`` but ``templates``)."""
    return sorted(p.name for p in LOCALE.iterdir() if p.is_dir() and p.name != "templates") if LOCALE.is_dir() else []


def template_path(stem: str) -> Path:
    return MESSAGES_LOCALE / f"{MESSAGES_DOMAIN}.pot" if stem == MESSAGES_DOMAIN else LOCALE / "templates" / f"{stem}.pot"


def po_path(language: str, stem: str) -> Path:
    base = MESSAGES_LOCALE if stem == MESSAGES_DOMAIN else LOCALE
    return base / language / "LC_MESSAGES" / f"{stem}.po"


def stems() -> list[str]:
    """The catalogs of one language: one per notebook, and the messages."""
    return [p.stem for p in source_notebooks()] + [MESSAGES_DOMAIN]


def _new(language: str | None, domain: str) -> Catalog:
    return Catalog(locale=language, domain=domain, project=PROJECT, charset="utf-8", fuzzy=False,
                   header_comment=f"# {domain}: the words of {PROJECT} ({language or 'template'}).\n"
                                  "# Generated and merged by `python -m editions`; translate msgstr only.\n#")


def notebook_template(path: Path) -> Catalog:
    """The template of one English notebook: every piece with the cells it comes from."""
    catalog = _new(None, path.stem)
    for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        where = (f"{path.name}#{cell.get('id', index)}", None)
        for piece in pieces(cell):
            message = catalog.get(piece.text)
            if message is None:
                catalog.add(piece.text, locations=[where], auto_comments=[KIND_COMMENT[piece.kind]])
            elif where not in message.locations:
                message.locations.append(where)
    return catalog


def messages_template() -> Catalog:
    """The template of the learner's messages, extracted from the code with Babel."""
    catalog = _new(None, MESSAGES_DOMAIN)
    for package in MESSAGE_SOURCES:
        for filename, _lineno, message, comments, context in extract_from_dir(
                ROOT / package, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            where = (f"{package}/{filename}", None)
            existing = catalog.get(message, context)
            if existing is None:
                catalog.add(message, locations=[where], auto_comments=comments, context=context,
                            flags=("python-brace-format",) if _braces(message) else ())
            elif where not in existing.locations:
                existing.locations.append(where)
    return catalog


def _braces(message) -> bool:
    texts = message if isinstance(message, tuple) else (message,)
    return any(re.search(r"\{[^{}]*\}", text) for text in texts)


def template(stem: str) -> Catalog:
    return messages_template() if stem == MESSAGES_DOMAIN else notebook_template(SOURCE_DIR / f"{stem}.ipynb")


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def serialize(catalog: Catalog) -> str:
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, include_previous=True)
    text = out.getvalue().decode("utf-8")
    # The header's dates change on every write; they say nothing a reviewer needs.
    return re.sub(r'"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"\n', "", text)


def write(catalog: Catalog, path: Path) -> bool:
    """Write the catalog; False when the file already says the same."""
    text = serialize(catalog)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def merged(template_catalog: Catalog, existing: Catalog | None, language: str, stem: str) -> Catalog:
    """The language's catalog for this template: translations kept, new entries empty, changed
    ones fuzzy (Babel's fuzzy matching), vanished ones obsolete."""
    catalog = existing if existing is not None else _new(language, stem)
    catalog.update(template_catalog, update_creation_date=False)
    catalog.fuzzy = False
    return catalog


def extract(languages_: Iterable[str] | None = None) -> list[Path]:
    """Write every template from the English sources and merge it into each language's catalog.
    Returns the files that changed."""
    changed = []
    for stem in stems():
        tmpl = template(stem)
        if write(tmpl, template_path(stem)):
            changed.append(template_path(stem))
        for language in (languages() if languages_ is None else languages_):
            path = po_path(language, stem)
            catalog = merged(tmpl, read(path, language) if path.is_file() else None, language, stem)
            if write(catalog, path):
                changed.append(path)
    return changed


# --- what is not right in a catalog ---------------------------------------------------------

MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
LINK_TARGET = re.compile(r"\]\(([^)\s]+)[^)]*\)")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
BRACES = re.compile(r"\{[^{}]*\}")


def invariants(text: str, kind: str) -> dict[str, list[str]]:
    """What a translation must keep exactly: formulas, code, link targets, tags; placeholders."""
    if kind == "markdown":
        found = {"LaTeX": MATH.findall(text), "code": [m.group(0) for m in CODE_SPAN.finditer(MATH.sub("", text))],
                 "link": LINK_TARGET.findall(text), "HTML": HTML_TAG.findall(text)}
    elif kind == "comment":
        found = {"code": [m.group(0) for m in CODE_SPAN.finditer(text)], "LaTeX": MATH.findall(text)}
    else:
        found = {"placeholder": _fields(text)}
    return {name: sorted(values) for name, values in found.items()}


def _fields(text: str) -> list[str]:
    """The replacement fields of a format string as str.format reads them (a stray brace, which
    would make the learner's check raise, reads as one field of its own)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        return [f"<{error}>"]
    return ["{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            for _literal, name, spec, conversion in parsed if name is not None]


@dataclass(frozen=True)
class Problem:
    catalog: Path
    msgid: str
    what: str

    def __str__(self) -> str:
        short = self.msgid if len(self.msgid) < 70 else self.msgid[:67] + "..."
        try:
            where = self.catalog.relative_to(ROOT)
        except ValueError:
            where = self.catalog
        return f"{where}: {self.what}: {short!r}"


def _kind(message) -> str:
    comments = " ".join(message.auto_comments)
    for kind, text in KIND_COMMENT.items():
        if text in comments:
            return kind
    return "string"  # the messages of the code: Python format strings


def problems(language: str, stem: str, template_catalog: Catalog | None = None, path: Path | None = None) -> list[Problem]:
    """Every entry of the template that the language's catalog lacks, leaves untranslated or
    fuzzy, or whose translation lost a formula, a code span, a link or a placeholder."""
    path = path or po_path(language, stem)
    tmpl = template_catalog if template_catalog is not None else template(stem)
    if not path.is_file():
        return [Problem(path, "", "no catalog (python -m editions init " + language + ")")]
    catalog = read(path, language)
    found = []
    for entry in tmpl:
        if not entry.id:
            continue
        message = catalog.get(entry.id, entry.context)
        strings = message.string if message is not None else None
        texts = strings if isinstance(strings, (tuple, list)) else (strings,)
        if message is None:
            found.append(Problem(path, _text(entry.id), "missing (run python -m editions extract)"))
        elif message.fuzzy:
            found.append(Problem(path, _text(entry.id), "fuzzy: the English changed; check the translation "
                                                         "and remove the fuzzy flag"))
        elif not all(texts):
            found.append(Problem(path, _text(entry.id), "not translated"))
        else:
            kind = _kind(entry)
            ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
            want = invariants(ids[0], kind)
            for text in texts:
                got = invariants(text, kind)
                for name in want:
                    if want[name] != got[name]:
                        lost = sorted(set(want[name]) - set(got[name])) or want[name]
                        found.append(Problem(path, _text(entry.id), f"{name} changed in the translation "
                                                                     f"(must keep {', '.join(lost)})"))
    return found


def _text(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def translations(language: str, stem: str) -> dict[str, str]:
    """msgid -> msgstr of the entries translated and not fuzzy."""
    path = po_path(language, stem)
    if not path.is_file():
        return {}
    return {m.id: m.string for m in read(path, language)
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
