"""pylti1p3's ``ToolConf`` over the registrations in the database.

One issuer (``https://canvas.instructure.com``) serves every hosted institution, so a
registration is found by (issuer, client id) and a launch by (issuer, client id, deployment).
"""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.lti.adapters import ToolRequest
from app.models.platform import Deployment, Platform


class PlatformRegistration(Registration):  # type: ignore[misc]
    """A pylti1p3 ``Registration`` that remembers which ``Platform`` row it came from."""

    def __init__(self, platform: Platform) -> None:
        super().__init__()
        self.platform_id = platform.id
        self.canvas_url = platform.canvas_url
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        self.set_key_set_url(platform.key_set_url)


class DbToolConf(ToolConfAbstract[ToolRequest]):
    """Registrations read from the DB on demand; nothing cached between requests."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self._session = session
        # Instance attribute: the base class keeps this mapping on the class, shared by
        # every instance, which would leak one request's issuer settings into the next.
        self.issuers_relation_types = {}
        # pylti1p3 asks for the same registration several times per request; one query.
        self._platforms: dict[tuple[str, str], Platform | None] = {}

    def check_iss_has_one_client(self, iss: str) -> bool:  # noqa: ARG002
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:  # noqa: ARG002
        return True

    def _platform(self, iss: str, client_id: str | None) -> Platform | None:
        if not client_id:
            return None
        key = (iss, client_id)
        if key not in self._platforms:
            # The deployments come in the same round trip: the launch checks one of them.
            self._platforms[key] = (
                self._session.scalars(
                    select(Platform)
                    .options(joinedload(Platform.deployments))
                    .where(Platform.issuer == iss, Platform.client_id == client_id)
                )
                .unique()
                .first()
            )
        return self._platforms[key]

    def platform_has_deployments(self, platform_id: int) -> bool:
        platform = self._session.get(Platform, platform_id)
        return platform is not None and bool(platform.deployments)

    def find_registration_by_issuer(
        self,
        iss: str,
        *args: Any,  # noqa: ARG002
        **kwargs: Any,  # noqa: ARG002
    ) -> Registration:
        """The registration of ``iss`` only when it is the issuer's one client, else None.

        pylti1p3 asks this only after ``check_iss_has_one_client``, which says no: one hosted
        issuer (``https://canvas.instructure.com``) serves every institution, so the issuer
        alone never picks a registration that another client shares.
        """
        platforms = self._session.scalars(
            select(Platform).where(Platform.issuer == iss).limit(2)
        ).all()
        return PlatformRegistration(platforms[0]) if len(platforms) == 1 else None  # type: ignore[return-value]

    def find_registration_by_params(
        self,
        iss: str,
        client_id: str,
        *args: Any,  # noqa: ARG002
        **kwargs: Any,  # noqa: ARG002
    ) -> Registration:
        platform = self._platform(iss, client_id)
        # pylti1p3 tests the result for truth; None means "not registered".
        return None if platform is None else PlatformRegistration(platform)  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        """The deployment only when one client of ``iss`` has it (see the issuer lookup)."""
        found = self._session.scalars(
            select(Deployment.deployment_id)
            .join(Platform)
            .where(Platform.issuer == iss, Deployment.deployment_id == deployment_id)
            .limit(2)
        ).all()
        return _lti_deployment(found[0]) if len(found) == 1 else None

    def find_deployment_by_params(
        self,
        iss: str,
        deployment_id: str,
        client_id: str,
        *args: Any,  # noqa: ARG002
        **kwargs: Any,  # noqa: ARG002
    ) -> LtiDeployment | None:
        platform = self._platform(iss, client_id)
        if platform is None or not deployment_id:
            return None
        known = any(d.deployment_id == deployment_id for d in platform.deployments)
        return _lti_deployment(deployment_id) if known else None


def _lti_deployment(deployment_id: str) -> LtiDeployment:
    deployment: LtiDeployment = LtiDeployment().set_deployment_id(deployment_id)
    return deployment
