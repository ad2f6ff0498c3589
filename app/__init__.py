"""Samenspel: the Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from app.config import PROJECT_ROOT, check_secret, from_environment


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("SAMENSPEL_INSTANCE", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    from app.web import IdConverter
    app.url_map.converters["int"] = IdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    check_secret(app.config)
    if app.config.get("ARGON2_TIME_COST") or app.config.get("ARGON2_MEMORY_COST"):
        from app.auth.passwords import configure
        configure(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_COST"))

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_request_hooks(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import db, i18n, templating
    from app.extensions import csrf, limiter, login_manager

    db.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    templating.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app import errors
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.portal import bp as portal_bp
    from app.evaluation import bp as evaluation_bp
    from app.award import bp as award_bp
    from app.programmes import bp as programmes_bp
    from app.exports import bp as exports_bp
    from app.ocds import bp as ocds_bp
    from app.tenders import bp as tenders_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(tenders_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(evaluation_bp, url_prefix="/evaluation")
    app.register_blueprint(award_bp)
    app.register_blueprint(programmes_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(ocds_bp)
    if app.config.get("BENCH_CEILING"):
        from app.ceiling import bp as ceiling_bp
        app.register_blueprint(ceiling_bp)
    errors.init_app(app)


def _register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)


def _register_request_hooks(app: Flask) -> None:
    from flask import g, request

    from app.db import write_intent
    from app.security import set_headers

    @app.before_request
    def _mark_writers():
        # POSTs write; SQLite then takes its write lock at BEGIN (see app/db.py).
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            g.write_token = write_intent.set(True)

    @app.teardown_request
    def _unmark_writers(_exc=None):
        token = g.pop("write_token", None)
        if token is not None:
            write_intent.reset(token)

    app.after_request(set_headers)
