"""The learner's language: every message a learner reads comes from a gettext catalog.

The English text in the code is the message id; ``lab_utils/locale/<language>/LC_MESSAGES/labs.po``
holds its translations (Babel reads the ``.po`` file directly, so nothing is compiled by hand).
The language is, first match wins:

1. the environment variable ``LABS_LANGUAGE`` (``pt_BR``, ``en``): the documented override;
2. the language a program chose with ``use`` (the grader, from the notebook it grades);
3. the notebook being run: its metadata ``i18n.language``, written by ``python -m editions build``.
   The kernel finds the notebook from ``JPY_SESSION_NAME`` (set by Jupyter Server) or else in
   its working folder, where Jupyter, nbclient and nbgrader start it (when the folder holds
   notebooks of two languages and Jupyter does not name the notebook: English);
4. English.

``_`` translates now; ``N_`` only marks a message for extraction, for text defined at import
(a named mistake's hint), which is translated with ``_`` where it is shown.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from contextvars import ContextVar
from pathlib import Path

DOMAIN = "labs"
ENVIRONMENT = "LABS_LANGUAGE"
SOURCE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
METADATA = "i18n"
"""The notebook metadata key: ``{"language": "pt_BR", "source": "<the English notebook>"}``."""

_chosen: ContextVar[str | None] = ContextVar("lab_utils_language", default=None)


def available() -> list[str]:
    """The languages with a catalog, English first."""
    return [SOURCE] + sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def notebook_language(notebook: dict) -> str | None:
    """The language a notebook's metadata declares (None for the English source notebooks)."""
    meta = notebook.get("metadata", {}).get(METADATA)
    language = meta.get("language") if isinstance(meta, dict) else None
    return language if isinstance(language, str) and language else None


@functools.lru_cache(maxsize=None)
def _detected(session: str | None, folder: str) -> str:
    named = Path(folder, session) if session and session.endswith(".ipynb") else None
    # Jupyter Server names the kernel's notebook; trusted when it is there, in the kernel's own
    # folder (a process started from a notebook inherits the variable, not the notebook).
    if named is not None and named.is_file() and named.resolve().parent == Path(folder).resolve():
        paths = [named]
    else:
        paths = sorted(Path(folder).glob("*.ipynb"))
    found = set()
    for path in paths:
        try:
            found.add(notebook_language(json.loads(path.read_text(encoding="utf-8"))) or SOURCE)
        except (OSError, ValueError, AttributeError):
            continue
    return found.pop() if len(found) == 1 else SOURCE


def normalized(code: str) -> str:
    """A language code as the catalogs are named: ``pt-BR``, ``pt_br`` -> ``pt_BR``; a bare ``pt``
    -> the one catalog of that language when there is one."""
    language, _sep, region = code.strip().replace("-", "_").partition("_")
    code = f"{language.lower()}_{region.upper()}" if region else language.lower()
    if code == SOURCE or (LOCALE_DIR / code).is_dir():
        return code
    regional = [name for name in available() if name.split("_")[0] == code]
    return regional[0] if len(regional) == 1 else code


def language() -> str:
    """The language messages are shown in now (see the module's docstring for the order)."""
    override = os.environ.get(ENVIRONMENT, "").strip()
    if override:
        return normalized(override)
    chosen = _chosen.get()
    if chosen:
        return chosen
    try:
        return _detected(os.environ.get("JPY_SESSION_NAME"), os.getcwd())
    except OSError:
        return SOURCE


@contextlib.contextmanager
def use(language: str | None):
    """Show messages in ``language`` inside the block (None: as if nothing were chosen)."""
    token = _chosen.set(language)
    try:
        yield
    finally:
        _chosen.reset(token)


@contextlib.contextmanager
def for_notebook(notebook: dict):
    """Show messages in the language ``notebook`` declares, English when it declares none (the
    grader's side, which must not guess from its own folder)."""
    with use(notebook_language(notebook) or SOURCE):
        yield


@functools.lru_cache(maxsize=None)
def catalog(language: str):
    """The translations of one language (a null catalog for English or a language without one).
    Fuzzy entries are not used: they are a translator's guess, not yet a translation.

    Only the catalogs shipped in ``LOCALE_DIR`` are read: the language may come from a learner's
    notebook metadata, read by the grader outside the sandbox, so it never becomes a path of
    its own (``../../submitted/...`` would be a catalog the learner wrote)."""
    import gettext

    if language == SOURCE or language not in available():
        return gettext.NullTranslations()
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as po:
        entries = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, entries, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """``message`` in the learner's language."""
    return catalog(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or the plural form of a message for ``n``, in the learner's language."""
    return catalog(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet."""
    return message


CODE_STUB = N_("YOUR CODE HERE")
"""What nbgrader leaves in a learner's exercise cell (``# YOUR CODE HERE``), in each edition's
language: ``python -m editions release`` passes it to nbgrader (see ``nbgrader_config.py``)."""
