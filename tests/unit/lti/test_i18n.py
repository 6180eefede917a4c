"""Pages are translated: a compiled catalogue changes the words, the launch picks the locale."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask.testing import FlaskClient

from app.i18n import available_locales, match_locale


def _german(directory: Path) -> None:
    catalog = Catalog(locale="de")
    catalog.add("Page not found", "Seite nicht gefunden")
    catalog.add("Skip to content", "Zum Inhalt springen")
    target = directory / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


def test_accept_language_selects_a_compiled_catalogue(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    _german(tmp_path)
    app.extensions["babel"].translation_directories = [str(tmp_path)]
    with app.test_request_context():
        assert available_locales() == ["en", "de"]
    german = client.get("/nowhere", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    html = german.get_data(as_text=True)
    assert german.status_code == 404
    assert '<html lang="de">' in html
    assert "Seite nicht gefunden" in html
    assert "Zum Inhalt springen" in html
    english = client.get("/nowhere", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Page not found" in english
    assert '<html lang="en">' in english


def test_match_locale() -> None:
    assert match_locale("pt-BR", ["en", "pt_BR"]) == "pt_BR"
    assert match_locale("de-AT", ["en", "de"]) == "de"
    assert match_locale("fr", ["en"]) is None
    assert match_locale(None, ["en"]) is None
