"""The Canvas developer-key JSON (``lti_config.json``) for a given tool base URL.

The file at the repository top is this document for the example host
``https://tool.example.edu`` (an installer puts their own host there, or pastes the URL of
``GET /lti_config.json``, which serves it with the running tool's URLs). A test keeps the
two identical.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

PLACEHOLDER_BASE_URL = "https://tool.example.edu"

CUSTOM_FIELDS: dict[str, str] = {
    "canvas_api_base_url": "$Canvas.api.baseUrl",
    "canvas_api_domain": "$Canvas.api.domain",
    "canvas_user_id": "$Canvas.user.id",
    "canvas_course_id": "$Canvas.course.id",
    "canvas_account_id": "$Canvas.account.id",
    "canvas_root_account_id": "$Canvas.rootAccount.id",
    "canvas_assignment_id": "$Canvas.assignment.id",
    "canvas_membership_roles": "$Canvas.membership.roles",
    "canvas_user_locale": "$Message.locale",
    "canvas_post_message_token": "$com.instructure.PostMessageToken",
}

# Quiz placements carry extra candidates for the quiz id (lti-oauth.md 3.8: which variable
# Canvas expands there is not verified; unexpanded values arrive as "$..." and are ignored).
QUIZ_CUSTOM_FIELDS: dict[str, str] = {
    "canvas_quiz_id": "$Canvas.quiz.id",
    "canvas_assignment_id": "$Canvas.assignment.id",
}


def tool_configuration(base_url: str) -> dict[str, Any]:
    """The developer-key JSON with absolute URLs under ``base_url``."""
    base = base_url.rstrip("/")
    launch = f"{base}/lti/launch"

    def placement(name: str, text: str, **extra: Any) -> dict[str, Any]:
        return {
            "placement": name,
            "message_type": "LtiResourceLinkRequest",
            "target_link_uri": launch,
            "text": text,
            "icon_url": f"{base}/static/icon.svg",
            **extra,
        }

    return {
        "title": "Canvas Reports",
        "description": "Course, account and quiz reports and item analysis, in context.",
        "oidc_initiation_url": f"{base}/lti/login",
        "target_link_uri": launch,
        "public_jwk_url": f"{base}/.well-known/jwks.json",
        "scopes": [],
        "extensions": [
            {
                "domain": urlsplit(base).netloc,
                "tool_id": "canvas-reports",
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "settings": {
                    "text": "Reports",
                    "icon_url": f"{base}/static/icon.svg",
                    "placements": [
                        placement(
                            "course_navigation",
                            "Reports",
                            visibility="admins",
                            default="enabled",
                        ),
                        placement("account_navigation", "Reports"),
                        placement(
                            "quiz_menu", "Quiz analysis", custom_fields=dict(QUIZ_CUSTOM_FIELDS)
                        ),
                        placement(
                            "assignment_menu",
                            "Quiz analysis",
                            custom_fields=dict(QUIZ_CUSTOM_FIELDS),
                        ),
                    ],
                },
            }
        ],
        "custom_fields": dict(CUSTOM_FIELDS),
    }
