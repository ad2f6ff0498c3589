"""Personal, signed, expiring invitation links (absolute URLs for e-mail come from `app.links`).

An invitation link carries the bureau contact's user id, the invitation id and the fingerprint
of the account (app/auth/tokens.py). While the contact has no password, the link leads to setting
one — once: setting it changes the fingerprint. Afterwards the same link leads to the login page.
"""
from __future__ import annotations

from flask import current_app

from app.auth.tokens import TokenError, fingerprint, make_token, read_token
from app.links import external_url

INVITATION = "invitation"


def invitation_link(user, invitation) -> str:
    token = make_token(user, INVITATION, i=invitation.id)
    return external_url("portal.follow_link", token=token)


def read_invitation_token(session, token: str):
    """(user, invitation id, still_fresh) for a validly signed, unexpired link; TokenError otherwise.

    `still_fresh` is False once the account's fingerprint changed (the password was set since):
    the link then only leads to the login page, never into the account."""
    from app.models import User
    max_age = current_app.config.get("INVITATION_LINK_DAYS", 14) * 86400
    payload = read_token(token, INVITATION, max_age=max_age)
    user = session.get(User, payload["u"])
    if user is None or not user.active or user.role != "bureau" or "i" not in payload:
        raise TokenError(expired=False)
    return user, payload["i"], fingerprint(user) == payload["f"]
