"""Issue 14: Spanish-headed Canvas CSVs, phantom distractors, export names.

The reports come from the emulator's ports of Canvas's generators (``emulator/reports``); the
Spanish headers are the texts of canvas-lms ``config/locales/es.yml`` (commit 009df1d4) for the
keys ``student_analysis.rb`` and ``item_analysis.rb`` write (``statistics.csv_columns.*``,
``csv.*``), put in place of the English defaults exactly as Canvas's I18n would.
"""

from __future__ import annotations

import csv
import io

import pytest

from app.insights.analysis import QuizInsights, analyse
from app.insights.export import export_filename
from app.insights.parse import parse_canvas_item_analysis, parse_report
from app.insights.reported import ReportedItemAnalysis, existing_distractors, from_canvas
from app.insights.source import ParseError
from app.insights.table import AttemptPolicy, ResponseTable
from emulator.reports.item_analysis import item_analysis_csv, item_questions
from emulator.reports.quiz_statistics import people_of_course, student_submissions
from emulator.reports.student_analysis import StudentAnalysisOptions, student_analysis_csv
from emulator.seed import seed_store
from emulator.store import Store

#: statistics.csv_columns.* in es.yml (sis_id, root_account, section_id and section_sis_id
#: are untranslated there).
SPANISH_STUDENT = {
    "name": "nombre",
    "id": "Identificador",
    "section": "sección",
    "submitted": "entregado",
    "attempt": "intento",
    "n correct": "n correcta",
    "n incorrect": "n incorrecta",
    "score": "puntaje",
}
#: csv.* in es.yml, in item_analysis.rb's order; "Point Biserial of Distractor %{num}".
SPANISH_ITEM = [
    "Identificador de la pregunta",
    "Título de la pregunta",
    "Recuento de estudiantes que han respondido",
    "Recuento de estudiantes con mejores notas",
    "Recuento de estudiantes con notas intermedias",
    "Recuento de estudiantes con notas más bajas",
    "Recuento de preguntas del examen",
    "Recuento correcto de estudiantes",
    "Recuento erróneo de estudiantes",
    "Relación correcta de estudiantes",
    "Relación errónea de estudiantes",
    "Estudiantes con la mayor cantidad de respuestas correctas",
    "Recuento correcto de estudiantes con notas intermedias",
    "Recuento correcto de estudiantes con notas más bajas",
    "Variancia",
    "Desviación estándar",
    "Índice de dificultad",
    "Alfa",
    "Punto biserial de respuesta correcta",
]


@pytest.fixture(scope="module")
def store() -> Store:
    seeded = Store()
    seed_store(seeded, seed=42, size="small")
    return seeded


def _student_csv(store: Store, quiz_id: int, **options: bool) -> str:
    quiz = store.quizzes[quiz_id]
    return student_analysis_csv(
        quiz,
        student_submissions(store, quiz),
        people_of_course(store, quiz.course_id),
        StudentAnalysisOptions(**options),
    )


def _rewrite_header(text: str, change: object) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    rows[0] = change(rows[0])  # type: ignore[operator]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _spanish_student(header: list[str]) -> list[str]:
    return [SPANISH_STUDENT.get(name, name) for name in header]


def _insights(text: str, policy: AttemptPolicy) -> QuizInsights:
    table = parse_report(text)
    assert isinstance(table, ResponseTable)
    return analyse(table, policy)


def _same(a: QuizInsights, b: QuizInsights) -> None:
    assert a.attempts == b.attempts
    assert a.students == b.students
    assert a.reliability == b.reliability
    assert a.canvas_alpha == b.canvas_alpha
    assert [i.stats for i in a.items] == [i.stats for i in b.items]
    assert a.sections == b.sections


def test_spanish_student_analysis_is_read_like_the_english_one(store: Store) -> None:
    english = _student_csv(store, 201, includes_all_versions=True)
    spanish = _rewrite_header(english, _spanish_student)
    header = spanish.splitlines()[0]
    assert header.startswith("nombre,Identificador,sección,section_id,entregado,intento,")
    assert header.endswith("n correcta,n incorrecta,puntaje")
    for policy in (AttemptPolicy.FIRST, AttemptPolicy.LAST):
        _same(_insights(spanish, policy), _insights(english, policy))
    table = parse_report(spanish)
    assert isinstance(table, ResponseTable)
    assert table.has_attempt_column  # intento
    assert not table.anonymous  # nombre, Identificador


def test_spanish_report_with_sis_and_semicolons(store: Store) -> None:
    """Canvas adds sis_id and section_sis_id (includes_sis_ids); a ';' CSV setting."""
    english = _student_csv(store, 201, includes_all_versions=True, includes_sis_ids=True)
    assert "sis_id" in english.splitlines()[0]
    spanish = _rewrite_header(english, _spanish_student)
    rows = list(csv.reader(io.StringIO(spanish)))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    _same(_insights(out.getvalue(), AttemptPolicy.FIRST), _insights(english, AttemptPolicy.FIRST))


def test_student_columns_are_found_in_any_order(store: Store) -> None:
    english = _student_csv(store, 201, includes_all_versions=True)
    rows = list(csv.reader(io.StringIO(english)))
    first = next(i for i, name in enumerate(rows[0]) if name[:1].isdigit())
    order = list(reversed(range(first)))  # attempt, submitted, section_id, section, id, name
    moved = [[row[i] for i in order] + row[first:] for row in rows]
    moved[0] = _spanish_student(moved[0])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(moved)
    _same(_insights(out.getvalue(), AttemptPolicy.FIRST), _insights(english, AttemptPolicy.FIRST))


