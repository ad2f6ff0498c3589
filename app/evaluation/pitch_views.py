"""Pitch slots: the officer adds, removes and publishes them; a shortlisted bureau books one on its own
small page (linked from the e-mails), and downloads its calendar file."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from app.authz import roles_required, visible_tenders
from app.evaluation import bp, ics, operations
from app.evaluation.views import load, refusal_status
from app.models import ShortlistEntry, Tender
from app.web import INVALID, attempt
from forms.evaluation import BookForm, SlotForm, WithdrawForm
from workflows import Refused


def _slots_page(tender, state, form=None, withdraw_form=None, status: int = 200, refusal=None):
    return render_template("evaluation/slots.html", tender=tender, state=state, form=form or SlotForm(formdata=None),
                           withdraw_form=withdraw_form or WithdrawForm(formdata=None), refusal=refusal), status


@bp.route("/tenders/<int:tender_id>/slots", methods=["GET", "POST"])
@roles_required("officer")
def slots(tender_id: int):
    tender, state = load(tender_id)
    if not state.stage_open("pitch"):
        abort(404)
    form = SlotForm(formdata=request.form if request.method == "POST" else None)
    refusal = None
    if request.method == "POST":
        if form.validate():
            _slot, refusal = attempt(lambda s: operations.add_slot(
                s, current_user, tender, form.starts_at.data, form.duration_minutes.data, form.location.data or "",
                form.online_url.data or ""))
            if refusal is None:
                flash(_("Slot added. Publish the slots to let the bureaus book them."), "success")
                return redirect(url_for("evaluation.slots", tender_id=tender.id))
            tender, state = load(tender_id)
        return _slots_page(tender, state, form, status=refusal_status(refusal) if refusal else INVALID,
                           refusal=refusal)
    return _slots_page(tender, state, form)


def _slot_action(tender_id: int, op, done_message: str):
    tender, _state = load(tender_id)  # CSRF is checked for every POST by CSRFProtect
    _result, refusal = attempt(lambda s: op(s, tender))
    if refusal:
        tender, state = load(tender_id)
        return _slots_page(tender, state, status=refusal_status(refusal), refusal=refusal)
    flash(done_message, "success")
    return redirect(url_for("evaluation.slots", tender_id=tender_id))


@bp.route("/tenders/<int:tender_id>/slots/<int:slot_id>/delete", methods=["POST"])
@roles_required("officer")
def remove_slot(tender_id: int, slot_id: int):
    return _slot_action(tender_id, lambda s, t: operations.remove_slot(s, current_user, t, slot_id),
                        _("Slot removed."))


@bp.route("/tenders/<int:tender_id>/slots/publish", methods=["POST"])
@roles_required("officer")
def publish_slots(tender_id: int):
    return _slot_action(tender_id, lambda s, t: operations.publish_slots(s, current_user, t),
                        _("The slots are published; the shortlisted bureaus without a booking have been told."))


@bp.route("/tenders/<int:tender_id>/withdraw", methods=["POST"])
@roles_required("officer")
def withdraw(tender_id: int):
    tender, state = load(tender_id)
    form = WithdrawForm()
    if not form.validate():
        return _slots_page(tender, state, withdraw_form=form, status=INVALID)
    _r, refusal = attempt(lambda s: operations.withdraw_from_pitch(s, current_user, tender, form.bureau.data,
                                                                    form.reason.data))
    if refusal:
        tender, state = load(tender_id)
        return _slots_page(tender, state, withdraw_form=form, status=refusal_status(refusal), refusal=refusal)
    flash(_("The bureau is out of the pitch round; its booking is released."), "success")
    return redirect(url_for("evaluation.slots", tender_id=tender_id))


# --- the bureau's side --------------------------------------------------------------------------------------

@bp.route("/pitches")
@roles_required("bureau")
def bureau_pitches():
    session = db.session()
    rows = session.execute(
        visible_tenders(current_user).add_columns(ShortlistEntry)
        .join(ShortlistEntry, ShortlistEntry.tender_id == Tender.id)
        .where(ShortlistEntry.bureau_id == current_user.bureau_id, ShortlistEntry.shortlisted)
        .order_by(Tender.state_changed_at.desc())).all()
    return render_template("evaluation/bureau_pitches.html", rows=rows)


def _bureau_state(tender_id: int):
    """The tender and panel state for a bureau user; 404 unless the bureau was told it is on the shortlist."""
    tender, state = load(tender_id)
    entry = state.shortlist.get(current_user.bureau_id)
    if entry is None:
        abort(404)
    return tender, state, entry


@bp.route("/pitches/<int:tender_id>", methods=["GET", "POST"])
@roles_required("bureau")
def bureau_pitch(tender_id: int):
    tender, state, entry = _bureau_state(tender_id)
    form = BookForm(formdata=request.form if request.method == "POST" else None)
    refusal = None
    if request.method == "POST":
        claimed = request.form.get("bureau")
        if claimed not in (None, "", str(current_user.bureau_id)):
            # The booking is always for the user's own bureau; a request naming another is refused.
            refusal = Refused([_("You can book a pitch slot only for your own bureau.")], kind="invalid")
        elif form.validate():
            _slot, refusal = attempt(lambda s: operations.book_slot(s, current_user, tender, form.slot.data))
            if refusal is None:
                flash(_("Your pitch is booked. The invitation with a calendar file is on its way by e-mail."),
                      "success")
                return redirect(url_for("evaluation.bureau_pitch", tender_id=tender.id))
        tender, state, entry = _bureau_state(tender_id)
    status = refusal_status(refusal) if refusal else (INVALID if form.errors else 200)
    mine = state.slot_by_bureau.get(current_user.bureau_id)
    published = [s for s in state.slots if s.published_at is not None]
    return render_template("evaluation/bureau_pitch.html", tender=tender, state=state, entry=entry, mine=mine,
                           slots=published, form=form, refusal=refusal,
                           can_book=state.stage_active("pitch") and entry.shortlisted and entry.withdrawn_at is None
                           ), status


@bp.route("/pitches/<int:tender_id>/pitch.ics")
@roles_required("bureau")
def bureau_ics(tender_id: int):
    tender, state, _entry = _bureau_state(tender_id)
    mine = state.slot_by_bureau.get(current_user.bureau_id)
    if mine is None:
        abort(404)
    bureau = state.bureaus[current_user.bureau_id]
    summary = _("Pitch: %(tender)s", tender=tender.title)
    body = ics.pitch_calendar(tender, bureau, mine, summary, tender.reference)
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename=pitch.ics", "Cache-Control": "no-store"})
