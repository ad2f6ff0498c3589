"""Editing a draft tender, section by section. Every save is audited; nothing is editable once
the invitations have gone out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select

from app import db
from app.authz import roles_required, tender_or_404
from app.models import Bureau, Criterion, Invitation, Lot, Organisation, PanelMember, User
from app.tenders import bp, operations
from app.web import CONFLICT, attempt, flash_refusal, form_status
from forms.tender import (
    BasicsForm, BriefForm, CriterionForm, LotForm, PickForm, RemoveForm, SettingsForm, TimelineForm,
)


@dataclass(frozen=True)
class Section:
    title: object
    form: type
    fields: tuple[str, ...]
    values: Callable = lambda form, fields: {f: getattr(form, f).data for f in fields}


def _settings_values(form, _fields):
    return {
        "vision_stage_weight": form.vision_stage_weight.data,
        "pitch_stage_weight": 100 - form.vision_stage_weight.data,
        "max_winners_per_lot": form.max_winners_per_lot.data,
        "invitee_motivation": form.invitee_motivation.data or "",
    }


def _text_values(form, fields):
    return {f: getattr(form, f).data or "" for f in fields}


SECTIONS = {
    "basics": Section(_l("Basics"), BasicsForm, operations.BASIC_FIELDS,
                      lambda form, fields: {**_text_values(form, ("title", "description")),
                                            "procedure_type": form.procedure_type.data,
                                            "estimated_value_eur": form.estimated_value_eur.data}),
    "brief": Section(_l("The brief"), BriefForm, operations.BRIEF_FIELDS, _text_values),
    "timeline": Section(_l("Timeline"), TimelineForm, operations.TIMELINE_FIELDS),
    "settings": Section(_l("Procedure settings"), SettingsForm, operations.SETTINGS_FIELDS, _settings_values),
}


def _draft_tender(tender_id: int):
    return tender_or_404(tender_id)


def _back(tender, anchor: str = ""):
    return redirect(url_for("tenders.show", tender_id=tender.id) + (f"#{anchor}" if anchor else ""))


def _saved_or_refused(tender, anchor, op) -> tuple:
    """Run a draft operation; commit and go back, or roll back and return the refusal."""
    _done, refusal = attempt(op)
    if refusal:
        return None, refusal
    flash(_("Saved."), "success")
    return _back(tender, anchor), None


def _saved_or_back(tender, anchor, op):
    """For a button on the tender page: run the operation and go back to the page, with the refusal if any."""
    done, refusal = _saved_or_refused(tender, anchor, op)
    if refusal:
        flash_refusal(refusal)
        return _back(tender, anchor)
    return done


@bp.route("/tenders/<int:tender_id>/edit/<section>", methods=["GET", "POST"])
@roles_required("officer")
def edit_section(tender_id: int, section: str):
    spec = SECTIONS.get(section) or abort(404)
    tender = _draft_tender(tender_id)
    form = spec.form(obj=tender)
    if request.method == "GET":
        form.version.data = tender.version
    refusal = None
    if form.validate_on_submit():
        values = spec.values(form, spec.fields)
        done, refusal = _saved_or_refused(tender, section, lambda s: operations.update_fields(
            s, current_user, tender, values, form.version.data))
        if done:
            return done
    status = CONFLICT if refusal else form_status(form)
    return render_template("tenders/edit_section.html", tender=tender, form=form, section=section, spec=spec,
                           refusal=refusal), status


def _owned(model, obj_id: int, tender):
    """A row that belongs to this tender, or 404 (ids of other tenders' rows are not disclosed)."""
    obj = db.session().get(model, obj_id)
    if obj is None or obj.tender_id != tender.id:
        abort(404)
    return obj


# --- lots ---------------------------------------------------------------------------------------------


@bp.route("/tenders/<int:tender_id>/lots/new", methods=["GET", "POST"], defaults={"lot_id": None})
@bp.route("/tenders/<int:tender_id>/lots/<int:lot_id>/edit", methods=["GET", "POST"])
@roles_required("officer")
def edit_lot(tender_id: int, lot_id):
    tender = _draft_tender(tender_id)
    lot = _owned(Lot, lot_id, tender) if lot_id else None
    form = LotForm(obj=lot)
    if request.method == "GET":
        form.version.data = tender.version
    refusal = None
    if form.validate_on_submit():
        values = {"title": form.title.data, "description": form.description.data or ""}
        done, refusal = _saved_or_refused(tender, "lots", lambda s: operations.save_lot(
            s, current_user, tender, values, form.version.data, lot))
        if done:
            return done
    return render_template("tenders/edit_lot.html", tender=tender, form=form, lot=lot, refusal=refusal), \
        CONFLICT if refusal else form_status(form)


@bp.route("/tenders/<int:tender_id>/lots/<int:lot_id>/delete", methods=["POST"])
@roles_required("officer")
def delete_lot(tender_id: int, lot_id: int):
    tender = _draft_tender(tender_id)
    lot = _owned(Lot, lot_id, tender)
    return _remove(tender, "lots", lambda s, v: operations.delete_lot(s, current_user, tender, lot, v))


def _remove(tender, anchor, op):
    form = RemoveForm()
    if not form.validate():
        abort(400)
    return _saved_or_back(tender, anchor, lambda s: op(s, form.version.data))


# --- criteria -------------------------------------------------------------------------------------------

def _anchor_rows(form: CriterionForm, levels: list[int], existing: dict[int, str]) -> None:
    """One anchor row per scale level, pre-filled with what exists (or the default texts)."""
    while len(form.anchors.entries):
        form.anchors.pop_entry()
    for score in levels:
        form.anchors.append_entry({"score": score, "text": existing.get(score, "")})


@bp.route("/tenders/<int:tender_id>/criteria/<stage>/new", methods=["GET", "POST"], defaults={"criterion_id": None})
@bp.route("/tenders/<int:tender_id>/criteria/<int:criterion_id>/edit", methods=["GET", "POST"], defaults={"stage": None})
@roles_required("officer")
def edit_criterion(tender_id: int, stage, criterion_id):
    tender = _draft_tender(tender_id)
    criterion = _owned(Criterion, criterion_id, tender) if criterion_id else None
    stage = criterion.stage if criterion else stage
    if stage not in ("vision", "pitch"):
        abort(404)
    form = CriterionForm(obj=criterion)
    session = db.session()
    if request.method == "GET":
        form.version.data = tender.version
        existing = ({a.score: a.text for a in operations.anchors_of(session, [criterion.id])[criterion.id]}
                    if criterion else operations.default_anchors())
        _anchor_rows(form, criterion.levels() if criterion else list(range(0, 11, 2)), existing)
    refusal = None
    if form.validate_on_submit():
        values = {f: getattr(form, f).data for f in operations.CRITERION_FIELDS}
        values["description"] = values["description"] or ""
        anchors = {entry.form.score.data: entry.form.text.data for entry in form.anchors.entries}
        done, refusal = _saved_or_refused(tender, f"criteria-{stage}", lambda s: operations.save_criterion(
            s, current_user, tender, stage, values, anchors, form.version.data, criterion))
        if done:
            return done
    # Only a validated scale is expanded: an absurd "highest score" must not build a list of that length.
    levels_changed = form.is_submitted() and not form.errors and \
        _scale_levels(form) != [e.form.score.data for e in form.anchors.entries]
    if levels_changed:
        typed = {e.form.score.data: e.form.text.data for e in form.anchors.entries}
        _anchor_rows(form, _scale_levels(form), typed)
    return render_template("tenders/edit_criterion.html", tender=tender, form=form, criterion=criterion, stage=stage,
                           refusal=refusal), CONFLICT if refusal else form_status(form)


def _scale_levels(form: CriterionForm) -> list[int]:
    lo, hi, step = form.scale_min.data, form.scale_max.data, form.scale_step.data
    if None in (lo, hi, step) or step <= 0 or hi <= lo:
        return []
    return list(range(lo, hi + 1, step))


@bp.route("/tenders/<int:tender_id>/criteria/<int:criterion_id>/delete", methods=["POST"])
@roles_required("officer")
def delete_criterion(tender_id: int, criterion_id: int):
    tender = _draft_tender(tender_id)
    criterion = _owned(Criterion, criterion_id, tender)
    return _remove(tender, f"criteria-{criterion.stage}",
                   lambda s, v: operations.delete_criterion(s, current_user, tender, criterion, v))


# --- panel, bureaus to invite, co-buyers -------------------------------------------------------------

def picker_choices(session, view) -> dict[str, list[tuple[int, str]]]:
    """What can still be added to the panel, the invitation list and the buyers (3 queries)."""
    buyer_ids = [view.lead.id] + [o.id for o in view.co_buyers]
    on_panel = {u.id for _m, u in view.panel}
    invited = {b.id for _i, b in view.invitations}
    # (id, name) rows only: the lists run to hundreds of bureaus, and whole objects cost ten times more.
    evaluators = session.execute(
        select(User.id, User.name).where(User.role == "evaluator", User.active, User.organisation_id.in_(buyer_ids))
        .order_by(User.name)
    ).all()
    bureaus = session.execute(select(Bureau.id, Bureau.name).order_by(Bureau.name)).all()
    orgs = session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.not_in(buyer_ids))
                           .order_by(Organisation.name)).all()
    return {
        "panel": [(i, name) for i, name in evaluators if i not in on_panel],
        "invitees": [(i, name) for i, name in bureaus if i not in invited],
        "buyers": [(i, name) for i, name in orgs],
    }


