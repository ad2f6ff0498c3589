"""Pages of the award area. The officer: the selection per lot, the decision page (letters, objections,
contract terms, contracts). The bureau: its letters, and its objections during the standstill."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from app.authz import roles_required, tender_or_404
from app.award import bp, operations, queries
from app.award import letters as letter_mod
from app.files import send as send_file_download
from app.models import Attachment, DecisionLetter, Objection
from app.web import INVALID, attempt, refusal_status
from forms.award import ContractTermsForm, HandleObjectionForm, LotSelectionForm, ObjectionForm
from workflows import Refused, programme_engine


@bp.record_once
def _template_helpers(state) -> None:
    # Formatting of letter contents (scores, days, outcomes) for the pages and the e-mails.
    state.app.jinja_env.globals["award_fmt"] = letter_mod
    state.app.jinja_env.globals["programme_state"] = lambda name: programme_engine().workflow.state(name).label


@bp.app_template_global("objection_status")
def _objection_status(status: str) -> str:
    return operations.objection_status_label(status)


# --- officer: selection per lot ----------------------------------------------------------------------------

def _selection_form(lv, version: int) -> LotSelectionForm:
    form = LotSelectionForm(prefix=f"lot{lv.lot.id}", formdata=None)
    form.version.data = version
    for row in lv.rows:
        chosen = lv.selections.get(row.bureau_id)
        form.bureaus.append_entry({"bureau_id": str(row.bureau_id), "selected": bool(chosen and chosen.selected),
                                   "motivation": chosen.motivation if chosen else ""})
    return form


def _render_selection(tender, status: int = 200, posted: tuple | None = None, refusal: Refused | None = None):
    data = queries.load_selection(db.session(), tender)
    lots = []
    for lv in data.lots:
        form = posted[1] if posted and posted[0] == lv.lot.id else _selection_form(lv, tender.version)
        rows = {r.bureau_id: r for r in lv.rows}
        pairs = [(rows.get(_int(entry.bureau_id.data)), entry) for entry in form.bureaus]
        lots.append((lv, form, [(row, entry) for row, entry in pairs if row is not None]))
    return render_template("award/selection.html", tender=tender, data=data, lots=lots,
                           editable=tender.state == "selection", refusal=refusal,
                           refused_lot=posted[0] if posted else None), status


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.route("/tenders/<int:tender_id>/selection")
@roles_required("officer")
def selection(tender_id: int):
    return _render_selection(tender_or_404(tender_id))


@bp.route("/tenders/<int:tender_id>/selection/<int:lot_id>", methods=["POST"])
@roles_required("officer")
def save_selection(tender_id: int, lot_id: int):
    tender = tender_or_404(tender_id)
    form = LotSelectionForm(prefix=f"lot{lot_id}")
    if not form.validate():
        return _render_selection(tender, INVALID, (lot_id, form))
    choices = {}
    for entry in form.bureaus:
        bureau_id = _int(entry.bureau_id.data)
        if bureau_id is None:
            abort(400)
        choices[bureau_id] = (bool(entry.selected.data), entry.motivation.data or "")
    _done, refusal = attempt(lambda session: operations.save_lot_selection(
        session, current_user, tender, lot_id, choices, form.version.data))
    if refusal:
        return _render_selection(tender_or_404(tender_id), refusal_status(refusal), (lot_id, form), refusal)
    flash(_("Selection saved."), "success")
    return redirect(url_for("award.selection", tender_id=tender.id) + f"#lot-{lot_id}")


# --- officer: the decision page ------------------------------------------------------------------------------

def _render_decision(tender, status: int = 200, posted: dict | None = None, refusal: Refused | None = None,
                     refused_key: str | None = None):
    page = queries.load_decision_page(db.session(), tender)
    posted = posted or {}
    handle_forms = {}
    for objection, _bureau in page.objections:
        if objection.status == "open":
            form = posted.get(f"obj{objection.id}") or HandleObjectionForm(prefix=f"obj{objection.id}", formdata=None)
            if not form.version.data:
                form.version.data = objection.version
            handle_forms[objection.id] = form
    terms_forms = {}
    for sel, _lot, _bureau in page.winners:
        terms_forms[sel.id] = posted.get(f"terms{sel.id}") or ContractTermsForm(prefix=f"terms{sel.id}", formdata=None,
                                                                                  obj=sel)
    return render_template("award/decision.html", tender=tender, page=page, handle_forms=handle_forms,
                           terms_forms=terms_forms, terms_editable=tender.state in ("selection", "standstill"),
                           refusal=refusal, refused_key=refused_key,
                           left=queries.countdown(page.current.standstill_ends_at) if page.current else None), status


@bp.route("/tenders/<int:tender_id>/decision")
@roles_required("officer")
def decision(tender_id: int):
    return _render_decision(tender_or_404(tender_id))


@bp.route("/tenders/<int:tender_id>/objections/<int:objection_id>/handle", methods=["POST"])
@roles_required("officer")
def handle_objection(tender_id: int, objection_id: int):
    tender = tender_or_404(tender_id)
    key = f"obj{objection_id}"
    form = HandleObjectionForm(prefix=key)
    if not form.validate():
        return _render_decision(tender, INVALID, {key: form}, refused_key=key)
    objection, refusal = attempt(lambda session: operations.handle_objection(
        session, current_user, tender, objection_id, form.outcome.data, form.reason.data, form.version.data))
    if refusal:
        return _render_decision(tender_or_404(tender_id), refusal_status(refusal), {key: form}, refusal, key)
    if objection.status == "upheld":
        flash(_("Objection upheld: the decision is withdrawn and the tender is back in the selection. The bureaus "
                "have been told."), "success")
        return redirect(url_for("award.selection", tender_id=tender.id))
    flash(_("Objection rejected; the bureau has been told."), "success")
    return redirect(url_for("award.decision", tender_id=tender.id) + "#objections")


@bp.route("/tenders/<int:tender_id>/terms/<int:selection_id>", methods=["POST"])
@roles_required("officer")
def save_terms(tender_id: int, selection_id: int):
    tender = tender_or_404(tender_id)
    key = f"terms{selection_id}"
    form = ContractTermsForm(prefix=key)
    if not form.validate():
        return _render_decision(tender, INVALID, {key: form}, refused_key=key)
    _done, refusal = attempt(lambda session: operations.save_contract_terms(
        session, current_user, tender, selection_id, form.start_date.data, form.duration_years.data,
        form.value_eur.data))
    if refusal:
        return _render_decision(tender_or_404(tender_id), refusal_status(refusal), {key: form}, refusal, key)
    flash(_("Contract terms saved."), "success")
    return redirect(url_for("award.decision", tender_id=tender.id) + "#terms")


# --- letters and objection files (officer of the tender, or the bureau concerned) -----------------------------

def _may_see_bureau_item(tender_id: int, bureau_id: int) -> None:
    if current_user.role == "bureau":
        if current_user.bureau_id != bureau_id:
            abort(404)
    tender_or_404(tender_id)  # officers: only their organisations' tenders; bureaus: invited ones


@bp.route("/award/letters/<int:letter_id>.pdf")
@roles_required("officer", "bureau")
def letter_pdf(letter_id: int):
    letter = db.session().get(DecisionLetter, letter_id) or abort(404)
    _may_see_bureau_item(letter.tender_id, letter.bureau_id)
    response = make_response(letter.pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="award-decision-{letter.decision_id}-{letter.bureau_id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/award/objections/<int:objection_id>/files/<int:attachment_id>")
@roles_required("officer", "bureau")
def objection_file(objection_id: int, attachment_id: int):
    session = db.session()
    objection = session.get(Objection, objection_id) or abort(404)
    _may_see_bureau_item(objection.tender_id, objection.bureau_id)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.owner_type != "objection" or attachment.owner_id != objection.id:
        abort(404)
    return send_file_download(attachment)


# --- bureau: its letters and objections ------------------------------------------------------------------------

@bp.route("/award/letters")
@roles_required("bureau")
def bureau_letters():
    rows = queries.bureau_letters(db.session(), current_user.bureau_id)
    return render_template("award/bureau_letters.html", rows=rows)


def _render_bureau_tender(tender, status: int = 200, form: ObjectionForm | None = None,
                          refusal: Refused | None = None):
    page = queries.load_bureau_page(db.session(), tender, current_user.bureau_id)
    if not page.letters:
        abort(404)
    letter, decision = page.current
    open_for_objection = (tender.state == "standstill" and decision.status == "standstill"
                          and queries.countdown(decision.standstill_ends_at) is not None)
    return render_template("award/bureau_tender.html", tender=tender, page=page, letter=letter, decision=decision,
                           content=letter_mod.parse(letter.content), form=form or ObjectionForm(formdata=None),
                           open_for_objection=open_for_objection, refusal=refusal,
                           left=queries.countdown(decision.standstill_ends_at)), status


@bp.route("/award/tenders/<int:tender_id>")
@roles_required("bureau")
def bureau_tender(tender_id: int):
    return _render_bureau_tender(tender_or_404(tender_id))


@bp.route("/award/tenders/<int:tender_id>/objections", methods=["POST"])
@roles_required("bureau")
def lodge_objection(tender_id: int):
    tender = tender_or_404(tender_id)
    form = ObjectionForm()
    if not form.validate():
        return _render_bureau_tender(tender, INVALID, form)
    files = [(f.filename or "", f.read()) for f in request.files.getlist(form.files.name) if f and f.filename]
    _done, refusal = attempt(lambda session: operations.lodge_objection(
        session, current_user, tender, form.text.data, files))
    if refusal:
        return _render_bureau_tender(tender_or_404(tender_id), refusal_status(refusal), form, refusal)
    flash(_("Your objection has been lodged. The municipality will decide on it; you will receive an e-mail."),
          "success")
    return redirect(url_for("award.bureau_tender", tender_id=tender.id) + "#objections")
