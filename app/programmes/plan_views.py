"""Co-creating the plan: a version's page (acceptance, comments, revisions), editing a draft, comparing."""
from __future__ import annotations

from typing import Optional

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from app.authz import roles_required
from app.programmes import bp, compare, plan_operations, queries
from app.programmes.access import programme_or_404
from app.programmes.plan_operations import SCALAR_FIELDS, PlanContent
from app.programmes.views import my_side, refusal_status
from app.web import attempt, flash_refusal, form_status
from forms.programme import CommentForm, EmptyForm, PlanForm, RevisionForm

# Blank rows offered below the filled ones (no JavaScript to add rows): (extra, at least).
BLANK_ROWS = {"sessions": (2, 6), "spread": (2, 3), "indicators": (2, 4)}


def _version(programme, number: int):
    return queries.version_or_none(db.session(), programme, number) or abort(404)


def render_plan(programme, version, status: int = 200, comment_form: Optional[CommentForm] = None,
                refusal=None, seen_revision: Optional[int] = None):
    view = queries.load_plan_view(db.session(), programme, version)
    return render_template("programmes/plan.html", programme=programme, p=view, side=my_side(programme),
                           comment_form=comment_form or CommentForm(), accept_form=RevisionForm(),
                           refusal=refusal, seen_revision=seen_revision), status


@bp.route("/<int:programme_id>/plan/new", methods=["POST"])
@roles_required("officer", "bureau")
def new_version(programme_id: int):
    programme = programme_or_404(programme_id)
    if not EmptyForm().validate():
        abort(400)
    opened, refusal = attempt(lambda s: plan_operations.start_version(s, current_user, programme))
    if refusal:
        flash_refusal(refusal)
        return redirect(url_for("programmes.show", programme_id=programme_id))
    flash(_("Version %(n)d is open. Write it together; it counts once both sides accept it.", n=opened.number),
          "success")
    return redirect(url_for("programmes.edit_plan", programme_id=programme_id, number=opened.number))


@bp.route("/<int:programme_id>/plan/<int:number>")
@roles_required("officer", "bureau")
def plan(programme_id: int, number: int):
    programme = programme_or_404(programme_id)
    return render_plan(programme, _version(programme, number))


def _form_data(version, content: PlanContent) -> dict:
    return {
        "revision": version.revision, **content.values,
        "sessions": [{"held_on": d, "themes": t} for d, t in content.sessions],
        "spread": [{"organisation": o, "places": p} for o, p in content.spread],
        "indicators": [{"name": n, "description": d} for n, d in content.indicators],
    }


def _content_of(form: PlanForm) -> PlanContent:
    values = {k: getattr(form, k).data for k in SCALAR_FIELDS}
    sessions = sorted(((e.form.held_on.data, e.form.themes.data or "") for e in form.sessions
                       if e.form.held_on.data), key=lambda s: s[0])
    spread = [(e.form.organisation.data, e.form.places.data) for e in form.spread if e.form.organisation.data]
    indicators = [(e.form.name.data, e.form.description.data or "") for e in form.indicators if e.form.name.data]
    return PlanContent(values, sessions, spread, indicators)


def _pad(form: PlanForm) -> None:
    for name, (extra, least) in BLANK_ROWS.items():
        rows = getattr(form, name)
        filled = sum(1 for e in rows if any(f.data not in (None, "") for f in e.form))
        while len(rows.entries) < max(filled + extra, least):
            rows.append_entry()


