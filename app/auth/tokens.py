"""Signed, expiring links that work once (set a password, follow an invitation).

The payload carries a fingerprint of the user's password hash and session token: once the
password is set (or the user logs out everywhere), the fingerprint changes and the link dies.
"""
from __future__ import annotations

import hashlib
from typing import Optional

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from app.clock import now

SET_PASSWORD = "set-password"
RESET_PASSWORD = "reset-password"
LIFETIMES = {SET_PASSWORD: 7 * 86400, RESET_PASSWORD: 3600}


class _ClockSigner(TimestampSigner):
    """Signs and checks ages with app.clock, so a frozen or advanced clock governs expiry too."""

    def get_timestamp(self) -> int:
        return int(now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"samenspel.{purpose}",
                                  signer=_ClockSigner)


def fingerprint(user) -> str:
    return hashlib.sha256(f"{user.password_hash or '-'}|{user.session_token}".encode()).hexdigest()[:20]


def make_token(user, purpose: str, **extra) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": fingerprint(user), **extra})


class TokenError(Exception):
    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def read_token(token: str, purpose: str, max_age: Optional[int] = None) -> dict:
    """The payload of a valid token; TokenError(expired=…) otherwise."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age or LIFETIMES.get(purpose, 86400))
    except SignatureExpired:
        raise TokenError(expired=True) from None
    except BadSignature:
        raise TokenError(expired=False) from None
    if not isinstance(payload, dict) or "u" not in payload:
        raise TokenError(expired=False)
    return payload


def user_for_token(session, token: str, purpose: str):
    """The user a token was made for, if it still matches them (not used yet)."""
    from app.models import User
    payload = read_token(token, purpose)
    user = session.get(User, payload["u"])
    if user is None or not user.active or fingerprint(user) != payload["f"]:
        raise TokenError(expired=False)
    return user, payload
