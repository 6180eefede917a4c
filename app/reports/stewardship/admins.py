"""What Canvas lets the viewer do with the tool's data (checked with the viewer's token).

- Changing retention and forgetting a user are institution-wide: only an admin of a root
  account may (Canvas's ``GET /api/v1/accounts`` lists the accounts the viewer administers;
  a root account is one without ``root_account_id``).
- Exporting an account's audit trail needs what reading its reports needs: Canvas answers
  the viewer's ``GET /api/v1/accounts/:id/reports``; the export then covers the account
  and every sub-account Canvas lists for the viewer.
A refusal is audited and shown as the plain-words 403 page (``rights.refuse``).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.reports.access import require_account_admin
from app.reports.rights import Judge, readable_accounts, refuse


def require_root_admin(judge: Judge) -> None:
    """Raises: CanvasDenied when Canvas lists no root account the viewer administers."""
    launch = judge.launch
    accounts = judge.client().list_accounts()
    if not any(account.root_account_id is None for account in accounts):
        refuse(
            judge.session,
            launch,
            judge.now,
            _(
                "Canvas does not list you as an admin of the institution's root account, "
                "so you cannot change how long the tool keeps data or forget a user. "
                "Ask a Canvas admin of the root account."
            ),
            detail="not a root account admin",
        )


def audit_accounts(judge: Judge) -> list[int]:
    """The launch's account and its sub-accounts, if Canvas lets the viewer read its reports.

    Raises:
        NotAuthorized: not an account launch; CanvasDenied: Canvas refused.
    """
    launch = judge.launch
    account_id = require_account_admin(launch)
    accounts = readable_accounts(judge.client(), account_id)
    if not accounts:
        refuse(judge.session, launch, judge.now, detail=f"audit export of account {account_id}")
    return accounts