def test_trailing_counters_are_recognised_by_position(store: Store) -> None:
    """A language the tool has no names for: the three columns after the questions."""
    english = _student_csv(store, 202)
    renamed = _rewrite_header(english, lambda h: [*h[:-3], "n richtig", "n falsch", "Punkte"])
    _same(
        _insights(renamed, AttemptPolicy.AS_REPORTED), _insights(english, AttemptPolicy.AS_REPORTED)
    )


def test_an_unknown_student_column_is_still_an_error(store: Store) -> None:
    english = _student_csv(store, 201)
    mangled = _rewrite_header(english, lambda h: ["Nombre completo", *h[1:]])
    with pytest.raises(ParseError, match="Nombre completo"):
        parse_report(mangled)


def _item_csv(store: Store, quiz_id: int) -> str:
    quiz = store.quizzes[quiz_id]
    return item_analysis_csv(quiz, student_submissions(store, quiz))


def _spanish_item(header: list[str]) -> list[str]:
    distractors = [
        f"Punto biserial del distractor {n}" for n in range(2, len(header) - len(SPANISH_ITEM) + 2)
    ]
    return [*SPANISH_ITEM, *distractors]


def test_spanish_item_analysis_is_read_like_the_english_one(store: Store) -> None:
    english = _item_csv(store, 201)
    spanish = _rewrite_header(english, _spanish_item)
    assert spanish.startswith("Identificador de la pregunta,Título de la pregunta,")
    assert parse_canvas_item_analysis(spanish) == parse_canvas_item_analysis(english)
    reported = parse_report(spanish)
    assert isinstance(reported, ReportedItemAnalysis)
    assert reported == from_canvas(parse_canvas_item_analysis(english))
    assert reported.alpha is not None  # "Alfa" read at its position


def test_item_analysis_with_a_few_unknown_names_is_read_by_position(store: Store) -> None:
    english = _item_csv(store, 201)

    def renamed(header: list[str]) -> list[str]:
        return [*header[:14], "Varianz", "Standardabweichung", *header[16:]]

    assert parse_canvas_item_analysis(_rewrite_header(english, renamed)) == (
        parse_canvas_item_analysis(english)
    )
    # but not a header that is not Canvas's
    scrambled = _rewrite_header(english, lambda h: [h[0], *(f"col {i}" for i in range(1, len(h)))])
    with pytest.raises(ParseError, match="expected column"):
        parse_canvas_item_analysis(scrambled)


def test_true_false_questions_have_no_phantom_distractors(store: Store) -> None:
    quiz = store.quizzes[201]
    answers = {str(q.id): len(q.answers) for q in item_questions(quiz)}
    assert sorted(set(answers.values())) == [2, 4]  # true/false next to four-answer questions
    canvas = parse_canvas_item_analysis(_item_csv(store, 201))
    assert {len(row.point_biserial_distractors) for row in canvas.rows} == {3}  # 3 columns
    reported = from_canvas(canvas)
    for item in reported.items:
        labels = [o.label for o in item.options]
        # never more answers than the question has; true/false: exactly its two
        assert len(labels) <= answers[item.question_id]
        if answers[item.question_id] == 2:
            assert labels == ["Correct answer", "Distractor 2"]
        assert [o.number for o in item.options] == list(range(1, len(labels) + 1))
        assert not any(o.has_text for o in item.options)  # the report has no answer texts


def test_only_trailing_blank_distractor_columns_are_dropped() -> None:
    assert existing_distractors((0.2, None, -0.1)) == (0.2, None, -0.1)
    assert existing_distractors((0.2, None, None)) == (0.2,)
    assert existing_distractors((None, None)) == ()
    assert existing_distractors(()) == ()


def test_student_analysis_distractors_carry_the_answer_texts(store: Store) -> None:
    insights = _insights(_student_csv(store, 201, includes_all_versions=True), AttemptPolicy.FIRST)
    quiz = store.quizzes[201]
    true_false = {str(q.id) for q in item_questions(quiz) if len(q.answers) == 2}
    for item in insights.items:
        texts = [o.text for o in item.stats.options]
        assert all(texts)
        assert not any(t.startswith("Distractor") for t in texts)
        if item.stats.question.id in true_false:
            assert set(texts) <= {"True", "False"}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            ["BIO101", "Cell Biology Midterm", "item analysis (latest attempts)"],
            "BIO101 - Cell Biology Midterm - item analysis (latest attempts) - 2026-12-06.csv",
        ),
        (["A/B: C?", '  "x"  ', "", "k\t\nl"], "A B C - x - k l - 2026-12-06.csv"),
        (["..", "CON"], "CON - 2026-12-06.csv"),
        ([], "2026-12-06.csv"),
        (["Café · Prüfung"], "Café · Prüfung - 2026-12-06.csv"),
    ],
)
def test_export_filenames_are_safe(parts: list[str], expected: str) -> None:
    assert export_filename(parts, "2026-12-06") == expected


def test_long_export_names_are_shortened_but_keep_the_date() -> None:
    name = export_filename(["BIO101", "x" * 300, "item analysis"], "2026-12-06")
    assert name.endswith(" - 2026-12-06.csv")
    assert len(name) <= 140
