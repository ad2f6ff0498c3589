"""Language and time display: Dutch by default, English on request; times in Europe/Amsterdam."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency as _babel_currency
from flask import current_app, has_request_context, session
from flask_babel import Babel, get_locale
from flask_login import current_user

from app.clock import AMSTERDAM

babel = Babel()


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = session.get("lang")
        if chosen in languages:
            return chosen
        if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
            return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _locale() -> str:
    try:
        return str(get_locale() or "nl")
    except (RuntimeError, KeyError):  # outside an app/request context (CLI output, PDFs)
        return "nl"


def format_local(moment: datetime | None, fmt: str = "medium") -> str:
    """A UTC datetime as Amsterdam wall-clock time, e.g. '12 mrt 2027 17:00'."""
    if moment is None:
        return "—"
    pattern = {"medium": "d MMM y HH:mm", "long": "EEEE d MMMM y 'om' HH:mm", "short": "d-M-y HH:mm"}[fmt]
    if _locale() == "en":
        pattern = pattern.replace("'om'", "'at'")
    return _babel_datetime(moment, pattern, tzinfo=AMSTERDAM, locale=_locale())


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date()
    return _babel_date(value, "d MMMM y", locale=_locale())


def format_money(value: int | None) -> str:
    if value is None:
        return "—"
    return _babel_currency(value, "EUR", locale=_locale(), format="¤ #,##0", currency_digits=False)


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    babel.init_app(app, locale_selector=select_locale, default_timezone="Europe/Amsterdam")
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["money"] = format_money


def format_relative(moment: datetime | None) -> str:
    """'in 3 days' / '2 hours ago', relative to app.clock.now()."""
    if moment is None:
        return ""
    from babel.dates import format_timedelta

    from app.clock import now
    delta = moment - now()
    return format_timedelta(delta, add_direction=True, threshold=1.1, locale=_locale())
