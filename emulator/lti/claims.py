"""The id_token claim set of a resource-link launch (reference 3.5, ``jwt_message.rb``)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from emulator.lti.launch import PendingLaunch
from emulator.lti.options import lti_options
from emulator.lti.roles import lti_roles
from emulator.lti.tools import Tool, opaque_id
from emulator.lti.variables import ExpansionContext, expand_all
from emulator.store import Course, User

if TYPE_CHECKING:
    from emulator import Emulator

ID_TOKEN_TTL = timedelta(hours=1)
CLAIM = "https://purl.imsglobal.org/spec/lti/claim"
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
ASSIGNMENT_PLACEMENTS = ("assignment_view",)  # Canvas's ASSIGNMENT_GUARD (reference 3.8)
AVATAR_PATH = "/images/messages/avatar-50.png"


def _root_account_id(emulator: Emulator, account_id: int) -> int:
    chain = emulator.store.account_chain(account_id)
    return chain[-1] if chain else account_id


def _names(user: User, privacy_level: str, base_url: str) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    if privacy_level in ("name_only", "public"):
        given, _, family = user.name.partition(" ")
        claims.update({"name": user.name, "given_name": given, "family_name": family})
    if privacy_level in ("email_only", "public"):
        claims["email"] = user.email
    if privacy_level == "public":
        claims["picture"] = f"{base_url}{AVATAR_PATH}"
    return claims


def _assignment_in_scope(emulator: Emulator, launch: PendingLaunch) -> int | None:
    if launch.placement in ASSIGNMENT_PLACEMENTS:
        return launch.assignment_id
    if launch.placement == "assignment_menu" and lti_options(emulator).quiz_id_mode == "custom":
        return launch.assignment_id
    return None


def _quiz_in_scope(emulator: Emulator, launch: PendingLaunch) -> int | None:
    """``$Canvas.quiz.id`` for a quiz_menu launch, only in the ``custom`` quiz-id mode."""
    if launch.placement == "quiz_menu" and lti_options(emulator).quiz_id_mode == "custom":
        return launch.quiz_id
    return None


def _context_claims(
    launch: PendingLaunch, course: Course | None, account_name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    if course is not None:
        context: dict[str, Any] = {
            "id": course.lti_context_id,
            "label": course.course_code,
            "title": course.name,
            "type": [COURSE_OFFERING],
        }
        link_id = course.lti_context_id
    else:
        context = {
            "id": opaque_id("Account", launch.context_id),
            "title": account_name,
            "type": ["Account"],
        }
        link_id = context["id"]
    if launch.placement not in ("course_navigation", "account_navigation"):
        # Menu placements: one link per tool and item, still opaque.
        item = launch.assignment_id or launch.quiz_id or 0
        link_id = opaque_id(f"{launch.placement}:{launch.deployment_id}", item)
    return context, {"id": link_id, "title": None, "description": None}


def build_claims(
    emulator: Emulator, tool: Tool, launch: PendingLaunch, nonce: str
) -> dict[str, Any]:
    """Every claim Canvas sends for ``launch``; ``nonce`` comes from the auth request."""
    store = emulator.store
    base = emulator.base_url
    user = store.users[launch.user_id]
    course = store.courses.get(launch.context_id) if launch.context_type == "Course" else None
    account_id = course.account_id if course else launch.context_id
    root_id = _root_account_id(emulator, account_id)
    root = store.accounts.get(root_id)
    account = store.accounts.get(account_id)
    now = store.now()
    post_message_token = str(uuid.uuid4())
    custom_fields = tool.custom_fields_for(launch.placement)
    ctx = ExpansionContext(
        store=store,
        base_url=base,
        user=user,
        account_id=account_id,
        root_account_id=root_id,
        course=course,
        assignment_id=_assignment_in_scope(emulator, launch),
        quiz_id=_quiz_in_scope(emulator, launch),
        locale=launch.locale,
        post_message_token=post_message_token,
    )
    custom = expand_all(custom_fields, ctx)
    context, resource_link = _context_claims(launch, course, account.name if account else "")
    return_path = f"/courses/{course.id}" if course else f"/accounts/{account_id}"
    claims: dict[str, Any] = {
        "iss": base,
        "aud": tool.key.client_id,
        "azp": tool.key.client_id,
        "sub": user.lti_sub,
        "exp": int((now + ID_TOKEN_TTL).timestamp()),
        "iat": int(now.timestamp()),
        "nonce": nonce,
        f"{CLAIM}/message_type": "LtiResourceLinkRequest",
        f"{CLAIM}/version": "1.3.0",
        f"{CLAIM}/deployment_id": launch.deployment_id,
        f"{CLAIM}/target_link_uri": launch.target_link_uri,
        f"{CLAIM}/resource_link": resource_link,
        f"{CLAIM}/context": context,
        f"{CLAIM}/tool_platform": {
            "guid": f"{opaque_id('Account', root_id)}:canvas-lms",
            "name": root.name if root else "",
            "version": "cloud",
            "product_family_code": "canvas",
        },
        f"{CLAIM}/launch_presentation": {
            "document_target": "iframe",
            "return_url": f"{base}{return_path}/external_content/success/external_tool_redirect",
            "locale": launch.locale,
            "height": None,
            "width": None,
        },
        "locale": launch.locale,
        f"{CLAIM}/roles": lti_roles(store, user, course.id if course else None),
        f"{CLAIM}/custom": custom,
        f"{CLAIM}/lti11_legacy_user_id": opaque_id("User", user.id),
        f"{CLAIM}/lti1p1": {"user_id": opaque_id("User", user.id)},
        "https://www.instructure.com/placement": launch.placement,
    }
    lis: dict[str, str] = {}
    if tool.privacy_level == "public" and user.sis_user_id:
        lis["person_sourcedid"] = user.sis_user_id
    if course is not None and course.sis_course_id:
        lis["course_offering_sourcedid"] = course.sis_course_id
    if lis:
        claims[f"{CLAIM}/lis"] = lis
    claims.update(_names(user, tool.privacy_level, base))
    return claims
