from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session as http_session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlmodel import select

from app import db
from app.auth import bp, operations
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.tokens import RESET_PASSWORD, SET_PASSWORD, TokenError, user_for_token
from app.extensions import limiter
from app.models import User
from app.web import INVALID, form_status, safe_next
from forms.auth import ForgotForm, LoginForm, PasswordChangeForm, PasswordForm


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _account_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    """Only failed attempts count towards the throttle."""
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)  # per IP address
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)  # per account
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tenders.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        session = db.session()
        user = session.exec(select(User).where(User.email == form.email.data.lower())).first()
        # Always verify (against a dummy hash for unknown accounts): no timing hint about who exists.
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is not None and user.active and password_ok:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            operations.note_login(session, user)
            session.commit()
            http_session.clear()  # no session fixation: a fresh session for the logged-in user
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(url_for("tenders.dashboard")), code=303)
        flash(_("The e-mail address or password is incorrect."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    session = db.session()
    user = session.get(User, current_user.id)
    operations.end_session(session, user)
    session.commit()
    logout_user()
    http_session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        session = db.session()
        user = session.get(User, current_user.id)
        if not verify_password(user.password_hash, form.current.data):
            form.current.errors.append(_("This is not your current password."))
            return render_template("auth/change_password.html", form=form), INVALID
        operations.set_password(session, user, form.password.data)
        session.commit()
        login_user(user)  # the new session token goes into this browser's cookie; others are out
        flash(_("Your password has been changed. Other sessions have been logged out."), "success")
        return redirect(url_for("tenders.dashboard"), code=303)
    return render_template("auth/change_password.html", form=form), form_status(form)


@bp.route("/account/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key)
def forgot_password():
    """Always the same answer, whether or not the address has an account (no account discovery)."""
    form = ForgotForm()
    if form.validate_on_submit():
        session = db.session()
        operations.send_reset_link(session, form.email.data.lower())
        session.commit()
        flash(_("If an account exists for %(email)s, a link to choose a new password is on its way. "
                "It works once, for one hour.", email=form.email.data), "info")
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/forgot.html", form=form), form_status(form)


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """First password (admin-made accounts, invitations)."""
    return _choose_password(token, SET_PASSWORD)


@bp.route("/account/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """A forgotten password (a one-hour link from /account/forgot)."""
    return _choose_password(token, RESET_PASSWORD)


def _choose_password(token: str, purpose: str):
    session = db.session()
    try:
        user, _payload = user_for_token(session, token, purpose)
    except TokenError as e:
        message = (_("This link has expired. Ask the officer or administrator for a new one.") if e.expired
                   else _("This link is not valid (any more). It may have been used already."))
        return render_template("auth/link_invalid.html", message=message), 410 if e.expired else 404
    form = PasswordForm()
    if form.validate_on_submit():
        set_password_and_log_in(session, user, form.password.data)
        return redirect(url_for("tenders.dashboard"), code=303)
    return render_template("auth/set_password.html", form=form, user=user), form_status(form)


def set_password_and_log_in(session, user, password: str) -> None:
    """Set the first password (from a link) and start a fresh session as that user: nothing of the
    session the link was opened in carries over."""
    operations.set_password(session, user, password)
    session.commit()
    logout_user()
    http_session.clear()
    login_user(user)
    flash(_("Your password has been set. Welcome to Samenspel."), "success")


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    http_session["lang"] = code
    return redirect(safe_next(url_for("tenders.dashboard")), code=303)
