"""Pagination reads ``requests``' own ``Link`` parsing (``Response.links``)."""

from __future__ import annotations

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from app.canvas.pages import header, next_page_url


def _response(headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.headers = CaseInsensitiveDict(headers)
    return response


def test_next_page_url_picks_next_among_canvas_links() -> None:
    value = (
        '<https://c.test/api/v1/x?page=1&per_page=10>; rel="current",'
        '<https://c.test/api/v1/x?page=2&per_page=10>; rel="next",'
        '<https://c.test/api/v1/x?page=1&per_page=10>; rel="first",'
        '<https://c.test/api/v1/x?page=9&per_page=10>; rel="last"'
    )
    assert next_page_url(_response({"Link": value})) == (
        "https://c.test/api/v1/x?page=2&per_page=10")


def test_next_page_url_keeps_commas_inside_urls() -> None:
    value = ('<https://c.test/a?include[]=a,b&page=1>; rel="current", '
             '<https://c.test/a?include[]=a,b&page=2>; rel="next"')
    assert next_page_url(_response({"Link": value})) == "https://c.test/a?include[]=a,b&page=2"


@pytest.mark.parametrize("name", ["Link", "link", "LINK", "lInK"])
def test_next_page_url_finds_the_header_in_any_case(name: str) -> None:
    assert next_page_url(_response({name: '<https://c.test/n>; rel="next"'})) == (
        "https://c.test/n")


def test_next_page_url_is_none_on_the_last_page() -> None:
    assert next_page_url(_response({"Link": '<https://c.test/f>; rel="first"'})) is None
    assert next_page_url(_response({})) is None


def test_header_lookup_ignores_case() -> None:
    assert header({"X-Rate-Limit-Remaining": "600"}, "x-rate-limit-remaining") == "600"
    assert header({"X-A": "1"}, "x-b") is None
