"""Flask extensions, created here and bound in create_app()."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log in to see this page.")
login_manager.login_message_category = "info"
# "strong": a session whose fingerprint (IP + user agent) changes is dropped.
login_manager.session_protection = "strong"

csrf = CSRFProtect()

# Storage comes from RATELIMIT_STORAGE_URI (memory:// embedded; redis://… with several workers).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@login_manager.user_loader
def load_user(token: str):
    """The cookie carries the user's session token, not their id: rotating it ends old sessions."""

    from app import db

    if not token:
        return None
    return db.session().exec(_user_by_token(), params={"token": token}).first()


def _user_by_token():
    """Built once: it runs on every request."""
    global _USER_BY_TOKEN
    if _USER_BY_TOKEN is None:
        from sqlalchemy import bindparam
        from sqlmodel import select

        from app.models import User
        _USER_BY_TOKEN = select(User).where(User.session_token == bindparam("token"), User.active)
    return _USER_BY_TOKEN


_USER_BY_TOKEN = None
