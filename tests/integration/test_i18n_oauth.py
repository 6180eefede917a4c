"""The OAuth popup answers in the launch's language (it has no launch token of its own)."""

from __future__ import annotations

import re
from html import unescape

from app.models.launch import Launch
from tests.integration.oauth_harness import (  # noqa: F401 - the fixture
    CanvasWorld,
    LaunchRef,
    canvas_world_fixture,
)

TINA = 3


def _spanish_launch(canvas: CanvasWorld) -> LaunchRef:
    launch = canvas.launch(TINA)
    with canvas.db.session() as session:
        row = session.get(Launch, launch.launch_id)
        assert row is not None
        row.locale = "es"
        session.commit()
    return launch


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_connected_popup_in_spanish(canvas: CanvasWorld) -> None:
    response = canvas.authorize(_spanish_launch(canvas))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert '<html lang="es">' in html
    text = _text(html)
    assert "Conectado con Canvas" in text
    assert "Canvas Reports ya puede usar Canvas en su nombre." in text


def test_refused_consent_explained_in_spanish(canvas: CanvasWorld) -> None:
    response = canvas.authorize(_spanish_launch(canvas), decision="cancel")
    html = response.get_data(as_text=True)
    assert '<html lang="es">' in html
    text = _text(html)
    assert "La autorización de Canvas no se completó" in text
    assert "Eligió no autorizar Canvas Reports." in text


def test_unknown_state_uses_the_browser_language(canvas: CanvasWorld) -> None:
    """No state, no launch: the browser's Accept-Language is all the tool knows."""
    client = canvas.app.test_client()
    response = client.get("/oauth/callback?state=forged&code=x", headers={"Accept-Language": "es"})
    text = _text(response.get_data(as_text=True))
    assert "Esta respuesta de autorización no corresponde a ninguna solicitud" in text