def _pick(tender, anchor, load, op):
    form = PickForm()
    item = load(form.item.data) if form.validate_on_submit() else None
    if item is None:
        flash(_("Make a choice from the list."), "error")
        return _back(tender, anchor)
    return _saved_or_back(tender, anchor, lambda s: op(s, item, form.version.data))


@bp.route("/tenders/<int:tender_id>/panel", methods=["POST"])
@roles_required("officer")
def add_panel_member(tender_id: int):
    tender = _draft_tender(tender_id)
    return _pick(tender, "panel", lambda i: db.session().get(User, i),
                 lambda s, user, v: operations.add_panel_member(s, current_user, tender, user, v))


@bp.route("/tenders/<int:tender_id>/panel/<int:member_id>/delete", methods=["POST"])
@roles_required("officer")
def remove_panel_member(tender_id: int, member_id: int):
    tender = _draft_tender(tender_id)
    member = _owned(PanelMember, member_id, tender)
    return _remove(tender, "panel", lambda s, v: operations.remove_panel_member(s, current_user, tender, member, v))


@bp.route("/tenders/<int:tender_id>/invitees", methods=["POST"])
@roles_required("officer")
def add_invitee(tender_id: int):
    tender = _draft_tender(tender_id)
    return _pick(tender, "invitees", lambda i: db.session().get(Bureau, i),
                 lambda s, bureau, v: operations.add_invitee(s, current_user, tender, bureau, v))


