"""Pages follow the launch's locale, end to end against the live emulator.

The emulator sends ``launch_presentation.locale`` (and ``$Message.locale``) from the Canvas
user's locale, so a test sets the seeded user's locale in the emulator's store and launches;
report and insights pages use launches built by the reports harness with a chosen locale.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.models import Launch
from app.reports.canvas_cache import DEFAULT_TTL
from app.reports.status import JobStatus
from emulator.testing import LiveEmulator
from tests.integration.launch_helpers import Journey, data_attribute, register
from tests.integration.reports_harness import (
    ADMIN_ROLES,
    STUDENT_ROLES,
    TEACHER_ROLES,
    Actor,
    World,
    world_for,
)

TINA = 3
ADA = 1
STU = 10
BIO = 101
MIDTERM = 201


def _text(html: str) -> str:
    """The page's words, without tags, entities or line breaks (what a reader sees)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _launch_as(app: Flask, emulator: LiveEmulator, user_id: int, locale: str) -> tuple[str, str]:
    registration = register(app, emulator)
    emulator.emulator.store.users[user_id].locale = locale
    journey = Journey.as_user(emulator, app, user_id)
    return journey.landing(journey.launch(_course_path(registration)))


def _course_path(registration: dict[str, Any]) -> str:
    tool = registration["client_id"]
    return f"/courses/{BIO}/external_tools/{tool}?launch_type=course_navigation"


def _stored_locale(app: Flask) -> str:
    with app.extensions["db"].session() as session:
        launch: Launch = session.scalars(select(Launch)).one()
        return launch.locale


def test_spanish_user_gets_the_landing_page_in_spanish(app: Flask, emulator: LiveEmulator) -> None:
    landing, html = _launch_as(app, emulator, TINA, "es")
    assert landing == "/course"
    assert _stored_locale(app) == "es"
    assert '<html lang="es">' in html
    text = _text(html)
    for spanish in (
        "Informes del curso",  # title and heading
        "Ir al contenido",  # skip link
        "Rol: Profesor",  # the compact header: translated role
        "Curso: Biology 101",  # Canvas's own names stay as Canvas sends them
        "Sesión iniciada como",
    ):
        assert spanish in text, spanish
    for english in ("Course reports", "Skip to content", "Role: Teacher", "Signed in as"):
        assert english not in text, english


def test_english_user_stays_in_english(app: Flask, emulator: LiveEmulator) -> None:
    _, html = _launch_as(app, emulator, TINA, "en")
    assert '<html lang="en">' in html
    text = _text(html)
    assert "Course reports" in text
    assert "Role: Teacher" in text
    assert "Informes" not in text


def test_unsupported_locale_falls_back_to_english(app: Flask, emulator: LiveEmulator) -> None:
    _, html = _launch_as(app, emulator, TINA, "pt-BR")
    assert _stored_locale(app) == "pt-BR"  # kept as Canvas sent it
    assert '<html lang="en">' in html
    assert "Course reports" in _text(html)


def test_regional_spanish_uses_the_spanish_catalogue(app: Flask, emulator: LiveEmulator) -> None:
    _, html = _launch_as(app, emulator, TINA, "es-MX")
    assert '<html lang="es">' in html
    assert "Informes del curso" in _text(html)


def _course_navigation_for_everyone(emulator: LiveEmulator) -> None:
    """A school may show the placement to students too; then the tool itself must refuse."""
    store = emulator.emulator.store
    with store.lock:
        for key in store.developer_keys.values():
            for extension in (key.lti_config or {}).get("extensions", []):
                for placement in extension.get("settings", {}).get("placements", []):
                    if placement.get("placement") == "course_navigation":
                        placement["visibility"] = "members"


