"""Ruby output rules used by the quiz CSVs (numbers, CSV quoting, HTML to text)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from emulator.reports.quiz_format import (
    csv_line,
    html_to_text,
    ruby_float,
    ruby_round,
    ruby_sum,
    ruby_value,
    simple_variance,
    strip_tags,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "1.0"), (0.5, "0.5"), (-2.0, "-2.0"), (1 / 3, "0.3333333333333333"),
     (1e-05, "1.0e-05"), (1.5e-07, "1.5e-07"), (1e16, "1.0e+16"), (123456.0, "123456.0"),
     (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity")],
)
def test_ruby_float(value: float, expected: str) -> None:
    assert ruby_float(value) == expected


def test_ruby_value_types() -> None:
    assert ruby_value(None) == ""
    assert ruby_value(True) == "true"
    assert ruby_value(3) == "3"
    moment = datetime(2026, 9, 15, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert ruby_value(moment) == "2026-09-15 10:00:00 UTC"


@pytest.mark.parametrize(("value", "expected"),
                         [(2.5, 3), (3.5, 4), (36.5, 37), (1.35, 1), (-2.5, -3), (0.49, 0)])
def test_ruby_round_halves_away_from_zero(value: float, expected: int) -> None:
    assert ruby_round(value) == expected


def test_ruby_sum_is_compensated_and_keeps_integers() -> None:
    assert ruby_sum([1, 2, 3]) == 6
    assert isinstance(ruby_sum([1, 2]), int)
    # Naive left-to-right summation gives 0.9999999999999999 here; Ruby's Array#sum gives 1.0.
    values = [0.1] * 10
    assert ruby_sum(values) == 1.0
    assert ruby_sum([0, 0, 0.5]) == 0.5


def test_simple_variance_is_population_and_integer_zero_below_two() -> None:
    assert simple_variance([]) == 0
    assert isinstance(simple_variance([4.0]), int)
    assert simple_variance([1.0, 1.0, 0, 0, 0]) == pytest.approx(0.24)


def test_csv_line_quotes_like_ruby() -> None:
    assert csv_line(["a", "", None, 1, 2.0, "x,y", 'say "hi"', "two\nlines"]) == (
        'a,"",,1,2.0,"x,y","say ""hi""","two\nlines"\n')


def test_strip_tags_drops_tags_and_named_entities_but_decodes_numeric_ones() -> None:
    assert strip_tags("<p>A &amp; B &#960; <b>bold</b></p>") == "A  B \u03c0 bold"
    assert strip_tags(None) == ""


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("Line<br>break", "Line\nbreak"),
        ("<ul><li>a</li><li>b</li></ul>", "* a\n\n* b"),
        ('<a href="http://x.test">link</a>', "[link] (http://x.test)"),
        ('<img src="/p.png" alt="cell">', "[cell] (/p.png)"),
        ("  lots   of\n spaces ", "lots of spaces"),
        ("A &amp; B", "A & B"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_utc_clock_times_are_printed_in_utc() -> None:
    assert ruby_value(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02 03:04:05 UTC"
