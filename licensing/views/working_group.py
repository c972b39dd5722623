"""Licensing screens: working-group sessions, their agenda, decisions and minutes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, show_domain_error
from core.pdf import pdf_response
from core.persian import isolate_code
from core.security import allow
from licensing import operations as ops
from licensing.forms import AgendaForm, AttendeeForm, DecisionForm, SessionForm
from licensing.models import AgendaItem, Application, WorkingGroupSession
from licensing.permissions import EDIT, VIEW
from licensing.views import bp, flash_form_errors, run_and_flash


@bp.get("/wg-sessions")
@allow(*VIEW)
def session_list():
    sessions = db.session.scalars(ops.sessions_newest_first()).all()
    return render_template("licensing/session_list.html", sessions=sessions, ready=ops.ready_applications())


@bp.route("/wg-sessions/new", methods=["GET", "POST"])
@allow(*EDIT)
def session_new():
    form = SessionForm()
    if form.validate_on_submit():
        try:
            session = ops.schedule_session(form.held_on.data, place=form.place.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"جلسه {isolate_code(session.number)} برنامه‌ریزی شد.", "success")
            return redirect(url_for("licensing.session_detail", session_id=session.id))
    return render_template("licensing/session_form.html", form=form)


@bp.get("/wg-sessions/<int:session_id>")
@allow(*VIEW)
def session_detail(session_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    agenda_form = AgendaForm()
    agenda_form.application_id.choices = choices(
        (a.id, f"{a.number} — {a.kind.label} — {a.applicant.full_name}") for a in ops.ready_applications()
    )
    return render_template(
        "licensing/session_detail.html",
        session=session,
        agenda_form=agenda_form,
        attendee_form=AttendeeForm(),
        decision_form=DecisionForm(),
    )


def _session_back(session: WorkingGroupSession):
    return redirect(url_for("licensing.session_detail", session_id=session.id))


def _session_run(session, action, success):
    return run_and_flash(action, success, _session_back(session))


@bp.post("/wg-sessions/<int:session_id>/agenda")
@allow(*EDIT)
def session_add_item(session_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    form = AgendaForm()
    form.application_id.choices = choices((a.id, a.number) for a in ops.ready_applications())
    if not form.validate():
        flash_form_errors(form)
        return _session_back(session)
    application = db.session.get(Application, form.application_id.data)
    return _session_run(
        session,
        lambda: ops.add_to_agenda(session, application, actor=current_user),
        f"درخواست {isolate_code(application.number)} به دستور جلسه افزوده شد.",
    )


@bp.post("/wg-sessions/<int:session_id>/agenda/<int:item_id>/remove")
@allow(*EDIT)
def session_remove_item(session_id: int, item_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    item = get_or_404(AgendaItem, item_id)
    if item.session_id != session.id:
        abort(404)
    return _session_run(
        session,
        lambda: ops.remove_from_agenda(item, actor=current_user),
        "بند از دستور جلسه برداشته شد.",
    )


@bp.post("/wg-sessions/<int:session_id>/attendees")
@allow(*EDIT)
def session_attendee(session_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    form = AttendeeForm()
    if not form.validate():
        flash_form_errors(form)
        return _session_back(session)
    return _session_run(
        session,
        lambda: ops.add_attendee(
            session,
            full_name=form.full_name.data,
            title=form.title.data,
            organisation=form.organisation.data,
            actor=current_user,
        ),
        "حاضر جلسه ثبت شد.",
    )


@bp.post("/wg-sessions/<int:session_id>/agenda/<int:item_id>/decision")
@allow(*EDIT)
def session_decision(session_id: int, item_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    item = get_or_404(AgendaItem, item_id)
    if item.session_id != session.id:
        abort(404)
    form = DecisionForm()
    if not form.validate():
        flash_form_errors(form)
        return _session_back(session)
    return _session_run(
        session,
        lambda: ops.record_decision(item, form.decision.data, form.reasons.data, actor=current_user),
        "تصمیم ثبت شد.",
    )


@bp.post("/wg-sessions/<int:session_id>/close")
@allow(*EDIT)
def session_close(session_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    return _session_run(
        session,
        lambda: ops.close_session(session, actor=current_user),
        "جلسه بسته شد؛ صورتجلسه نهایی است.",
    )


@bp.get("/wg-sessions/<int:session_id>/minutes.pdf")
@allow(*VIEW)
def session_minutes(session_id: int):
    from licensing.pdf import minutes_pdf

    session = get_or_404(WorkingGroupSession, session_id)
    return pdf_response(minutes_pdf(session), f"minutes-{session.number}.pdf")
