"""The shipped Spanish catalogue at work: locale choice, plurals, formats, texts marked N_()."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest
from flask import Flask, g, render_template_string
from flask.testing import FlaskClient
from flask_babel import get_locale, gettext, ngettext
from flask_limiter import RateLimitExceeded

from app import ratelimit
from app.errors import NotAuthorized
from app.i18n import N_, available_locales, select_locale, translate_known
from app.lti.roles import role_label

LIS = "http://purl.imsglobal.org/vocab/lis/v2"


def _locale_for(app: Flask, launch_locale: str | None, accept: str | None = None) -> str:
    headers = {"Accept-Language": accept} if accept else {}
    with app.test_request_context(headers=headers):
        if launch_locale is not None:
            g.launch = SimpleNamespace(locale=launch_locale)
        return select_locale()


def test_spanish_is_available(app: Flask) -> None:
    with app.test_request_context():
        assert available_locales() == ["en", "es"]


@pytest.mark.parametrize(
    ("launch_locale", "accept", "expected"),
    [
        ("es", None, "es"),
        ("es-MX", None, "es"),  # Canvas sends regional tags; the language catalogue serves it
        ("es_419", "en", "es"),
        ("en", "es", "en"),  # the launch wins over the browser
        ("en-GB", None, "en"),
        ("pt-BR", None, "en"),  # not shipped: English, not an error
        ("pt-BR", "es-ES,es;q=0.9", "es"),  # not shipped: then the browser's choice
        ("", None, "en"),
        (None, "es-AR,es;q=0.8", "es"),  # no launch (error pages, login): the browser
        (None, "fr-FR", "en"),
        (None, None, "en"),
    ],
)
def test_locale_choice(
    app: Flask, launch_locale: str | None, accept: str | None, expected: str
) -> None:
    assert _locale_for(app, launch_locale, accept) == expected


def test_spanish_plurals_and_formats(app: Flask) -> None:
    with app.test_request_context():
        g.launch = SimpleNamespace(locale="es")
        assert str(get_locale()) == "es"
        assert ngettext("%(num)d flag", "%(num)d flags", 1) == "1 alerta"
        assert ngettext("%(num)d flag", "%(num)d flags", 2) == "2 alertas"
        assert ngettext("%(num)d flag", "%(num)d flags", 0) == "0 alertas"
        assert gettext("line %(n)s", n=7) == "línea 7"
        # Jinja's newstyle gettext always %-formats: "%%" must come out as one "%".
        assert render_template_string("{{ _('%% of group') }}") == "% del grupo"
        assert render_template_string("{{ ngettext('%(num)d flag', '%(num)d flags', 3) }}") == (
            "3 alertas"
        )
        assert render_template_string('<html lang="{{ html_lang() }}">') == '<html lang="es">'


def test_english_plurals(app: Flask) -> None:
    with app.test_request_context():
        g.launch = SimpleNamespace(locale="en")
        assert ngettext("%(num)d flag", "%(num)d flags", 1) == "1 flag"
        assert ngettext("%(num)d flag", "%(num)d flags", 2) == "2 flags"


def test_translate_known_looks_up_marked_english(app: Flask) -> None:
    with app.test_request_context():
        g.launch = SimpleNamespace(locale="es")
        assert N_("Canvas reported an error.") == "Canvas reported an error."
        assert translate_known("Canvas reported an error.") == "Canvas informó de un error."
        # Canvas's own words, or a text translated already, pass through unchanged.
        assert translate_known("ErrorReport:1234 boom") == "ErrorReport:1234 boom"
        assert translate_known("Canvas informó de un error.") == "Canvas informó de un error."
        assert translate_known("") == ""  # not the catalogue's header
        assert translate_known(None) == ""
        assert render_template_string("{{ 'Canvas no longer has this report.'|translated }}") == (
            "Canvas ya no tiene este informe."
        )


@pytest.mark.parametrize(
    ("roles", "canvas_roles", "context_type", "spanish"),
    [
        ([f"{LIS}/institution/person#Administrator"], [], "account", "Administrador"),
        ([f"{LIS}/membership#Instructor"], ["TeacherEnrollment"], "course", "Profesor"),
        ([f"{LIS}/membership/Instructor#TeachingAssistant"], [], "course", "Profesor asistente"),
        ([f"{LIS}/membership#ContentDeveloper"], [], "course", "Diseñador"),
        ([f"{LIS}/membership#Learner"], [], "course", "Miembro"),
    ],
)
def test_every_role_label_is_translated(
    app: Flask, roles: list[str], canvas_roles: list[str], context_type: str, spanish: str
) -> None:
    launch = SimpleNamespace(roles=roles, canvas_roles=canvas_roles, context_type=context_type)
    label = role_label(launch)
    with app.test_request_context():
        g.launch = SimpleNamespace(locale="es")
        assert gettext(label) == spanish


def test_tool_error_pages_and_json_are_translated(app: Flask, client: FlaskClient) -> None:
    """A ToolError raised in English (N_) is shown in the request's language, page or JSON."""

    @app.get("/_test/refused")
    def refused() -> str:
        raise NotAuthorized(N_("Your role does not give access to this page."))

    spanish = {"Accept-Language": "es"}
    page = client.get("/_test/refused", headers=spanish)
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert '<html lang="es">' in html
    assert "Su rol no le da acceso a esta página." in html
    assert "No tiene acceso a esta página" in html  # the heading
    assert "Ir al contenido" in html  # the skip link of base.html
    as_json = client.get("/_test/refused", headers={**spanish, "Accept": "application/json"})
    assert as_json.get_json()["message"] == "Su rol no le da acceso a esta página."
    english = client.get("/_test/refused", headers={"Accept-Language": "en-US"})
    assert "Your role does not give access to this page." in english.get_data(as_text=True)


def test_http_error_pages_are_translated(client: FlaskClient) -> None:
    missing = client.get("/nowhere", headers={"Accept-Language": "es-ES"})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 404
    assert "Página no encontrada" in html
    assert "Esta página no existe." in html
    fallback = client.get("/nowhere", headers={"Accept-Language": "pt-BR"})
    assert "Page not found" in fallback.get_data(as_text=True)


def test_rate_limit_page_is_translated(app: Flask) -> None:
    """The 429 page and JSON (app/ratelimit.py) speak the request's language."""
    breach = cast(RateLimitExceeded, SimpleNamespace(limit=SimpleNamespace(limit="1 per minute")))
    with app.test_request_context(headers={"Accept-Language": "es"}):
        page = app.make_response(ratelimit._too_many(breach))
        assert page.status_code == 429
        html = page.get_data(as_text=True)
        assert '<html lang="es">' in html
        assert "Demasiadas solicitudes desde su red en poco tiempo." in html
    json_request = {"Accept-Language": "es", "Accept": "application/json"}
    with app.test_request_context(headers=json_request):
        body = app.make_response(ratelimit._too_many(breach)).get_json()
        assert body["message"].startswith("Demasiadas solicitudes")
