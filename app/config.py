"""Configuration from the environment.

Every setting has a safe default for the embedded (SQLite, no SMTP) mode; production sets
DATABASE_URL, SECRET_KEY and the MAIL_* variables. See README "Configuration".
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-not-secret"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the app must not start with the given settings."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'samenspel.sqlite'}"


def normalise_database_url(url: str) -> str:
    """Accept the common `postgresql://` and `postgres://` forms and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(instance_path: str) -> dict:
    debug = _bool("FLASK_DEBUG", False)
    return {
        "DEBUG": debug,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "DATABASE_URL": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_database_url(instance_path)
        ),
        "SQL_ECHO": _bool("SQL_ECHO", False),
        # Cookies: Secure outside debug; `make run` serves plain http on loopback and turns it off.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", not debug),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", not debug),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": _int("REMEMBER_DAYS", 7) * 86400,
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_HOURS", 12) * 3600,
        "HSTS": _bool("HSTS", False),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 25) * 1024 * 1024,
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(Path(instance_path) / "uploads"),
        # Mail: without MAIL_SERVER messages stay in the outbox, readable in the app.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Samenspel <noreply@samenspel.local>"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 30),
        # Bureau portal: how long an invitation link works; vision attachments (below the request limit,
        # so an oversized file is refused with the typed text kept).
        "INVITATION_LINK_DAYS": _int("INVITATION_LINK_DAYS", 14),
        "VISION_ATTACHMENT_MB": _int("VISION_ATTACHMENT_MB", 10),
        "VISION_MAX_ATTACHMENTS": _int("VISION_MAX_ATTACHMENTS", 10),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        # Login throttling (Flask-Limiter). Use redis://… when several workers or hosts serve.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_LIMIT": os.environ.get("LOGIN_LIMIT", "10 per minute"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        # Procurement rules that are policy, not code (Gids Proportionaliteit, Aanbestedingswet).
        "MIN_INVITEES": _int("MIN_INVITEES", 3),
        "MAX_INVITEES": _int("MAX_INVITEES", 5),
        "STANDSTILL_DAYS": _int("STANDSTILL_DAYS", 20),
        # Days equated with holidays by royal decree (Algemene termijnenwet art. 3(3)): ISO dates.
        "EQUATED_HOLIDAYS": os.environ.get("EQUATED_HOLIDAYS", ""),
        "REMINDER_DAYS_BEFORE_DEADLINE": _int("REMINDER_DAYS_BEFORE_DEADLINE", 3),
        "SCORE_SPREAD_THRESHOLD": _int("SCORE_SPREAD_THRESHOLD", 4),
        "SCORING_REMINDER_DAYS_BEFORE": _int("SCORING_REMINDER_DAYS_BEFORE", 2),
        "SCORING_REMINDER_INTERVAL_DAYS": _int("SCORING_REMINDER_INTERVAL_DAYS", 2),
        # EU thresholds for decentral authorities (2022–23), in euro.
        "THRESHOLD_SERVICES_EUR": _int("THRESHOLD_SERVICES_EUR", 215_000),
        "THRESHOLD_SOCIAL_SERVICES_EUR": _int("THRESHOLD_SOCIAL_SERVICES_EUR", 750_000),
        "TIMEZONE": "Europe/Amsterdam",
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "AUDIT_PAGE_SIZE": _int("AUDIT_PAGE_SIZE", 50),
        # Open data (OCDS 1.1). Register your own ocid prefix with the Open Contracting Partnership.
        "OCDS_PREFIX": os.environ.get("OCDS_PREFIX", "ocds-smnspl"),
        "OCDS_PUBLISHER": os.environ.get("OCDS_PUBLISHER", "Samenspel"),
        "OCDS_PUBLISHER_URI": os.environ.get("OCDS_PUBLISHER_URI", ""),
        "OCDS_LANGUAGE": os.environ.get("OCDS_LANGUAGE", "nl"),
        "OCDS_LICENSE": os.environ.get("OCDS_LICENSE", ""),
        "OCDS_LOTS_EXTENSION_URL": os.environ.get(
            "OCDS_LOTS_EXTENSION_URL",
            "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"),
        # bench/ only: adds /_bench/ceiling, a constant answer through the app stack (see app/ceiling.py).
        "BENCH_CEILING": _bool("BENCH_CEILING", False),
    }


def check_secret(config: dict) -> None:
    """Refuse to run outside debug/testing with a missing or default secret key."""
    if config.get("DEBUG") or config.get("TESTING"):
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET_KEY or len(key) < 16:
        raise ConfigError(
            "SECRET_KEY is missing, too short or the built-in default. Set SECRET_KEY to a long random "
            "value (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`) or run with FLASK_DEBUG=1."
        )
