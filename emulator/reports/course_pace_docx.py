"""A minimal but valid Word document (OOXML) for ``course_pace_docx`` reports.

Canvas's ``CoursePaceDocxGenerator`` renders the course pace; the emulator writes the course
name, the section/enrollment filter and the course's quizzes and assignments in order, which
is enough for a client to download, open and show a real .docx.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from emulator.store import Course, Store

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
OOXML = "http://schemas.openxmlformats.org"
MAIN_PART = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CONTENT_TYPES = (
    f'{XML_DECLARATION}<Types xmlns="{OOXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{MAIN_PART}"/></Types>'
)
RELS = (
    f'{XML_DECLARATION}<Relationships xmlns="{OOXML}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{OOXML}/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)

WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _paragraph(text: str, style: str | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def lines_for(store: Store, course: Course, parameters: dict[str, object]) -> list[str]:
    """The document's text, one paragraph per line (title first)."""
    lines = [f"Course Pace: {course.name}"]
    sections = parameters.get("section_ids")
    enrollments = parameters.get("enrollment_ids")
    if sections:
        lines.append(f"Sections: {', '.join(str(s) for s in _as_list(sections))}")
    if enrollments:
        lines.append(f"Enrollments: {', '.join(str(e) for e in _as_list(enrollments))}")
    items = sorted(
        [(q.created_at, f"Quiz: {q.title}") for q in store.quizzes.values()
         if q.course_id == course.id]
        + [(a.created_at, f"Assignment: {a.name}") for a in store.assignments.values()
           if a.course_id == course.id],
        key=lambda pair: (pair[0], pair[1]),
    )
    lines += [f"{index}. {label}" for index, (_, label) in enumerate(items, start=1)]
    if not items:
        lines.append("No module items.")
    return lines


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else [value]


def build(store: Store, course: Course, parameters: dict[str, object]) -> bytes:
    lines = lines_for(store, course, parameters)
    body = _paragraph(lines[0], "Title") + "".join(_paragraph(line) for line in lines[1:])
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{WORD_NS}"><w:body>{body}</w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()
