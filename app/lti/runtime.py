"""Per-app LTI collaborators, built once in ``create_app`` and kept in ``app.extensions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import requests
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.lti.housekeeping import Housekeeping
from app.lti.launch_state import StateStore, StoreLaunchDataStorage, make_state_store
from app.lti.platform_keys import PlatformKeySet
from app.lti.tool_conf import DbToolConf, RegistrationCache


@dataclass
class LtiRuntime:
    """Shared storage, the platform key cache and the clock the launch checks use."""

    settings: Settings
    store: StateStore
    keys: PlatformKeySet
    now: Callable[[], datetime]
    http: requests.Session
    housekeeping: Housekeeping
    registrations: RegistrationCache

    def storage(self, session: Session) -> StoreLaunchDataStorage:
        """The launch state, written in ``session``'s transaction (the view commits)."""
        return StoreLaunchDataStorage(self.store.within(session))

    def tool_conf(self, session: Session) -> DbToolConf:
        return DbToolConf(session, self.registrations)

    @property
    def launch_url(self) -> str:
        return self.settings.tool_base_url + "/lti/launch"


def build_runtime(
    settings: Settings,
    sessions: sessionmaker[Session],
    now: Callable[[], datetime],
    http: requests.Session | None = None,
) -> LtiRuntime:
    """Wire the store (DB or Redis) and an HTTP session with the tool's User-Agent."""
    store = make_state_store(settings.redis_url, sessions, now)
    if http is None:
        http = requests.Session()
        http.headers["User-Agent"] = settings.user_agent
    return LtiRuntime(
        settings=settings,
        store=store,
        keys=PlatformKeySet(store, http, now),
        now=now,
        http=http,
        housekeeping=Housekeeping(now),
        registrations=RegistrationCache(),
    )
