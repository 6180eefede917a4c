"""Launch tokens: signed, short-lived, bound to one launch id."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.errors import NotAuthorized
from app.lti import launch_token

T0 = 1_800_000_000.0


def test_round_trip(settings: Settings) -> None:
    token = launch_token.issue(settings, "launch-1", now=T0)
    assert launch_token.verify(settings, token, now=T0 + 60) == "launch-1"


def test_expired_token_is_refused(settings: Settings) -> None:
    token = launch_token.issue(settings, "launch-1", now=T0)
    ttl = settings.launch_token_ttl_seconds
    assert launch_token.verify(settings, token, now=T0 + ttl) == "launch-1"
    with pytest.raises(NotAuthorized, match="expired"):
        launch_token.verify(settings, token, now=T0 + ttl + 1)


def test_tampered_token_is_refused(settings: Settings) -> None:
    token = launch_token.issue(settings, "launch-1", now=T0)
    with pytest.raises(NotAuthorized, match="not valid"):
        launch_token.verify(
            settings, token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], now=T0
        )


def test_token_of_another_secret_is_refused(settings: Settings) -> None:
    other = settings.with_overrides(secret_key="another-secret-" + "y" * 32)
    token = launch_token.issue(other, "launch-1", now=T0)
    with pytest.raises(NotAuthorized):
        launch_token.verify(settings, token, now=T0)


@pytest.mark.parametrize("token", ["", "x" * 600, "garbage"])
def test_malformed_tokens_are_refused(settings: Settings, token: str) -> None:
    with pytest.raises(NotAuthorized):
        launch_token.verify(settings, token, now=T0)
