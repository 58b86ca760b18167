"""What an English phrase of the tests becomes in another language, read from the catalogs, so
the same tests run in every language without a list of phrases per language."""

from __future__ import annotations

import functools
import re

from editions import catalogs


@functools.lru_cache(maxsize=None)
def _messages(language: str) -> dict[str, str]:
    words = catalogs.translations(language, catalogs.MESSAGES_DOMAIN)
    return {msgid: msgstr for msgid, msgstr in words.items() if isinstance(msgid, str)}


def renderings(phrase: str, language: str) -> list[str]:
    """For each message containing ``phrase``, the longest stretch of its translation between
    placeholders: the words a learner reading ``language`` sees where English shows ``phrase``."""
    found = []
    for msgid, msgstr in _messages(language).items():
        if phrase in msgid:
            pieces = [p.strip(" :;,.()") for p in re.split(r"\{[^{}]*\}", msgstr)]
            found.append(max(pieces, key=len))
    return found


def shows(text: str, phrase: str, language: str) -> bool:
    """Whether ``text`` shows, in ``language``, a message that says ``phrase`` in English. A phrase
    that no one message holds but that messages put together make ("known mistake: the square
    is missing") is shown when each of its parts is."""
    options = renderings(phrase, language)
    if not options and ": " in phrase:
        return all(shows(text, part, language) for part in phrase.split(": ") if part.strip())
    assert options, f"no message of the {language} catalog says {phrase!r}"
    return any(option in text for option in options)


PSEUDO = "eo"
"""The pseudo-language's code (Esperanto's: a real locale, with no catalog of ours)."""


def pseudo_language(folder, monkeypatch) -> str:
    """Point lab_utils.i18n at a catalog in ``folder`` whose every message is the English wrapped
    in « »; returns its code. A text a learner reads without « » did not come from the catalog."""
    from babel.messages.catalog import Catalog

    from lab_utils import i18n

    pseudo = Catalog(locale=PSEUDO, domain=i18n.DOMAIN)
    for message in catalogs.read(catalogs.template_path(catalogs.MESSAGES_DOMAIN)):
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            wrapped = tuple(f"«{text}»" for text in ids)
            pseudo.add(message.id, wrapped if isinstance(message.id, tuple) else wrapped[0])
    (folder / PSEUDO / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    catalogs.write(pseudo, folder / PSEUDO / "LC_MESSAGES" / f"{i18n.DOMAIN}.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", folder)
    i18n.catalog.cache_clear()
    monkeypatch.setenv(i18n.ENVIRONMENT, PSEUDO)
    return PSEUDO
