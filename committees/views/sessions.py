"""Session screens: the list, scheduling, the session page with its agenda, attendance,
closing, corrections and minutes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from committees import operations as ops
from committees.forms import ActionForm, AgendaForm, AttendanceForm, CorrectionForm, SessionForm
from committees.models import CommitteeSession, SessionCase
from committees.permissions import MANAGE, VIEW_SESSIONS
from committees.views._common import attempt, bp
from core.db import get_or_404
from core.extensions import db
from core.forms import choices
from core.pdf import pdf_response
from core.persian import isolate_code
from core.security import allow


@bp.get("/sessions")
@allow(*VIEW_SESSIONS)
def session_list():
    sessions = db.session.scalars(ops.sessions_newest_first()).all()
    return render_template("committees/session_list.html", sessions=sessions, ready=ops.ready_cases())


@bp.route("/sessions/new", methods=["GET", "POST"])
@allow(*MANAGE)
def session_new():
    form = SessionForm()
    if form.validate_on_submit():
        created = []
        if attempt(
            form,
            lambda: created.append(
                ops.schedule_session(form.held_on.data, place=form.place.data, actor=current_user)
            ),
        ):
            flash(f"جلسه {isolate_code(created[0].number)} برنامه‌ریزی شد.", "success")
            return redirect(url_for("committees.session_detail", session_id=created[0].id))
    return render_template("committees/session_form.html", form=form)


def _session_page(session: CommitteeSession, **forms):
    agenda_form = forms.pop("agenda_form", None) or AgendaForm(formdata=None)
    agenda_form.case_id.choices = _ready_choices()
    attendance_form = forms.pop("attendance_form", None) or AttendanceForm(
        formdata=None, data={"member_ids": [a.member_id for a in session.attendance]}
    )
    attendance_form.member_ids.choices = _attendance_choices()
    rows = [
        {
            "item": item,
            "case": item.case,
            "ruling": ops.session_ruling(session, item.case),
            "tally": ops.vote_tally(session, item.case),
            "quorum": ops.check_quorum(session, item.case),
        }
        for item in session.agenda
    ]
    return render_template(
        "committees/session_detail.html",
        session=session,
        rows=rows,
        quorum=ops.check_quorum(session),
        agenda_form=agenda_form,
        attendance_form=attendance_form,
        correction_form=forms.pop("correction_form", None) or CorrectionForm(formdata=None),
        close_form=forms.pop("close_form", None) or ActionForm(formdata=None),
        **forms,
    )


def _ready_choices():
    return choices((c.id, f"{c.number} — {c.site.name}") for c in ops.ready_cases())


def _attendance_choices():
    return choices(
        (
            m.id,
            m.full_name
            + (f" (علی‌البدل {m.alternate_for.full_name})" if m.alternate_for_id else "")
            + f" — {m.organisation}",
        )
        for m in ops.members_in_order()
        if m.active
    )


@bp.get("/sessions/<int:session_id>")
@allow(*VIEW_SESSIONS)
def session_detail(session_id: int):
    return _session_page(get_or_404(CommitteeSession, session_id))


def _session_action(session: CommitteeSession, form, form_name: str, action, success: str):
    if form.validate_on_submit() and attempt(form, action):
        flash(success, "success")
        return redirect(url_for("committees.session_detail", session_id=session.id))
    return _session_page(session, **{form_name: form})


@bp.post("/sessions/<int:session_id>/agenda")
@allow(*MANAGE)
def session_add_case(session_id: int):
    session = get_or_404(CommitteeSession, session_id)
    form = AgendaForm()
    form.case_id.choices = _ready_choices()
    return _session_action(
        session,
        form,
        "agenda_form",
        lambda: ops.add_to_agenda(session, ops.get_case(form.case_id.data), actor=current_user),
        "پرونده به دستور جلسه افزوده شد.",
    )


@bp.post("/sessions/<int:session_id>/agenda/<int:item_id>/remove")
@allow(*MANAGE)
def session_remove_case(session_id: int, item_id: int):
    session = get_or_404(CommitteeSession, session_id)
    item = get_or_404(SessionCase, item_id)
    if item.session_id != session.id:
        abort(404)
    form = ActionForm()
    return _session_action(
        session,
        form,
        "close_form",
        lambda: ops.remove_from_agenda(item, actor=current_user),
        "پرونده از دستور جلسه برداشته شد.",
    )


@bp.post("/sessions/<int:session_id>/attendance")
@allow(*MANAGE)
def session_attendance(session_id: int):
    session = get_or_404(CommitteeSession, session_id)
    form = AttendanceForm()
    form.member_ids.choices = _attendance_choices()
    return _session_action(
        session,
        form,
        "attendance_form",
        lambda: ops.set_attendance(session, form.member_ids.data or [], actor=current_user),
        "حاضران جلسه ثبت شدند.",
    )


@bp.post("/sessions/<int:session_id>/close")
@allow(*MANAGE)
def session_close(session_id: int):
    session = get_or_404(CommitteeSession, session_id)
    form = ActionForm()
    return _session_action(
        session,
        form,
        "close_form",
        lambda: ops.close_session(session, actor=current_user),
        "جلسه بسته شد؛ صورتجلسه نهایی است.",
    )


@bp.post("/sessions/<int:session_id>/corrections")
@allow(*MANAGE)
def session_correction(session_id: int):
    session = get_or_404(CommitteeSession, session_id)
    form = CorrectionForm()
    return _session_action(
        session,
        form,
        "correction_form",
        lambda: ops.add_correction(session, form.text.data, actor=current_user),
        "اصلاحیه صورتجلسه ثبت شد.",
    )


@bp.get("/sessions/<int:session_id>/minutes.pdf")
@allow(*VIEW_SESSIONS)
def session_minutes(session_id: int):
    from committees.pdf import minutes_filename, minutes_pdf

    session = get_or_404(CommitteeSession, session_id)
    return pdf_response(minutes_pdf(session), minutes_filename(session))
