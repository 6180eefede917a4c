from __future__ import annotations

from werkzeug.datastructures import Headers

from app.web.reports import content_disposition


def test_ascii_names_pass_through() -> None:
    assert content_disposition("report.csv") == (
        "attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv"
    )


def test_non_ascii_names_get_a_fallback_and_the_exact_utf8_name() -> None:
    value = content_disposition("Café \u2013 Quiz Report.csv")
    assert 'filename="Cafe  Quiz Report.csv"' in value
    assert "filename*=UTF-8''Caf%C3%A9%20%E2%80%93%20Quiz%20Report.csv" in value
    Headers([("Content-Disposition", value)])  # latin-1 safe: a header can carry it
    value.encode("latin-1")


def test_quotes_and_line_breaks_cannot_break_the_header() -> None:
    value = content_disposition('evil"\r\nSet-Cookie: x=1.csv')
    assert "\r" not in value
    assert "\n" not in value
    assert value.count('"') == 2
