"""The officer's side: re-sending and replacing invitations, the questions bulletin, reading the
visions after the opening (officer and panel), and the outbox."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db, files
from app.authz import roles_required, tender_or_404
from app.i18n import format_local
from app.models import Bureau, Invitation, OutboxMessage
from app.portal import bp, bulletins, invitations, queries, submissions
from app.web import CONFLICT, INVALID, attempt, flash_refusal
from forms.common import choices
from forms.portal import AnswerForm, ClarificationForm, PlainForm, PublishForm, ReplaceForm
from workflows import Refused


# --- invitations ---------------------------------------------------------------------------------------

@bp.route("/tenders/<int:tender_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@roles_required("officer")
def resend(tender_id: int, invitation_id: int):
    tender = tender_or_404(tender_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    _done, refusal = attempt(lambda s: invitations.resend(s, current_user, tender, invitation_id))
    if refusal:
        flash_refusal(refusal)
    else:
        flash(_("The invitation has been sent again with a fresh link."), "success")
    return redirect(url_for("tenders.show", tender_id=tender.id) + "#invitations", code=303)


@bp.route("/tenders/<int:tender_id>/invitations/<int:invitation_id>/replace", methods=["GET", "POST"])
@roles_required("officer")
def replace(tender_id: int, invitation_id: int):
    tender = tender_or_404(tender_id)
    session = db.session()
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.tender_id != tender.id:
        abort(404)
    declined = session.get(Bureau, invitation.bureau_id)
    cards = queries.load_officer_cards(session, tender)
    form = ReplaceForm()
    form.bureau.choices = choices(cards.replacement_choices)
    refusal = None
    if invitation.status != "declined" or tender.state != "invitation":
        refusal = Refused([_("Only a bureau that declined can be replaced, while the tender is in the invitation "
                             "stage.")])
        return render_template("portal/replace.html", tender=tender, form=form, invitation=invitation,
                               declined=declined, options=[], refusal=refusal), CONFLICT
    if form.validate_on_submit():
        new_bureau = session.get(Bureau, form.bureau.data)
        if new_bureau is None:
            form.bureau.errors.append(_("Make a choice from the list."))
        else:
            _done, refusal = attempt(lambda s: invitations.replace(s, current_user, tender, invitation_id, new_bureau,
                                                         form.motivation.data))
            if refusal is None:
                flash(_("%(new)s has been invited instead of %(old)s.", new=new_bureau.name, old=declined.name),
                      "success")
                return redirect(url_for("tenders.show", tender_id=tender.id) + "#invitations", code=303)
    status = CONFLICT if refusal else (INVALID if form.errors else 200)
    return render_template("portal/replace.html", tender=tender, form=form, invitation=invitation, declined=declined,
                           options=cards.replacement_choices, refusal=refusal), status


# --- questions and bulletins -------------------------------------------------------------------------------

def _render_questions(tender, status=200, forms=None, refusal=None):
    data = queries.load_questions_page(db.session(), tender)
    forms = forms or {}
    answer_forms = {q.id: forms.get(q.id) or AnswerForm(answer=q.answer) for q, _b in data.pending}
    return render_template("portal/questions.html", tender=tender, data=data, answer_forms=answer_forms,
                           clarification=forms.get("clarification") or ClarificationForm(),
                           publish=forms.get("publish") or PublishForm(), plain=PlainForm(), refusal=refusal,
                           can_change=tender.state in bulletins.OPEN_STATES), status


@bp.route("/tenders/<int:tender_id>/questions")
@roles_required("officer")
def questions(tender_id: int):
    return _render_questions(tender_or_404(tender_id))


def _questions_back(tender, message):
    flash(message, "success")
    return redirect(url_for("portal.questions", tender_id=tender.id), code=303)


@bp.route("/tenders/<int:tender_id>/questions/<int:question_id>/answer", methods=["POST"])
@roles_required("officer")
def answer(tender_id: int, question_id: int):
    tender = tender_or_404(tender_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _render_questions(tender, INVALID, {question_id: form})
    _done, refusal = attempt(lambda s: bulletins.answer(s, current_user, tender, question_id, form.answer.data,
                                              request.form.get("heading")))
    if refusal:
        return _render_questions(tender, CONFLICT, {question_id: form}, refusal)
    return _questions_back(tender, _("Answer saved. It reaches the bureaus when you publish the bulletin."))


@bp.route("/tenders/<int:tender_id>/clarifications", methods=["POST"])
@roles_required("officer")
def clarify(tender_id: int):
    tender = tender_or_404(tender_id)
    form = ClarificationForm()
    if not form.validate_on_submit():
        return _render_questions(tender, INVALID, {"clarification": form})
    _done, refusal = attempt(lambda s: bulletins.add_clarification(s, current_user, tender, form.heading.data, form.text.data))
    if refusal:
        return _render_questions(tender, CONFLICT, {"clarification": form}, refusal)
    return _questions_back(tender, _("Clarification added. It reaches the bureaus when you publish the bulletin."))


@bp.route("/tenders/<int:tender_id>/clarifications/<int:question_id>/delete", methods=["POST"])
@roles_required("officer")
def remove_clarification(tender_id: int, question_id: int):
    tender = tender_or_404(tender_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    _done, refusal = attempt(lambda s: bulletins.remove_clarification(s, current_user, tender, question_id))
    if refusal:
        return _render_questions(tender, CONFLICT, refusal=refusal)
    return _questions_back(tender, _("Clarification removed."))


@bp.route("/tenders/<int:tender_id>/bulletins", methods=["POST"])
@roles_required("officer")
def publish(tender_id: int):
    tender = tender_or_404(tender_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_questions(tender, INVALID, {"publish": form})
    bulletin, refusal = attempt(lambda s: bulletins.publish(s, current_user, tender, form.intro.data))
    if refusal:
        return _render_questions(tender, CONFLICT, {"publish": form}, refusal)
    return _questions_back(tender, _("Bulletin %(n)d has been published and sent to every invited bureau.",
                                     n=bulletin.number))


# --- the visions, after the opening -------------------------------------------------------------------

def _readable(tender_id: int, vision_id: int):
    tender = tender_or_404(tender_id)
    session = db.session()
    if not submissions.unsealed(session, tender):
        abort(make_response(render_template("errors/error.html", status=CONFLICT, title=_("Sealed until the deadline"),
                                            message=_(
            "Visions stay sealed until the deadline (%(deadline)s) has passed and the opening has been recorded. "
            "Until then you see only whether and when each bureau submitted.",
            deadline=format_local(tender.vision_deadline, "long"))), CONFLICT))
    found = submissions.readable_vision(session, tender, vision_id)
    if found is None or not _panel_may_open(session, tender, found[1].id):
        abort(404)
    return tender, found


def _panel_may_open(session, tender, bureau_id: int) -> bool:
    """Evaluators follow the panel's rules: declared for every bureau, no conflict with this one."""
    if current_user.role != "evaluator":
        return True
    from app.evaluation.panel import load_panel
    return load_panel(session, tender).may_open(current_user, bureau_id)


