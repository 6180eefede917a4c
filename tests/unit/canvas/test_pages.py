from __future__ import annotations

import pytest

from app.canvas.pages import header, next_page_url, parse_link_header


def test_parse_link_header_reads_every_rel() -> None:
    value = (
        '<https://c.test/api/v1/x?page=1>; rel="current",'
        '<https://c.test/api/v1/x?page=2>; rel="next",'
        '<https://c.test/api/v1/x?page=1>; rel="first",'
        '<https://c.test/api/v1/x?page=9>; rel="last"'
    )
    assert parse_link_header(value) == {
        "current": "https://c.test/api/v1/x?page=1",
        "next": "https://c.test/api/v1/x?page=2",
        "first": "https://c.test/api/v1/x?page=1",
        "last": "https://c.test/api/v1/x?page=9",
    }


def test_parse_link_header_accepts_unquoted_uppercase_and_multiple_rels() -> None:
    value = '<https://c.test/a?page=2>; REL=NEXT, <https://c.test/a?page=3>; rel="prev last"'
    assert parse_link_header(value) == {
        "next": "https://c.test/a?page=2",
        "prev": "https://c.test/a?page=3",
        "last": "https://c.test/a?page=3",
    }


def test_parse_link_header_keeps_commas_inside_urls() -> None:
    value = '<https://c.test/a?include[]=a,b&page=2>; rel="next"'
    assert parse_link_header(value) == {"next": "https://c.test/a?include[]=a,b&page=2"}


@pytest.mark.parametrize("name", ["Link", "link", "LINK", "lInK"])
def test_next_page_url_finds_the_header_in_any_case(name: str) -> None:
    assert next_page_url({name: '<https://c.test/n>; rel="next"'}) == "https://c.test/n"


def test_next_page_url_is_none_on_the_last_page() -> None:
    assert next_page_url({"Link": '<https://c.test/f>; rel="first"'}) is None
    assert next_page_url({}) is None
    assert header({"X-A": "1"}, "x-b") is None
