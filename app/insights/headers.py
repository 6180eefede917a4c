"""Column names of Canvas's quiz report CSVs in the languages Canvas writes them in.

Canvas writes the Student Analysis and Item Analysis headers through ``I18n.t`` in the
language of the person who asked for the report (``student_analysis.rb``: keys
``statistics.csv_columns.*``; ``item_analysis.rb``: keys ``csv.*``). The English texts are the
defaults in those files; the Spanish ones are copied from canvas-lms ``config/locales/es.yml``
(commit 009df1d4). Parsers recognise columns by structure first (question id/points pairs,
the three trailing counters, Canvas's fixed Item Analysis positions) and use these names only
for the student columns before the questions, whose set depends on the report's options.
"""

from __future__ import annotations

#: Student Analysis columns before the questions: canonical name -> names Canvas may write.
STUDENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "nombre"),
    "id": ("id", "identificador"),
    "sis_id": ("sis_id",),
    "root_account": ("root_account",),
    "section": ("section", "sección"),
    "section_id": ("section_id",),
    "section_sis_id": ("section_sis_id",),
    "submitted": ("submitted", "entregado"),
    "attempt": ("attempt", "intento"),
    # New Quizzes (docs/emulator-quizzes.md): not translated
    "user_id": ("user_id",),
    "started_at": ("started_at",),
    "submitted_at": ("submitted_at",),
    "time_spent_seconds": ("time_spent_seconds",),
}

#: The three counters after the questions, per language (recognised by position anyway).
STUDENT_TAILS: tuple[tuple[str, str, str], ...] = (
    ("n correct", "n incorrect", "score"),
    ("n correcta", "n incorrecta", "puntaje"),
)

#: Item Analysis columns in Canvas's fixed order: English, then Spanish.
ITEM_COLUMNS: tuple[tuple[str, ...], ...] = (
    ("question id", "identificador de la pregunta"),
    ("question title", "título de la pregunta"),
    ("answered student count", "recuento de estudiantes que han respondido"),
    ("top student count", "recuento de estudiantes con mejores notas"),
    ("middle student count", "recuento de estudiantes con notas intermedias"),
    ("bottom student count", "recuento de estudiantes con notas más bajas"),
    ("quiz question count", "recuento de preguntas del examen"),
    ("correct student count", "recuento correcto de estudiantes"),
    ("wrong student count", "recuento erróneo de estudiantes"),
    ("correct student ratio", "relación correcta de estudiantes"),
    ("wrong student ratio", "relación errónea de estudiantes"),
    ("correct top student count", "estudiantes con la mayor cantidad de respuestas correctas"),
    ("correct middle student count", "recuento correcto de estudiantes con notas intermedias"),
    ("correct bottom student count", "recuento correcto de estudiantes con notas más bajas"),
    ("variance", "variancia"),
    ("standard deviation", "desviación estándar"),
    ("difficulty index", "índice de dificultad"),
    ("alpha", "alfa"),
    ("point biserial of correct", "punto biserial de respuesta correcta"),
)

_ALIASES = {alias: name for name, aliases in STUDENT_COLUMNS.items() for alias in aliases}


def student_column(header: str) -> str | None:
    """The canonical name of a student column in any known language, else None."""
    return _ALIASES.get(header.strip().lower())


def first_columns() -> tuple[str, ...]:
    """Lower-case names a quiz report CSV may start with (for separator detection)."""
    return (
        *STUDENT_COLUMNS["name"],
        *STUDENT_COLUMNS["section"],
        *ITEM_COLUMNS[0],
        "item_id",
    )
