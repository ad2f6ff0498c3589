"""The bureau portal: its invitations, the brief, questions, bulletins and its own vision; and the
personal invitation link from the e-mail."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session

from app import db, files
from app.auth.views import set_password_and_log_in
from app.auth.tokens import TokenError
from app.authz import roles_required, tender_or_404
from app.dashboard.tasks import tasks_for
from app.clock import now
from app.db import writing
from app.models import Attachment, Invitation
from app.portal import bp, bulletins, invitations, queries, submissions
from app.portal.links import read_invitation_token
from app.web import INVALID, attempt, flash_refusal, form_status, refusal_status
from forms.auth import PasswordForm
from forms.common import LONG_TEXT
from forms.portal import DeclineForm, PlainForm, QuestionForm, VisionForm
from workflows import Refused

INDEX_PAGE_SIZE = 50  # invitations per page of the bureau's landing page


def _mark_opened(user_id: int, invitation_id: int) -> None:
    """sent → opened, in a short writing transaction of its own (the page itself only reads)."""
    from app.models import User
    with writing(), Session(db.engine()) as session:
        invitation = session.get(Invitation, invitation_id)
        if invitation is not None and invitation.status == "sent":
            invitations.mark_opened(session, session.get(User, user_id), invitation.tender_id, invitation)
            session.commit()


# --- the link in the invitation e-mail ------------------------------------------------------------------

@bp.route("/invitation/<token>", methods=["GET", "POST"])
def follow_link(token: str):
    session = db.session()
    try:
        user, invitation_id, fresh = read_invitation_token(session, token)
    except TokenError as e:
        message = (_("This invitation link has expired. Log in if you already set a password, or ask the "
                     "municipality to send the invitation again.") if e.expired
                   else _("This invitation link is not valid. Check that you copied the whole link from the e-mail."))
        return render_template("auth/link_invalid.html", message=message), 410 if e.expired else 404
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.bureau_id != user.bureau_id:
        abort(404)
    target = url_for("portal.tender", tender_id=invitation.tender_id)
    if request.method == "GET" and invitation.status == "sent":
        _mark_opened(user.id, invitation.id)
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(target)
    if user.password_hash is not None:
        flash(_("Log in to see the invitation."), "info")
        return redirect(url_for("auth.login", next=target))
    if not fresh:
        return render_template("auth/link_invalid.html", message=_(
            "This invitation link is not valid any more. Ask the municipality to send the invitation again.")), 404
    form = PasswordForm()
    if form.validate_on_submit():
        set_password_and_log_in(session, user, form.password.data)
        return redirect(target, code=303)
    return render_template("auth/set_password.html", form=form, user=user), form_status(form)


# --- the portal -------------------------------------------------------------------------------------------

@bp.route("/portal")
@roles_required("bureau")
def index():
    """The bureau's landing page: its tasks, then its invitations."""
    session = db.session()
    rows, _total, page, pages = queries.load_portal_index(session, current_user.bureau_id,
                                                          request.args.get("page", 1, type=int), INDEX_PAGE_SIZE)
    return render_template("portal/index.html", rows=rows, page=page, pages=pages,
                           tasks=tasks_for(session, current_user))


def _render_tender(tender, status: int = 200, question_form=None, decline_form=None):
    data = queries.load_portal_tender(db.session(), tender, current_user.bureau_id)
    return render_template(
        "portal/tender.html", tender=tender, d=data, b=data.brief,
        question_form=question_form or QuestionForm(), decline_form=decline_form or DeclineForm(),
        plain=PlainForm(), questions_closed=bulletins.questions_open(tender),
    ), status


@bp.route("/portal/tenders/<int:tender_id>")
@roles_required("bureau")
def tender(tender_id: int):
    t = tender_or_404(tender_id)
    invitation = invitations.own_invitation(db.session(), t.id, current_user.bureau_id)
    if invitation is not None and invitation.status == "sent":
        _mark_opened(current_user.id, invitation.id)
        db.session().expire_all()
    return _render_tender(t)


