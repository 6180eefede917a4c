"""The shipped catalogues are complete and current, so no page falls back to English silently.

Each test names the command that fixes it (``scripts/i18n ...``, docs/i18n.md). Extraction
runs here with Babel's API (well under a second) and is compared with the committed
``messages.pot``: a new ``_()`` that nobody extracted fails at once, not after a release.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages import checkers
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "N_": None,
}
LOCALES = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())

MsgId = str | tuple[str, ...]


def _key(message: Message) -> MsgId:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def _read_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _extracted() -> set[MsgId]:
    """What ``scripts/i18n extract`` would write into messages.pot, from the source today."""
    config = io.StringIO((ROOT / "babel.cfg").read_text())
    method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found: set[MsgId] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_spanish_is_shipped() -> None:
    assert "es" in LOCALES


def test_template_matches_the_source() -> None:
    """Fails when code gained or lost a translatable string: run ``scripts/i18n update``."""
    in_pot = {_key(m) for m in _messages(_read_po(POT))}
    extracted = _extracted()
    assert not extracted - in_pot, f"not extracted yet: {sorted(map(str, extracted - in_pot))}"
    assert not in_pot - extracted, f"no longer in the code: {sorted(map(str, in_pot - extracted))}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    """Every msgid of the template has a non-empty, non-fuzzy translation in the catalogue."""
    template = {_key(m) for m in _messages(_read_po(POT))}
    catalog = _read_po(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    translated: set[MsgId] = set()
    problems: list[str] = []
    for message in _messages(catalog):
        strings = (message.string,) if isinstance(message.string, str) else message.string or ()
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(f"untranslated or fuzzy: {message.id!r}")
        else:
            translated.add(_key(message))
    missing = template - {_key(m) for m in _messages(catalog)}
    problems += [f"missing (run scripts/i18n update): {m!r}" for m in sorted(map(str, missing))]
    assert not problems, "\n".join(problems)
    assert translated == template


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale: str) -> None:
    """``%(name)s`` placeholders and ``%%`` match their msgid (else the page raises)."""
    catalog = _read_po(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    errors = [
        f"{message.id!r}: {error}"
        for message in _messages(catalog)
        for error in _check(catalog, message)
    ]
    assert not errors, "\n".join(errors)


def _check(catalog: Catalog, message: Message) -> list[str]:
    found: list[str] = []
    for checker in (checkers.python_format, checkers.num_plurals):
        try:
            checker(catalog, message)
        except Exception as exc:  # Babel's TranslationError; reported, not raised
            found.append(str(exc))
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_is_current(locale: str) -> None:
    """The committed .mo holds exactly the .po's translations: run ``scripts/i18n compile``."""
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    expected = io.BytesIO()
    write_mo(expected, _read_po(folder / "messages.po", locale))
    expected.seek(0)
    fresh = read_mo(expected)
    assert {_key(m): m.string for m in _messages(compiled)} == {
        _key(m): m.string for m in _messages(fresh)
    }
    assert compiled.plural_forms == fresh.plural_forms