@bp.route("/<int:programme_id>/plan/<int:number>/edit", methods=["GET", "POST"])
@roles_required("officer", "bureau")
def edit_plan(programme_id: int, number: int):
    programme = programme_or_404(programme_id)
    version = _version(programme, number)
    session = db.session()
    if request.method == "GET":
        if version.status != "draft":
            flash(_("Version %(n)d can no longer change: it was accepted by both sides (or withdrawn). Start a new "
                    "version to propose changes.", n=number), "error")
            return redirect(url_for("programmes.plan", programme_id=programme_id, number=number))
        form = PlanForm(data=_form_data(version, plan_operations.contents_of(session, [version])[version.id]))
    else:
        form = PlanForm()
    refusal = None
    if form.validate_on_submit():
        changed, refusal = attempt(lambda s: plan_operations.save_draft(
            s, current_user, programme, version, _content_of(form), form.revision.data))
        if not refusal:
            flash(_("Saved as a new revision. Earlier acceptances no longer count; both sides accept again.")
                  if changed else _("Nothing changed."), "success")
            return redirect(url_for("programmes.plan", programme_id=programme_id, number=number))
        seen = form.revision.data
        version = _version(programme, number)
        if refusal.kind == "stale":
            # Saving again now deliberately replaces the other side's revision; the page links to what changed.
            form.revision.data = version.revision
        _pad(form)
        return render_template("programmes/plan_edit.html", programme=programme, version=version, form=form,
                               refusal=refusal, seen_revision=seen), refusal_status(refusal)
    _pad(form)
    return render_template("programmes/plan_edit.html", programme=programme, version=version, form=form,
                           refusal=None, seen_revision=None), form_status(form)


def _post(programme_id: int, number: int, form, op, **render_kw):
    """Validate `form` and run `op(session, programme, version)`. None when done; otherwise the version's
    page again, with the reasons."""
    programme = programme_or_404(programme_id)
    version = _version(programme, number)
    if not form.validate_on_submit():
        return render_plan(programme, version, form_status(form), **render_kw)
    _done, refusal = attempt(lambda s: op(s, programme, version))
    if refusal:
        return render_plan(programme_or_404(programme_id), _version(programme, number), refusal_status(refusal),
                           refusal=refusal, **render_kw)
    return None


@bp.route("/<int:programme_id>/plan/<int:number>/accept", methods=["POST"])
@roles_required("officer", "bureau")
def accept_plan(programme_id: int, number: int):
    form, agreed, states = RevisionForm(), [], []

    def accept(s, programme, version):
        states.append(programme.state)
        agreed.append(plan_operations.accept(s, current_user, programme, version, my_side(programme),
                                             form.revision.data, form.content_hash.data))

    failed = _post(programme_id, number, form, accept, seen_revision=form.revision.data)
    if failed:
        return failed
    state_before = states[0]
    if not agreed[0]:
        flash(_("You accepted version %(n)d. It counts once the other side accepts this same version.", n=number),
              "success")
    elif state_before == "plan":
        flash(_("Both sides accepted version %(n)d: the programme is now running.", n=number), "success")
    else:
        flash(_("Both sides accepted version %(n)d: it is now the plan in force.", n=number), "success")
    return redirect(url_for("programmes.plan", programme_id=programme_id, number=number))


@bp.route("/<int:programme_id>/plan/<int:number>/comments", methods=["POST"])
@roles_required("officer", "bureau")
def comment_plan(programme_id: int, number: int):
    form = CommentForm()
    failed = _post(programme_id, number, form, lambda s, programme, version: plan_operations.add_comment(
        s, current_user, programme, version, my_side(programme), form.body.data), comment_form=form)
    if failed:
        return failed
    flash(_("Comment added."), "success")
    return redirect(url_for("programmes.plan", programme_id=programme_id, number=number) + "#comments")


@bp.route("/<int:programme_id>/plan/compare")
@roles_required("officer", "bureau")
def compare_plans(programme_id: int):
    programme = programme_or_404(programme_id)
    refs = [compare.parse_ref(request.args.get(k, "")) for k in ("a", "b")]
    if None in refs:
        abort(404)
    snapshots = queries.snapshots(db.session(), programme, refs)
    if None in snapshots:
        abort(404)
    labels = [_("Version %(n)d, revision %(r)d", n=n, r=r) if r else _("Version %(n)d", n=n) for n, r in refs]
    rows = compare.rows(*snapshots)
    return render_template("programmes/compare.html", programme=programme, rows=rows, labels=labels, refs=refs,
                           changed=sum(1 for r in rows if r.changed))
