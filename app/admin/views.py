"""Admin screens: one list and one form per kind of record, driven by a small spec."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from app import db
from app.admin import bp, operations
from app.audit import Actor
from app.auth.tokens import SET_PASSWORD, make_token
from app.authz import roles_required
from app.models import Bureau, Organisation, User
from app.web import CONFLICT, attempt, form_status
from forms.admin import KIND_LABELS, ROLE_LABELS, BureauForm, OrganisationForm, UserForm
from forms.common import choices

PAGE = 50


@dataclass(frozen=True)
class Kind:
    model: type
    form: type
    title: object
    singular: object
    columns: tuple[tuple[str, object], ...]
    unique: str = "name"
    order: str = "name"


KINDS = {
    "organisations": Kind(Organisation, OrganisationForm, _l("Organisations"), _l("organisation"),
                          (("name", _l("Name")), ("kind", _l("Kind")), ("city", _l("City")))),
    "bureaus": Kind(Bureau, BureauForm, _l("Bureaus"), _l("bureau"),
                    (("name", _l("Name")), ("contact_name", _l("Contact person")), ("contact_email", _l("E-mail")))),
    "users": Kind(User, UserForm, _l("Accounts"), _l("account"),
                  (("name", _l("Name")), ("email", _l("E-mail")), ("role", _l("Role")), ("active", _l("Active"))),
                  unique="email"),
}


def _kind(kind: str) -> Kind:
    return KINDS.get(kind) or abort(404)


@bp.route("/")
@roles_required("admin")
def index():
    session = db.session()
    counts = {name: session.scalar(select(func.count()).select_from(k.model)) for name, k in KINDS.items()}
    return render_template("admin/index.html", kinds=KINDS, counts=counts)


@bp.route("/<kind>")
@roles_required("admin")
def listing(kind: str):
    spec = _kind(kind)
    session = db.session()
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(spec.model)
    if q:
        stmt = stmt.where(getattr(spec.model, spec.unique).ilike(f"%{q}%") | spec.model.name.ilike(f"%{q}%"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = max(1, request.args.get("page", 1, type=int))
    rows = session.exec(stmt.order_by(getattr(spec.model, spec.order)).offset((page - 1) * PAGE).limit(PAGE)).all()
    return render_template("admin/list.html", kind=kind, spec=spec, rows=rows, q=q, total=total, page=page,
                           pages=max(1, -(-total // PAGE)), labels={**KIND_LABELS, **ROLE_LABELS})


def _choices(session):
    orgs = [(0, "—")] + [(o.id, o.name) for o in session.exec(select(Organisation).order_by(Organisation.name))]
    bureaus = [(0, "—")] + [(b.id, b.name) for b in session.exec(select(Bureau).order_by(Bureau.name))]
    return choices(orgs), choices(bureaus)


def _values(kind: str, form) -> dict:
    fields = [f.name for f in form if f.name not in ("csrf_token",)]
    values = {f: getattr(form, f).data for f in fields}
    if kind == "users":
        values["email"] = values["email"].lower()
        values["organisation_id"] = values["organisation_id"] or None
        values["bureau_id"] = values["bureau_id"] or None
        if values["role"] == "bureau":
            values["organisation_id"] = None
        elif values["role"] in ("officer", "evaluator"):
            values["bureau_id"] = None
    return values


@bp.route("/<kind>/new", methods=["GET", "POST"], defaults={"obj_id": None})
@bp.route("/<kind>/<int:obj_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit(kind: str, obj_id):
    spec = _kind(kind)
    session = db.session()
    obj = session.get(spec.model, obj_id) if obj_id else None
    if obj_id and obj is None:
        abort(404)
    form = spec.form(obj=obj)
    if kind == "users":
        form.organisation_id.choices, form.bureau_id.choices = _choices(session)
        if request.method == "GET" and obj is not None:
            form.organisation_id.data = obj.organisation_id or 0
            form.bureau_id.data = obj.bureau_id or 0
    refusal = None
    if form.validate_on_submit():
        saved, refusal = attempt(lambda s: operations.save(s, Actor.of(current_user), spec.model, _values(kind, form),
                                                          obj, spec.unique))
        if not refusal:
            flash(_("Saved."), "success")
            if kind == "users" and obj is None:
                return redirect(url_for("admin.user_link", user_id=saved.id))
            return redirect(url_for("admin.listing", kind=kind))
    return render_template("admin/edit.html", kind=kind, spec=spec, form=form, obj=obj, refusal=refusal), \
        CONFLICT if refusal else form_status(form)


@bp.route("/users/<int:user_id>/link", methods=["GET", "POST"])
@roles_required("admin")
def user_link(user_id: int):
    """A one-time link for the user to set a password; shown to the admin to pass on."""
    user = db.session().get(User, user_id) or abort(404)
    link = url_for("auth.set_password", token=make_token(user, SET_PASSWORD), _external=True)
    return render_template("admin/user_link.html", user=user, link=link)