@pytest.mark.parametrize("cookies", [True, False], ids=["cookie", "platform-storage"])
def test_student_is_refused_in_their_language(
    app: Flask, emulator: LiveEmulator, cookies: bool
) -> None:
    """No Launch row is written for a refusal; the verified id_token's locale still applies."""
    registration = register(app, emulator)
    _course_navigation_for_everyone(emulator)
    emulator.emulator.store.users[STU].locale = "es"
    journey = Journey.as_user(emulator, app, STU)
    refused = journey.launch(_course_path(registration), cookies=cookies)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403, html
    assert '<html lang="es">' in html
    text = _text(html)
    assert "No tiene acceso a esta página" in text
    assert "Los informes son para profesores, profesores asistentes, diseñadores y" in text


def test_platform_storage_page_speaks_the_launch_language(
    app: Flask, emulator: LiveEmulator
) -> None:
    """Cookies blocked: the page that confirms the state already uses the launch's locale."""
    registration = register(app, emulator)
    emulator.emulator.store.users[TINA].locale = "es"
    journey = Journey.as_user(emulator, app, TINA)
    _login_url, params = journey.login_params(_course_path(registration))
    login = journey.tool.post("/lti/login", data=params)
    if login.status_code == 302:
        auth_url = login.headers["Location"]
    else:
        auth_url = data_attribute(login.get_data(as_text=True), "auth-url")
    form = journey.authorize(auth_url)
    journey.tool.delete_cookie(f"lti1p3-{form['state']}")
    page = journey.tool.post("/lti/launch", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert 'id="lti-launch"' in html
    assert '<html lang="es">' in html
    assert "Comprobando el lanzamiento…" in html


# Report and insights pages: launches from the reports harness with a chosen locale.


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


def _with_locale(world: World, actor: Actor, locale: str) -> Actor:
    with world.db.session() as session:
        launch = session.get(Launch, actor.launch_id)
        assert launch is not None
        launch.locale = locale
        session.commit()
    return actor


def _teacher(world: World, locale: str = "es") -> Actor:
    actor = world.launch(
        TINA, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=BIO
    )
    return _with_locale(world, actor, locale)


def _page(actor: Actor, path: str) -> str:
    response = actor.get(path)
    assert response.status_code == 200, response.text
    assert '<html lang="es">' in response.text
    return _text(response.text)


def test_course_report_page_and_job_status_in_spanish(world: World) -> None:
    tina = _teacher(world)
    text = _page(tina, "/reports/course")
    for spanish in (
        "Ritmo del curso",
        "Exportar el ritmo del curso (Word)",
        "Cuestionarios",
        "Cuestionario clásico",
        "Nuevo cuestionario",
        "Aún no hay informes del curso.",
    ):
        assert spanish in text, spanish
    started = tina.post("/reports/course/course_pace_docx")
    assert started.status_code == 303, started.text
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.COMPLETE
    text = _page(tina, "/reports/course")
    assert "Completado" in text
    assert "Informe Iniciado por Estado Progreso Archivo Acciones" in text  # table header
    as_json = tina.api(f"/api/jobs/{job.id}").get_json()
    assert as_json["status_label"] == "Completado"


def test_quiz_page_in_spanish(world: World) -> None:
    text = _page(_teacher(world), f"/reports/quiz/{MIDTERM}")
    for spanish in (
        "Todos los informes del curso",
        "Análisis de estudiantes",
        "Incluir todos los intentos",
        "Generar el Análisis de estudiantes",
        "Generar el Análisis de ítems",
        "Aún no hay informes.",
    ):
        assert spanish in text, spanish
    assert "Generate Item Analysis" not in text


def test_failed_job_error_is_translated(world: World) -> None:
    """Job errors are stored in English (N_) and shown in each viewer's language."""
    tina = _teacher(world)
    started = tina.post("/reports/course/course_pace_docx")
    assert started.status_code == 303, started.text
    [job] = world.jobs()
    with world.db.session() as session:
        row = session.get(type(job), job.id)
        assert row is not None
        row.status = JobStatus.FAILED.value
        row.error = "Canvas reported an error."
        session.commit()
    text = _page(tina, f"/reports/jobs/{job.id}")
    assert "Canvas informó de un error." in text
    assert "Fallido" in text
    assert tina.api(f"/api/jobs/{job.id}").get_json()["error"] == "Canvas informó de un error."
    english = _teacher(world, "en")
    assert "Canvas reported an error." in _text(english.get(f"/reports/jobs/{job.id}").text)


def test_account_reports_page_in_spanish(world: World) -> None:
    ada = _with_locale(world, world.launch(ADA, roles=ADMIN_ROLES, account_id=1), "es")
    text = _page(ada, "/reports/account")
    for spanish in (
        "Informes de la cuenta",
        "Informes disponibles",
        "Última ejecución en Canvas",
        "Ejecutar o ver el historial",
        "Registro de auditoría",
        "Todavía no hay nada registrado.",
    ):
        assert spanish in text, spanish
    started = ada.post("/reports/account/last_user_access_csv")
    assert started.status_code == 303, started.text
    world.run_until_settled()
    world.advance(DEFAULT_TTL)  # a start keeps the cached catalogue; Canvas's last run shows
    text = _page(ada, "/reports/account")  # once it expires
    # Canvas's last-run state and the audit trail's action, in Spanish
    assert "Last User Access last_user_access_csv Completado" in text
    assert "iniciado" in text
    assert " complete " not in text
    assert " start " not in text


def test_refusal_is_polite_in_spanish(world: World) -> None:
    """A student's account-page request is refused in their language."""
    stu = _with_locale(world, world.launch(STU, roles=STUDENT_ROLES, course_id=BIO), "es")
    response = stu.get("/reports/course")
    assert response.status_code == 403
    assert '<html lang="es">' in response.text
    assert "No tiene acceso a esta página" in _text(response.text)


def test_insights_page_in_spanish_with_plurals(world: World) -> None:
    tina = _teacher(world)
    started = tina.post(
        f"/reports/quiz/{MIDTERM}", {"report_type": "student_analysis", "all_versions": "1"}
    )
    assert started.status_code == 303, started.text
    world.run_until_settled()
    job = world.jobs()[-1]
    assert job.status == JobStatus.COMPLETE
    response = tina.get(f"/insights/jobs/{job.id}")
    assert response.status_code == 200, response.text
    html = response.text
    assert '<html lang="es">' in html
    text = _text(html)
    for spanish in (
        "Estadísticas del cuestionario",
        "Resumen",
        "Intentos analizados",
        "Error estándar de medición",
        "Alfa de Canvas",
        "Distribución de las puntuaciones",
        "Cómo interpretar las alertas",
        # the seeded miskeyed question's flag, worded by the catalogue
        "El grupo inferior obtuvo mejores resultados que el superior",
    ):
        assert spanish in text, spanish
    counts = re.findall(r'<span class="flag-count">(\d+) (alertas?)</span>', html)
    assert counts, "no flag counts rendered"
    assert all((n == "1") == (word == "alerta") for n, word in counts), counts
    labels: dict[str, Any] = dict(
        re.findall(r'data-([a-z]+)="([^"]*)"', html.split('id="insights-labels"')[1][:900])
    )
    assert labels["attempts"] == "Intentos"
    assert unescape(labels["share"]) == "% del grupo"


def test_authorization_prompt_in_spanish(world: World) -> None:
    """No Canvas token yet: the page and the JSON ask for it in the user's language."""
    actor = world.launch(
        TINA,
        roles=TEACHER_ROLES,
        canvas_roles=["TeacherEnrollment"],
        course_id=BIO,
        authorize=False,
    )
    tina = _with_locale(world, actor, "es")
    response = tina.get("/reports/course")
    assert response.status_code == 401, response.text
    text = _text(response.text)
    assert "Canvas necesita su permiso" in text
    assert "Conecte la herramienta con su cuenta de Canvas: elija Autorizar." in text
    assert "Autorizar" in text
    as_json = tina.http.get(
        "/reports/course",
        headers={"Authorization": f"Bearer {tina.token}", "Accept": "application/json"},
    )
    assert as_json.status_code == 401
    assert as_json.get_json()["message"] == (
        "Conecte la herramienta con su cuenta de Canvas: elija Autorizar."
    )
