"""The insights page and CSV export for completed quiz report jobs (tool + live emulator)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from flask import Flask

from app.insights.parse import parse_canvas_item_analysis
from app.lti.claims import CONTEXT
from app.models.job import Job
from app.models.launch import Launch
from app.reports.status import JobStatus
from emulator.reports.item_analysis import item_questions
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import (
    STUDENT_ROLES,
    TEACHER_ROLES,
    Actor,
    World,
    world_for,
)

TINA = 3
STU = 10
BIO = 101
MIDTERM = 201
GENETICS = 301


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


def teacher(world: World) -> Actor:
    return world.launch(
        TINA, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=BIO
    )


def completed(world: World, actor: Actor, path: str, form: dict[str, str]) -> int:
    started = actor.post(path, form)
    assert started.status_code == 303, started.text
    world.run_until_settled()
    job = world.jobs()[-1]
    assert job.status == JobStatus.COMPLETE
    return job.id


def student_analysis_job(world: World, actor: Actor) -> int:
    return completed(
        world,
        actor,
        f"/reports/quiz/{MIDTERM}",
        {"report_type": "student_analysis", "all_versions": "1"},
    )


def charts(page_text: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="insights-data">(.*?)</script>', page_text, re.S
    )
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_student_analysis_page_shows_summary_items_and_chart_data(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    page = tina.get(f"/insights/jobs/{job_id}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Cell Biology Midterm" in text
    assert text.count('<tr id="row-') == 20
    # the seeded quiz has a miskeyed question; its flags are rendered (and escaped) text
    assert "The bottom group did better than the top group" in text
    assert "&ldquo;" in text or "“" in text
    assert '<option value="first" selected>' in text
    assert 'value="last"' in text
    assert 'data-testid="alpha">' in text
    data = charts(text)
    assert sum(data["histogram"]["counts"]) > 0  # type: ignore[index]
    assert len(data["scatter"]) == 20  # type: ignore[arg-type]
    assert "vendor/chartjs/chart.umd.min.js" in text
    # CSP: the only script without src is the JSON data block
    assert re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text) == [
        ' type="application/json" id="insights-data"'
    ]
    assert "style=" not in text


def test_policy_changes_the_attempts_analysed(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    first = tina.get(f"/insights/jobs/{job_id}?policy=first").text
    every = tina.get(f"/insights/jobs/{job_id}?policy=all").text
    assert '<option value="all" selected>' in every

    def attempts(text: str) -> int:
        found = re.search(r"Attempts analysed</dt><dd>(\d+)</dd>", text)
        assert found is not None
        return int(found.group(1))

    assert attempts(every) > attempts(first) > 0


def test_unknown_policy_is_a_bad_request(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    assert tina.get(f"/insights/jobs/{job_id}?policy=best").status_code == 400


def test_policy_the_report_cannot_honour_is_a_bad_request(world: World) -> None:
    tina = teacher(world)
    job_id = completed(world, tina, f"/reports/quiz/{MIDTERM}", {"report_type": "student_analysis"})
    page = tina.get(f"/insights/jobs/{job_id}")
    assert page.status_code == 200
    assert '<option value="as_reported" selected>' in page.text
    assert tina.get(f"/insights/jobs/{job_id}?policy=first").status_code == 400


def test_items_csv_export_has_one_row_per_question(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    export = tina.get(f"/insights/jobs/{job_id}/items.csv?policy=last")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    assert "latest attempts" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 20
    assert {"difficulty", "discrimination", "point_biserial", "item_rest", "flags"} <= set(rows[0])
    assert all(0 <= float(r["difficulty"]) <= 1 for r in rows)


def test_item_analysis_job_shows_canvas_numbers(world: World) -> None:
    tina = teacher(world)
    job_id = completed(world, tina, f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    page = tina.get(f"/insights/jobs/{job_id}")
    assert page.status_code == 200, page.text
    assert "computed by Canvas" in page.text
    assert page.text.count("<tr>") >= 20
    export = tina.get(f"/insights/jobs/{job_id}/items.csv")
    assert len(list(csv.DictReader(io.StringIO(export.text)))) == 20


@pytest.mark.parametrize(
    ("report_type", "fmt", "marker"),
    [
        ("student_analysis", "csv", "latest attempt"),
        ("student_analysis", "json", "latest attempt"),
        ("item_analysis", "json", "computed by New Quizzes"),
        ("item_analysis", "csv", "computed by New Quizzes"),
    ],
)
def test_new_quizzes_reports_render(world: World, report_type: str, fmt: str, marker: str) -> None:
    tina = teacher(world)
    job_id = completed(
        world, tina, f"/reports/new_quiz/{GENETICS}", {"report_type": report_type, "format": fmt}
    )
    page = tina.get(f"/insights/jobs/{job_id}")
    assert page.status_code == 200, page.text
    assert marker in page.text


def test_students_cannot_see_insights(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    stu = world.launch(STU, roles=STUDENT_ROLES, canvas_roles=["StudentEnrollment"], course_id=BIO)
    assert stu.get(f"/insights/jobs/{job_id}").status_code == 404
    assert stu.get(f"/insights/jobs/{job_id}/items.csv").status_code == 404


def test_insights_need_a_launch(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    assert tina.http.get(f"/insights/jobs/{job_id}").status_code in {401, 403}


def test_non_quiz_reports_have_no_insights(world: World) -> None:
    tina = teacher(world)
    job_id = completed(world, tina, "/reports/course/course_pace_docx", {})
    page = tina.get(f"/insights/jobs/{job_id}")
    assert page.status_code == 404
    assert "quiz reports only" in page.text


def test_unreadable_report_is_explained_with_its_line(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    job = world.job(job_id)
    assert job.file_id is not None
    attachment = world.live.emulator.store.attachments[job.file_id]
    header = attachment.data.splitlines()[0]
    attachment.data = header + b"\nonly,three,fields\n"
    page = tina.get(f"/insights/jobs/{job_id}")
    assert page.status_code == 422
    assert "line 2" in page.text


def test_exported_numbers_agree_with_the_live_item_analysis(world: World) -> None:
    """End to end: both reports generated by the live emulator and fetched through the tool."""
    tina = teacher(world)
    student_job = student_analysis_job(world, tina)
    item_job = completed(world, tina, f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    export = tina.get(f"/insights/jobs/{student_job}/items.csv?policy=first").text
    ours = {row["question_id"]: row for row in csv.DictReader(io.StringIO(export))}
    canvas = parse_canvas_item_analysis(tina.get(f"/reports/jobs/{item_job}/download").data)
    assert len(canvas.rows) == 20
    for row in canvas.rows:
        mine = ours[row.question_id]
        assert int(mine["respondents"]) == row.answered
        assert float(mine["difficulty"]) == pytest.approx(row.difficulty, abs=1e-5)
        assert float(mine["point_biserial"]) == pytest.approx(row.point_biserial_correct, abs=1e-5)
        assert float(mine["discrimination"]) == pytest.approx(row.discrimination, abs=1e-5)


def test_group_size_can_be_chosen(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    canvas_split = tina.get(f"/insights/jobs/{job_id}").text
    assert '<option value="0.27" selected>27% (as Canvas)</option>' in canvas_split
    halves = tina.get(f"/insights/jobs/{job_id}?split=0.5")
    assert halves.status_code == 200
    assert '<option value="0.5" selected>' in halves.text
    assert "the top 50%" in halves.text
    assert "split=0.5" in halves.text  # the export link keeps the choice
    assert tina.get(f"/insights/jobs/{job_id}?split=0.1").status_code == 400
    assert tina.get(f"/insights/jobs/{job_id}?split=half").status_code == 400


def test_a_section_can_be_analysed_alone(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    everyone = tina.get(f"/insights/jobs/{job_id}").text
    assert "Biology 101 Section A" in everyone
    found = re.search(r'<option value="(\d+)" >Biology 101 Section A</option>', everyone)
    assert found is not None
    section_a = tina.get(f"/insights/jobs/{job_id}?section={found.group(1)}").text
    assert f'<option value="{found.group(1)}" selected>' in section_a

    def attempts(text: str) -> int:
        counted = re.search(r"Attempts analysed</dt><dd>(\d+)</dd>", text)
        assert counted is not None
        return int(counted.group(1))

    assert 0 < attempts(section_a) < attempts(everyone)
    assert f"section={found.group(1)}" in section_a  # the export keeps the filter
    assert tina.get(f"/insights/jobs/{job_id}?section=424242").status_code == 400


def test_a_report_without_attempts_still_renders(world: World) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    job = world.job(job_id)
    assert job.file_id is not None
    attachment = world.live.emulator.store.attachments[job.file_id]
    attachment.data = attachment.data.splitlines()[0] + b"\n"
    page = tina.get(f"/insights/jobs/{job_id}")
    assert page.status_code == 200, page.text
    assert re.search(r"Attempts analysed</dt><dd>0</dd>", page.text)
    assert charts(page.text)["histogram"] == {"labels": [], "counts": []}
    export = tina.get(f"/insights/jobs/{job_id}/items.csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 20
    assert all(r["flags"] == "no_responses" for r in rows)


def _course_code(world: World, actor: Actor, label: str) -> None:
    """Give the launch the LTI context claim Canvas sends (``label`` = the course code)."""
    with world.db.session() as session:
        launch = session.get(Launch, actor.launch_id)
        assert launch is not None
        launch.claims = {CONTEXT: {"id": "ctx", "label": label, "title": "Biology 101"}}
        session.commit()


def _disposition(response_headers: object) -> tuple[str, str]:
    header = response_headers["Content-Disposition"]  # type: ignore[index]
    match = re.fullmatch(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)', header)
    assert match, header
    return match[1], unquote(match[2])


@pytest.mark.parametrize(
    ("policy", "kind"),
    [
        ("first", "item analysis (first attempts)"),
        ("last", "item analysis (latest attempts)"),
        ("all", "item analysis (all attempts)"),
    ],
)
def test_export_is_named_after_course_quiz_kind_and_date(
    world: World, policy: str, kind: str
) -> None:
    tina = teacher(world)
    _course_code(world, tina, "BIO101")
    job_id = student_analysis_job(world, tina)
    export = tina.get(f"/insights/jobs/{job_id}/items.csv?policy={policy}")
    assert export.status_code == 200
    day = world.now().date().isoformat()
    expected = f"BIO101 - Cell Biology Midterm - {kind} - {day}.csv"
    assert _disposition(export.headers) == (expected, expected)


def test_item_analysis_export_name_and_unsafe_characters(world: World) -> None:
    tina = teacher(world)
    _course_code(world, tina, "BIO/101")
    job_id = completed(world, tina, f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    with world.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.title = 'Café: "Midterm" 1/2? - Item Analysis'
        session.commit()
    export = tina.get(f"/insights/jobs/{job_id}/items.csv")
    day = world.now().date().isoformat()
    ascii_name, utf8_name = _disposition(export.headers)
    assert utf8_name == f"BIO 101 - Café Midterm 1 2 - item analysis by Canvas - {day}.csv"
    assert ascii_name == f"BIO 101 - Cafe Midterm 1 2 - item analysis by Canvas - {day}.csv"


def test_export_name_falls_back_to_the_context_title(world: World) -> None:
    tina = teacher(world)  # the harness's launch has no LTI context claim, only its title
    job_id = student_analysis_job(world, tina)
    name, _ = _disposition(tina.get(f"/insights/jobs/{job_id}/items.csv").headers)
    assert name.startswith("course 101 - Cell Biology Midterm - item analysis (first attempts)")


def test_item_analysis_page_lists_no_phantom_distractors(world: World) -> None:
    tina = teacher(world)
    job_id = completed(world, tina, f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    canvas = parse_canvas_item_analysis(tina.get(f"/reports/jobs/{job_id}/download").data)
    assert len(canvas.rows[0].point_biserial_distractors) == 3  # columns for 4-answer questions
    page = tina.get(f"/insights/jobs/{job_id}").text
    lists = re.findall(r'<ul class="option-list" data-testid="options">(.*?)</ul>', page, re.S)
    assert len(lists) == len(canvas.rows) == 20
    kinds = {str(q.id): q for q in item_questions(world.live.emulator.store.quizzes[MIDTERM])}
    true_false = [
        listed
        for row, listed in zip(canvas.rows, lists, strict=True)
        if kinds[row.question_id].question_type == "true_false_question"
    ]
    assert len(true_false) == 5
    for listed in true_false:  # the correct answer and its one distractor, nothing else
        assert listed.count("<li>") == 2
        assert "Distractor 2" in listed
        assert "Distractor 3" not in listed
    assert page.count("Answer text not in this report.") == 20
    assert "alpha counts only the 20 multiple-choice and true/false questions" in page


def test_spanish_launch_gets_spanish_notes_and_export_name(world: World) -> None:
    tina = teacher(world)
    _course_code(world, tina, "BIO101")
    with world.db.session() as session:
        launch = session.get(Launch, tina.launch_id)
        assert launch is not None
        launch.locale = "es"
        session.commit()
    student_job = student_analysis_job(world, tina)
    page = tina.get(f"/insights/jobs/{student_job}?policy=all").text
    assert "El alfa de Canvas usa la fórmula de su análisis de ítems" in page
    assert "difieren de estos (todos los intentos)" in page
    name, _ = _disposition(tina.get(f"/insights/jobs/{student_job}/items.csv").headers)
    day = world.now().date().isoformat()
    assert name == (
        f"BIO101 - Cell Biology Midterm - analisis de items (primeros intentos) - {day}.csv"
    )
    item_job = completed(world, tina, f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    page = tina.get(f"/insights/jobs/{item_job}").text
    assert "El texto de las respuestas no está en este informe." in page
    assert "Distractor 2" in page
    assert charts(page)["options"]["0"]["labels"][0] == "Respuesta correcta ✓"  # type: ignore[index]
