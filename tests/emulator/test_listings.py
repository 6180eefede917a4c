"""Users, accounts, terms, courses and assignments listings, with Link pagination."""

from __future__ import annotations

from emulator.testing import LiveEmulator
from tests.emulator.conftest import api_as


def links(header: str) -> dict[str, str]:
    found = {}
    for part in header.split(","):
        url, rel = part.split(";")
        found[rel.strip().removeprefix('rel="').removesuffix('"')] = url.strip()[1:-1]
    return found


def test_users_self_and_by_id(emulator: LiveEmulator) -> None:
    me = api_as(emulator, 3).get("/api/v1/users/self").json()
    assert (me["id"], me["name"], me["sortable_name"]) == (3, "Tina Teacher", "Teacher, Tina")
    assert api_as(emulator, 1).get("/api/v1/users/10").json()["id"] == 10  # root admin
    assert api_as(emulator, 2).get("/api/v1/users/10").status_code == 200  # 101 is under 2
    assert api_as(emulator, 10).get("/api/v1/users/3").status_code == 401
    assert api_as(emulator, 1).get("/api/v1/users/999999").status_code == 404


def test_accounts_the_user_administers(emulator: LiveEmulator) -> None:
    assert [a["id"] for a in api_as(emulator, 1).get("/api/v1/accounts").json()] == [1]
    assert [a["id"] for a in api_as(emulator, 2).get("/api/v1/accounts").json()] == [2]
    assert api_as(emulator, 10).get("/api/v1/accounts").json() == []


def test_sub_accounts(emulator: LiveEmulator) -> None:
    ada = api_as(emulator, 1)
    subs = ada.get("/api/v1/accounts/1/sub_accounts").json()
    assert [(a["id"], a["parent_account_id"]) for a in subs] == [(2, 1), (3, 1)]
    assert ada.get("/api/v1/accounts/2/sub_accounts").json() == []
    assert api_as(emulator, 2).get("/api/v1/accounts/1/sub_accounts").status_code == 401


def test_terms_envelope(emulator: LiveEmulator) -> None:
    body = api_as(emulator, 1).get("/api/v1/accounts/1/terms").json()
    assert list(body) == ["enrollment_terms"]
    assert [t["name"] for t in body["enrollment_terms"]] == ["Fall 2026", "Spring 2027",
                                                             "Default Term"]
    assert api_as(emulator, 2).get("/api/v1/accounts/2/terms").status_code == 200
    assert api_as(emulator, 3).get("/api/v1/accounts/1/terms").status_code == 401


def test_account_courses_include_sub_accounts(emulator: LiveEmulator) -> None:
    ada = api_as(emulator, 1)
    ids = [c["id"] for c in ada.get("/api/v1/accounts/1/courses", params={"per_page": 50}).json()]
    assert ids == [101, 102, 103, 104, 105]
    science = api_as(emulator, 2).get("/api/v1/accounts/2/courses",
                                      params={"enrollment_term_id": 1}).json()
    assert [c["id"] for c in science] == [101, 102, 104]
    assert api_as(emulator, 2).get("/api/v1/accounts/3/courses").status_code == 401


def test_my_courses_and_course(emulator: LiveEmulator) -> None:
    tina = api_as(emulator, 3)
    assert [c["id"] for c in tina.get("/api/v1/courses").json()] == [101, 102, 104, 105]
    course = tina.get("/api/v1/courses/101").json()
    assert course["name"] == "Biology 101"
    assert course["enrollments"][0]["type"] == "teacher"
    assert api_as(emulator, 10).get("/api/v1/courses/101").status_code == 200
    assert api_as(emulator, 10).get("/api/v1/courses/103").status_code == 401
    assert tina.get("/api/v1/courses/999").status_code == 404


def test_assignments_flag_new_quizzes(emulator: LiveEmulator) -> None:
    assignments = api_as(emulator, 3).get("/api/v1/courses/101/assignments").json()
    flags = {a["id"]: a["is_quiz_lti_assignment"] for a in assignments}
    store = emulator.emulator.store
    expected = {a.id: a.is_quiz_lti_assignment for a in store.assignments.values()
                if a.course_id == 101}
    assert flags == expected
    if 301 in store.assignments:
        assert flags[301] is True


def test_link_header_pagination(emulator: LiveEmulator) -> None:
    api = api_as(emulator, 1)
    first = api.get("/api/v1/accounts/1/courses", params={"per_page": 2})
    assert [c["id"] for c in first.json()] == [101, 102]
    rels = links(first.headers["Link"])
    assert set(rels) == {"current", "next", "first", "last"}
    assert rels["next"] == f"{emulator.url}/api/v1/accounts/1/courses?page=2&per_page=2"
    assert rels["last"].endswith("page=3&per_page=2")
    last = api.session.get(rels["last"], timeout=10)
    assert [c["id"] for c in last.json()] == [105]
    last_rels = links(last.headers["Link"])
    assert "next" not in last_rels
    assert last_rels["prev"].endswith("page=2&per_page=2")


def test_pagination_defaults_caps_and_hides_the_token(emulator: LiveEmulator) -> None:
    api = api_as(emulator, 1)
    default = api.get("/api/v1/accounts/1/courses")
    assert "per_page=10" in default.headers["Link"]
    capped = api.get("/api/v1/accounts/1/courses", params={"per_page": 5000})
    assert "per_page=100" in capped.headers["Link"]
    api.session.headers.pop("Authorization")
    with_param = api.get("/api/v1/accounts/1/courses",
                         params={"access_token": api.token, "search_term": "bio"})
    assert with_param.status_code == 200
    assert [c["id"] for c in with_param.json()] == [101]
    assert "access_token" not in with_param.headers["Link"]
    assert "search_term=bio" in with_param.headers["Link"]


def test_invalid_paging_values_fall_back_to_defaults(emulator: LiveEmulator) -> None:
    api = api_as(emulator, 1)
    for bad in ("abc", "0", "-3"):
        response = api.get("/api/v1/accounts/1/courses", params={"per_page": bad, "page": bad})
        assert response.status_code == 200
        rels = links(response.headers["Link"])
        assert rels["current"].endswith("page=1&per_page=10")


def test_unknown_references_are_404(emulator: LiveEmulator) -> None:
    api = api_as(emulator, 1)
    assert api.get("/api/v1/users/nobody").status_code == 404
    assert api.get("/api/v1/accounts/sis_account_id:NOPE/terms").status_code == 404
    assert api.get("/api/v1/courses/sis_course_id:NOPE").status_code == 404
    assert api.get("/api/v1/courses/sis_course_id:BIO101-FA26").json()["id"] == 101
    assert api.get("/api/v1/accounts/sis_account_id:ARTS").json()["id"] == 3
