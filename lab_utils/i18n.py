"""The learner's language: every message a learner reads comes from a gettext catalog.

The English text in the code is the message id; ``lab_utils/locale/<language>/LC_MESSAGES/labs.po``
holds its translations (Babel reads the ``.po`` file directly, so nothing is compiled by hand).
The language is, first match wins:

1. the environment variable ``LABS_LANGUAGE`` (``pt_BR``, ``en``): the documented override;
2. the language a program chose with ``use`` (the grader, from the notebook it grades);
3. the notebook being run: its metadata ``i18n.language``, written by ``python -m lab_i18n build``.
   The kernel finds the notebook from ``JPY_SESSION_NAME`` (set by Jupyter Server) or else in
   its working folder, where Jupyter, nbclient and nbgrader start it;
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
    if session and session.endswith(".ipynb"):
        paths = [Path(folder, session) if not os.path.isabs(session) else Path(session)]
        paths = [p for p in paths if p.is_file()] or [Path(folder, Path(session).name)]
    else:
        paths = sorted(Path(folder).glob("*.ipynb"))
    found = set()
    for path in paths:
        try:
            found.add(notebook_language(json.loads(path.read_text(encoding="utf-8"))) or SOURCE)
        except (OSError, ValueError, AttributeError):
            continue
    return found.pop() if len(found) == 1 else SOURCE


def language() -> str:
    """The language messages are shown in now (see the module's docstring for the order)."""
    override = os.environ.get(ENVIRONMENT, "").strip()
    if override:
        return override
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


@functools.lru_cache(maxsize=None)
def catalog(language: str):
    """The translations of one language (a null catalog for English or a language without one).
    Fuzzy entries are not used: they are a translator's guess, not yet a translation."""
    import gettext

    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE or not path.is_file():
        return gettext.NullTranslations()
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