@bp.route("/tenders/<int:tender_id>/visions/<int:vision_id>")
@roles_required("officer", "evaluator")
def read_vision(tender_id: int, vision_id: int):
    tender, (vision, bureau, version, lots, attachments) = _readable(tender_id, vision_id)
    return render_template("portal/read_vision.html", tender=tender, vision=vision, bureau=bureau, v=version,
                           lots=lots, attachments=attachments, section_labels=submissions.SECTION_LABELS)


@bp.route("/tenders/<int:tender_id>/visions/<int:vision_id>/attachments/<int:attachment_id>")
@roles_required("officer", "evaluator")
def read_attachment(tender_id: int, vision_id: int, attachment_id: int):
    _tender, (_v, _b, _version, _lots, attachments) = _readable(tender_id, vision_id)
    attachment = next((a for a in attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return files.send(attachment)


# --- the outbox -------------------------------------------------------------------------------------------

@bp.route("/outbox")
@roles_required("officer")
def outbox():
    tender_id = request.args.get("tender", type=int)
    status = request.args.get("status", "")
    if status not in ("", "queued", "sending", "sent", "failed"):
        status = ""
    rows, total, page, pages = queries.outbox_page(db.session(), current_user, tender_id, status,
                                                   request.args.get("page", 1, type=int))
    return render_template("portal/outbox.html", rows=rows, total=total, page=page, pages=pages, status=status,
                           tender_id=tender_id, readable=_bodies_readable())


def _bodies_readable() -> bool:
    """Without an SMTP server the officer delivers by hand, so may read the messages; with one, the
    bodies (personal links!) stay out of sight and only the delivery status shows."""
    return not current_app.config.get("MAIL_SERVER")


@bp.route("/outbox/<int:message_id>")
@roles_required("officer")
def outbox_message(message_id: int):
    session = db.session()
    message = session.get(OutboxMessage, message_id)
    if message is None or message.tender_id is None or not _bodies_readable():
        abort(404)
    tender = tender_or_404(message.tender_id)
    return render_template("portal/outbox_message.html", message=message, tender=tender)
