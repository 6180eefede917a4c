"""Typed facts read from a validated id_token; the only place that spells claim URIs.

Canvas sends unknown variable substitutions unchanged (``"$Canvas.course.id"``), so every
custom value that still starts with ``$`` counts as absent (lti-oauth.md 2.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.inputs import parse_positive_id
from app.lti.roles import parse_canvas_roles

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
TARGET_LINK_URI = CLAIM + "target_link_uri"
RESOURCE_LINK = CLAIM + "resource_link"
ROLES = CLAIM + "roles"
CONTEXT = CLAIM + "context"
CUSTOM = CLAIM + "custom"
LAUNCH_PRESENTATION = CLAIM + "launch_presentation"
PLACEMENT = "https://www.instructure.com/placement"

ACCOUNT_PLACEMENTS = {"account_navigation"}
QUIZ_PLACEMENTS = {"quiz_menu", "assignment_menu", "quiz_index_menu", "assignment_index_menu"}
COURSE_PLACEMENTS = {"course_navigation"}
KNOWN_PLACEMENTS = ACCOUNT_PLACEMENTS | QUIZ_PLACEMENTS | COURSE_PLACEMENTS


def custom_value(claims: Mapping[str, Any], name: str) -> str | None:
    """A custom field's value, or None when absent, empty or an unexpanded ``$`` variable."""
    custom = claims.get(CUSTOM)
    if not isinstance(custom, Mapping):
        return None
    value = custom.get(name)
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.startswith("$"):
        return None
    return text


def _int(value: str | None) -> int | None:
    """A Canvas id from a custom field: ASCII digits, 0 < id <= 2**63-1, else None."""
    return parse_positive_id(value)


@dataclass(frozen=True)
class QuizRef:
    """Which quiz a quiz/assignment-menu launch is about (both None: show the picker)."""

    quiz_id: int | None = None
    assignment_id: int | None = None


def resolve_quiz(claims: Mapping[str, Any]) -> QuizRef:
    """lti-oauth.md 3.8: custom assignment id, custom quiz id, then target_link_uri query."""
    assignment = _int(custom_value(claims, "canvas_assignment_id"))
    if assignment is not None:
        return QuizRef(assignment_id=assignment)
    quiz = _int(custom_value(claims, "canvas_quiz_id")) or _int(custom_value(claims, "quiz_id"))
    if quiz is not None:
        return QuizRef(quiz_id=quiz)
    target = claims.get(TARGET_LINK_URI)
    query = parse_qs(urlsplit(target).query) if isinstance(target, str) else {}
    for key, kind in (("quizzes[]", "quiz"), ("assignments[]", "assignment"), ("quiz_id", "quiz")):
        for raw in query.get(key, []):
            number = _int(None if raw.startswith("$") else raw)
            if number is not None:
                if kind == "quiz":
                    return QuizRef(quiz_id=number)
                return QuizRef(assignment_id=number)
    return QuizRef()


@dataclass(frozen=True)
class LaunchFacts:
    """What the tool keeps of a launch (stored on the ``Launch`` row)."""

    deployment_id: str
    user_sub: str
    canvas_user_id: int | None
    user_name: str
    roles: list[str]
    canvas_roles: list[str]
    placement: str
    context_type: str
    lti_context_id: str | None
    context_title: str
    canvas_course_id: int | None
    canvas_account_id: int | None
    quiz: QuizRef
    locale: str
    claims_base_url: str | None


def _placement(claims: Mapping[str, Any], course_id: int | None) -> str:
    placement = claims.get(PLACEMENT)
    if isinstance(placement, str) and placement in KNOWN_PLACEMENTS:
        return placement
    # Older Canvas or other platforms: infer from the context.
    return "course_navigation" if course_id is not None else "account_navigation"


def _locale(claims: Mapping[str, Any]) -> str:
    presentation = claims.get(LAUNCH_PRESENTATION)
    candidates = [
        custom_value(claims, "canvas_user_locale"),
        presentation.get("locale") if isinstance(presentation, Mapping) else None,
        claims.get("locale"),
    ]
    for value in candidates:
        if isinstance(value, str) and 0 < len(value) <= 16:
            return value
    return "en"


def _name(claims: Mapping[str, Any]) -> str:
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()[:255]
    parts = [claims.get("given_name"), claims.get("family_name")]
    return " ".join(p for p in parts if isinstance(p, str) and p).strip()[:255]


def read_facts(claims: Mapping[str, Any]) -> LaunchFacts:
    """Extract the facts; assumes the required claims were validated already."""
    context = claims.get(CONTEXT)
    context = context if isinstance(context, Mapping) else {}
    course_id = _int(custom_value(claims, "canvas_course_id"))
    placement = _placement(claims, course_id)
    context_type = "account" if placement in ACCOUNT_PLACEMENTS else "course"
    roles = claims.get(ROLES)
    return LaunchFacts(
        deployment_id=str(claims.get(DEPLOYMENT_ID, "")),
        user_sub=str(claims.get("sub", "")),
        canvas_user_id=_int(custom_value(claims, "canvas_user_id")),
        user_name=_name(claims),
        roles=[str(r) for r in roles] if isinstance(roles, list) else [],
        canvas_roles=parse_canvas_roles(custom_value(claims, "canvas_membership_roles")),
        placement=placement,
        context_type=context_type,
        lti_context_id=str(context["id"])[:255] if context.get("id") else None,
        context_title=str(context.get("title") or context.get("label") or "")[:255],
        canvas_course_id=course_id if context_type == "course" else None,
        canvas_account_id=_int(custom_value(claims, "canvas_account_id")),
        quiz=resolve_quiz(claims) if placement in QUIZ_PLACEMENTS else QuizRef(),
        locale=_locale(claims),
        claims_base_url=custom_value(claims, "canvas_api_base_url"),
    )


def landing_for(placement: str) -> str:
    """Which landing page a placement opens: ``course``, ``account`` or ``quiz``."""
    if placement in ACCOUNT_PLACEMENTS:
        return "account"
    if placement in QUIZ_PLACEMENTS:
        return "quiz"
    return "course"
