"""The seed: fixed ids in every size, determinism, sizes and speed."""

from __future__ import annotations

import importlib
import time
from dataclasses import asdict

import pytest

from emulator.seed import SIZES, seed_store
from emulator.store import DeveloperKey, Store


def seeded(size: str = "small", seed: int = 42) -> Store:
    store = Store()
    seed_store(store, seed, size)
    return store


@pytest.mark.parametrize("size", ["small", "demo"])
def test_fixed_ids_exist_in_every_size(size: str) -> None:
    store = seeded(size)
    assert store.accounts[1].name == "State University"
    assert store.accounts[1].parent_account_id is None
    assert (store.accounts[2].name, store.accounts[2].parent_account_id) == ("School of Science", 1)
    assert (store.accounts[3].name, store.accounts[3].parent_account_id) == ("School of Arts", 1)
    assert [(t.name, t.sis_term_id) for t in (store.terms[1], store.terms[2], store.terms[3])] == [
        ("Fall 2026", "FA26"), ("Spring 2027", "SP27"), ("Default Term", None)]
    expected = {101: ("Biology 101", "BIO101", 2), 102: ("Chemistry 201", None, 2),
                103: ("Art History", None, 3), 104: ("Statistics 300 (large)", None, 2)}
    for cid, (name, code, account) in expected.items():
        course = store.courses[cid]
        assert (course.name, course.account_id, course.enrollment_term_id) == (name, account, 1)
        if code:
            assert course.course_code == code
    names = {uid: store.users[uid].name for uid in (1, 2, 3, 4, 5, 6, 10)}
    assert names == {1: "Ada Admin", 2: "Sam Subadmin", 3: "Tina Teacher", 4: "Tom Assistant",
                     5: "Dana Designer", 6: "Terry Teacher", 10: "Stu Student"}


def test_roles_of_fixed_users() -> None:
    store = seeded()
    admins = {(au.user_id, au.account_id, au.role) for au in store.account_users.values()}
    assert admins == {(1, 1, "Account Admin"), (2, 2, "Sub-Account Admin")}

    def types(uid: int, cid: int) -> set[str]:
        return {e.type for e in store.enrollments_of(uid, cid)}

    assert all(types(3, c) == {"TeacherEnrollment"} for c in (101, 102, 104))
    assert types(4, 101) == {"TaEnrollment"}
    assert types(5, 101) == {"DesignerEnrollment"}
    assert types(6, 103) == {"TeacherEnrollment"}
    assert types(10, 101) == {"StudentEnrollment"}
    assert store.enrollments_of(10, 101)[0].workflow_state == "active"


def test_sections_scores_and_last_access_are_seeded() -> None:
    store = seeded()
    students = [e for e in store.enrollments.values() if e.type == "StudentEnrollment"]
    assert all(store.sections[e.course_section_id].course_id == e.course_id for e in students)
    assert all(e.current_score is not None and e.current_grade for e in students)
    users = [store.users[e.user_id] for e in students]
    assert any(u.last_request_at is None for u in users)  # some never logged in
    assert sum(u.last_request_at is not None for u in users) > len(users) // 2


def test_same_seed_same_data_and_other_seed_differs() -> None:
    first, second, other = seeded(seed=7), seeded(seed=7), seeded(seed=8)
    assert [asdict(u) for u in first.users.values()] == [asdict(u) for u in second.users.values()]
    assert [asdict(e) for e in first.enrollments.values()] == [
        asdict(e) for e in second.enrollments.values()]
    assert [u.name for u in first.users.values()] != [u.name for u in other.users.values()]


def test_sizes_scale_students() -> None:
    small, demo = seeded("small"), seeded("demo")

    def students(store: Store, cid: int) -> int:
        return sum(1 for e in store.enrollments.values()
                   if e.course_id == cid and e.type == "StudentEnrollment")

    assert students(small, 101) == SIZES["small"].students_101 == 40
    assert students(demo, 101) >= 300
    assert students(demo, 104) >= 1200
    assert students(small, 104) >= 120


def test_small_seed_is_fast() -> None:
    """Well under 100 ms; best of five, since the machine is shared and timings are noisy."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        seeded()
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown emulator size"):
        seeded("huge")


def test_reseed_restarts_runtime_sequences() -> None:
    store = seeded()
    assert store.next_id("account_report") == 1
    assert store.next_id("attachment") >= 2001
    seed_store(store, 42, "small")
    assert store.next_id("account_report") == 1


def test_seeding_without_the_quiz_module(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(importlib, "import_module", missing)
    store = seeded()
    assert store.quizzes == {}
    assert 101 in store.courses


def test_a_broken_quiz_module_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> None:
        raise ModuleNotFoundError("No module named 'numpyy'", name="numpyy")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="numpyy"):
        seeded()


def test_developer_key_ids_continue_after_a_reseed() -> None:
    store = seeded()
    store.developer_keys[7] = DeveloperKey(7, "10000000000007", "api", "kept")
    seed_store(store, 42, "small")
    assert 7 in store.developer_keys
    assert store.next_id("developer_key") == 8