def _act(tender_id: int, op, done_message: str, anchor: str = ""):
    """Run one operation for a button; commit and go back, or roll back and show the reason."""
    t = tender_or_404(tender_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    _done, refusal = attempt(lambda s: op(s, t))
    if refusal:
        flash_refusal(refusal)
        return redirect(request.referrer if _same_site(request.referrer) else url_for("portal.tender", tender_id=t.id))
    flash(done_message, "success")
    return redirect(url_for("portal.tender", tender_id=t.id) + (f"#{anchor}" if anchor else ""))


def _same_site(url) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.route("/portal/tenders/<int:tender_id>/accept", methods=["POST"])
@roles_required("bureau")
def accept(tender_id: int):
    return _act(tender_id, lambda s, t: invitations.accept(s, current_user, t),
                _("You accepted the invitation."), "invitation")


def _form_post(tender_id: int, form, slot: str, op, done_message: str, anchor: str = ""):
    """A bureau's form on the tender page: validate, run one operation, commit; or show the page again
    with the reasons and what was typed (422 for input, 409 for a rule)."""
    t = tender_or_404(tender_id)
    if not form.validate_on_submit():
        return _render_tender(t, INVALID, **{slot: form})
    _done, refusal = attempt(lambda s: op(s, t))
    if refusal:
        flash_refusal(refusal)
        return _render_tender(t, refusal_status(refusal), **{slot: form})
    flash(done_message, "success")
    return redirect(url_for("portal.tender", tender_id=t.id) + (f"#{anchor}" if anchor else ""))


@bp.route("/portal/tenders/<int:tender_id>/decline", methods=["POST"])
@roles_required("bureau")
def decline(tender_id: int):
    form = DeclineForm()
    return _form_post(tender_id, form, "decline_form",
                      lambda s, t: invitations.decline(s, current_user, t, form.reason.data),
                      _("You declined the invitation. Thank you for letting us know."), "invitation")


@bp.route("/portal/tenders/<int:tender_id>/questions", methods=["POST"])
@roles_required("bureau")
def ask(tender_id: int):
    form = QuestionForm()
    return _form_post(tender_id, form, "question_form", lambda s, t: bulletins.ask(s, current_user, t, form.text.data),
                      _("Your question has been received. The answer will appear in a bulletin for all bureaus, "
                        "without your name."), "questions")


# --- the vision -------------------------------------------------------------------------------------------

def _vision_input(lots) -> tuple[submissions.VisionInput, list[str]]:
    form = request.form
    data = submissions.VisionInput(sections={s: form.get(s, "") for s in submissions.VISION_SECTIONS})
    errors = []
    for lot in lots:
        if form.get(f"lot-{lot.id}"):
            approach = form.get(f"approach-{lot.id}", "")
            if len(approach) > LONG_TEXT or any(ord(c) < 32 and c not in "\t\n\r" for c in approach):
                errors.append(_("The approach for “%(lot)s” is too long or contains characters that are not allowed.",
                                lot=lot.title))
            data.lots[lot.id] = approach
    return data, errors


def _render_vision(tender, form, status=200, typed=None, refusal=None, page=None):
    session = db.session()
    page = page or queries.load_vision_page(session, tender.id, current_user.bureau_id)
    lots = queries.tender_lots(session, tender.id)
    invitation = invitations.own_invitation(session, tender.id, current_user.bureau_id)
    if typed is None:
        working = page.working
        typed = submissions.VisionInput(lots={vl.lot_id: vl.approach for vl in page.lots.get(working.id, [])}
                                        if working else {})
    return render_template("portal/vision.html", tender=tender, form=form, page=page, lots=lots, typed=typed,
                           refusal=refusal, invitation=invitation, plain=PlainForm(),
                           closed=submissions.editable(tender, invitation),
                           section_labels=submissions.SECTION_LABELS), status


@bp.route("/portal/tenders/<int:tender_id>/vision", methods=["GET", "POST"])
@roles_required("bureau")
def vision(tender_id: int):
    received_at = now()  # server receipt time: the deadline is judged on this moment
    t = tender_or_404(tender_id)
    session = db.session()
    if request.method == "GET":
        page = queries.load_vision_page(session, t.id, current_user.bureau_id)
        return _render_vision(t, VisionForm(obj=page.working), page=page)
    form = VisionForm()
    data, errors = _vision_input(queries.tender_lots(session, t.id))
    if not form.validate_on_submit() or errors:
        return _render_vision(t, form, INVALID, data, Refused(errors, kind="invalid") if errors else None)
    upload = None
    if form.attachment.data and getattr(form.attachment.data, "filename", ""):
        upload = submissions.Upload(data=form.attachment.data.read(), filename=form.attachment.data.filename)
    submitting = request.form.get("action") == "submit"
    try:
        if submitting:
            version = submissions.submit(session, current_user, t, data, upload, received_at)
        else:
            version = submissions.save_draft(session, current_user, t, data, upload, received_at)
        session.commit()
    except Refused as refusal:
        session.rollback()
        if submitting and t.vision_deadline is not None and received_at >= t.vision_deadline:
            submissions.record_late_attempt(session, current_user, t, received_at)
            session.commit()
        return _render_vision(t, form, refusal_status(refusal), data, refusal)
    except files.StorageError:
        session.rollback()
        return _render_vision(t, form, 503, data, Refused([_(
            "The attachment could not be stored; nothing was saved. Try again in a moment.")]))
    if submitting:
        flash(_("Version %(n)d of your vision was received on %(when)s. You can revise and resubmit it until the "
                "deadline; the last version submitted counts.", n=version.number, when=_local(version.submitted_at)),
              "success")
    elif version is None:
        flash(_("Nothing changed since the version you submitted."), "info")
    else:
        flash(_("Draft saved. It is not submitted yet."), "success")
    return redirect(url_for("portal.vision", tender_id=t.id), code=303)


def _local(moment) -> str:
    from app.i18n import format_local
    return format_local(moment, "long")


@bp.route("/portal/tenders/<int:tender_id>/vision/withdraw", methods=["POST"])
@roles_required("bureau")
def withdraw(tender_id: int):
    received_at = now()
    return _act(tender_id, lambda s, t: submissions.withdraw(s, current_user, t, received_at),
                _("Your vision has been withdrawn. Your draft is kept; you can submit again until the deadline."),
                "vision")


@bp.route("/portal/tenders/<int:tender_id>/vision/attachments/<int:attachment_id>/delete", methods=["POST"])
@roles_required("bureau")
def remove_attachment(tender_id: int, attachment_id: int):
    t = tender_or_404(tender_id)
    _own_attachment(t, attachment_id)  # another bureau's attachment: 404, like every foreign object
    if not PlainForm().validate_on_submit():
        abort(400)
    _done, refusal = attempt(lambda s: submissions.remove_attachment(s, current_user, t, attachment_id))
    if refusal:
        flash_refusal(refusal)
    else:
        flash(_("Attachment removed from your draft."), "success")
    return redirect(url_for("portal.vision", tender_id=t.id), code=303)


def _own_attachment(tender, attachment_id: int) -> Attachment:
    session = db.session()
    page = queries.load_vision_page(session, tender.id, current_user.bureau_id)
    for items in page.attachments.values():
        for a in items:
            if a.id == attachment_id:
                return a
    abort(404)


@bp.route("/portal/tenders/<int:tender_id>/vision/attachments/<int:attachment_id>")
@roles_required("bureau")
def download(tender_id: int, attachment_id: int):
    t = tender_or_404(tender_id)
    return files.send(_own_attachment(t, attachment_id))


@bp.route("/portal/tenders/<int:tender_id>/vision/versions/<int:number>")
@roles_required("bureau")
def version(tender_id: int, number: int):
    t = tender_or_404(tender_id)
    session = db.session()
    page = queries.load_vision_page(session, t.id, current_user.bureau_id)
    shown = next((v for v in page.versions if v.number == number and v.submitted_at is not None), None)
    if shown is None:
        abort(404)
    lots = {lot.id: lot for lot in queries.tender_lots(session, t.id)}
    return render_template("portal/version.html", tender=t, v=shown, attachments=page.attachments[shown.id],
                           lots=[(vl, lots[vl.lot_id]) for vl in page.lots[shown.id]],
                           section_labels=submissions.SECTION_LABELS)