@bp.route("/tenders/<int:tender_id>/invitees/<int:invitation_id>/delete", methods=["POST"])
@roles_required("officer")
def remove_invitee(tender_id: int, invitation_id: int):
    tender = _draft_tender(tender_id)
    invitation = _owned(Invitation, invitation_id, tender)
    bureau = db.session().get(Bureau, invitation.bureau_id)
    return _remove(tender, "invitees",
                   lambda s, v: operations.remove_invitee(s, current_user, tender, invitation, bureau, v))


@bp.route("/tenders/<int:tender_id>/buyers", methods=["POST"])
@roles_required("officer")
def add_buyer(tender_id: int):
    tender = _draft_tender(tender_id)
    return _pick(tender, "buyers", lambda i: db.session().get(Organisation, i),
                 lambda s, org, v: operations.add_buyer(s, current_user, tender, org, v))


@bp.route("/tenders/<int:tender_id>/buyers/<int:organisation_id>/delete", methods=["POST"])
@roles_required("officer")
def remove_buyer(tender_id: int, organisation_id: int):
    tender = _draft_tender(tender_id)
    org = db.session().get(Organisation, organisation_id)
    if org is None:
        abort(404)
    return _remove(tender, "buyers", lambda s, v: operations.remove_buyer(s, current_user, tender, org, v))
