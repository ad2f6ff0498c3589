"""Participants of a period: the officer registers them; full is full, then the waiting list."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from app.authz import roles_required
from app.models import Participant
from app.programmes import bp, participant_operations, queries
from app.programmes.access import programme_or_404
from app.programmes.views import refusal_status
from app.web import attempt, flash_refusal, form_status
from forms.programme import EmptyForm, ParticipantForm


@bp.route("/<int:programme_id>/participants", methods=["GET", "POST"])
@roles_required("officer", "bureau")
def participants(programme_id: int):
    programme = programme_or_404(programme_id)
    form = ParticipantForm()
    refusal = None
    if request.method == "POST":
        if current_user.role != "officer":
            abort(404)
        if form.validate_on_submit():
            values = {"name": form.name.data, "organisation": form.organisation.data, "role": form.role.data or ""}
            p, refusal = attempt(lambda s: participant_operations.register(s, current_user, programme, values))
            if not refusal:
                if p.status == "enrolled":
                    flash(_("%(name)s is enrolled.", name=p.name), "success")
                else:
                    flash(_("The programme is full (full is full): %(name)s is on the waiting list and moves up "
                            "when a place comes free.", name=p.name), "warning")
                return redirect(url_for("programmes.participants", programme_id=programme_id))
            programme = programme_or_404(programme_id)
    view = queries.load_participants(db.session(), programme, request.args.get("period", type=int))
    status = refusal_status(refusal) if refusal else form_status(form)
    return render_template("programmes/participants.html", programme=programme, v=view, form=form,
                           refusal=refusal, withdraw_form=EmptyForm()), status


@bp.route("/<int:programme_id>/participants/<int:participant_id>/withdraw", methods=["POST"])
@roles_required("officer")
def withdraw_participant(programme_id: int, participant_id: int):
    programme = programme_or_404(programme_id)
    participant = db.session().get(Participant, participant_id)
    if participant is None or participant.programme_id != programme.id:
        abort(404)
    if not EmptyForm().validate():
        abort(400)
    promoted, refusal = attempt(lambda s: participant_operations.withdraw(s, current_user, programme, participant))
    if refusal:
        flash_refusal(refusal)
    else:
        flash(_("%(name)s is withdrawn.", name=participant.name), "success")
        for p in promoted:
            flash(_("%(name)s moved up from the waiting list and is now enrolled.", name=p.name), "success")
    return redirect(url_for("programmes.participants", programme_id=programme_id))
