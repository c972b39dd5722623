"""Committee screens: the violation catalogue, cases, rulings and appeals, members, sessions with
their hearings, votes and minutes."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

import committees.models  # noqa: F401  (the blueprint's models are part of the schema)
from accounts.models import User
from committees import operations as ops
from committees.forms import (
    ActionForm,
    AgendaForm,
    AppealDecisionForm,
    AppealForm,
    AttendanceForm,
    CaseForm,
    CorrectionForm,
    DefenceForm,
    DefenceRequestForm,
    EvidenceForm,
    FinePaidForm,
    MemberForm,
    OwnVoteForm,
    ReasonForm,
    RecusalForm,
    RulingForm,
    ServeForm,
    SessionForm,
    ViolationTypeForm,
    VoteForm,
)
from committees.models import (
    TRANSITIONS,
    Appeal,
    AppealOutcome,
    Case,
    CaseEvidence,
    CaseSource,
    CaseState,
    CommitteeMember,
    CommitteeSession,
    FineStatus,
    PenaltyKind,
    Ruling,
    RulingState,
    SessionCase,
    ViolationType,
    VoteChoice,
    penalty_text,
)
from committees.permissions import CATALOGUE, MANAGE, MEMBERS, OWN_VOTE, VIEW_CASES, VIEW_SESSIONS
from core.args import enum_arg, int_arg, page_arg
from core.audit import history
from core.clock import today_tehran
from core.dashboard import Panel, dashboard_panel
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, show_domain_error
from core.pdf import pdf_response
from core.persian import isolate_code, to_persian_digits
from core.security import Role, allow
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from registry import operations as registry_ops

bp = Blueprint("committees", __name__, url_prefix="/committees")


@bp.app_template_filter("penalty_text")
def _penalty_text_filter(step: dict) -> str:
    """A ladder step in words: {"penalty": "suspension", "days": 7} → «تعلیق پروانه به مدت ۷ روز»"""
    return penalty_text(step["penalty"], step.get("days"), step.get("amount"))


def _attempt(form, action) -> bool:
    """Run an operation for a valid form: commit, or roll back and show the Persian refusal."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        show_domain_error(form, exc)
        return False
    db.session.commit()
    return True


# ---------------------------------------------------------------- the catalogue


@bp.get("/violations")
@allow(*CATALOGUE)
def violation_list():
    types = db.session.scalars(select(ViolationType).order_by(ViolationType.code)).all()
    return render_template("committees/violation_list.html", types=types)


def _type_data(form: ViolationTypeForm) -> dict:
    return {
        "code": form.code.data,
        "title": form.title.data,
        "description": form.description.data,
        "severity": form.severity.data,
        "lookback_days": form.lookback_days.data,
        "legal_basis": form.legal_basis.data,
        "active": form.active.data,
        "ladder": form.ladder_steps(),
    }


@bp.route("/violations/new", methods=["GET", "POST"])
@allow(*CATALOGUE)
def violation_new():
    form = ViolationTypeForm(data={"lookback_days": 365, "active": True, "severity": "medium"})
    if form.validate_on_submit():
        created = []
        if _attempt(
            form, lambda: created.append(ops.save_violation_type(None, _type_data(form), actor=current_user))
        ):
            flash(f"تخلف «{to_persian_digits(created[0].title)}» به فهرست افزوده شد.", "success")
            return redirect(url_for("committees.violation_list"))
    return render_template("committees/violation_form.html", form=form, violation_type=None)


@bp.route("/violations/<int:type_id>", methods=["GET", "POST"])
@allow(*CATALOGUE)
def violation_edit(type_id: int):
    violation_type = get_or_404(ViolationType, type_id)
    form = ViolationTypeForm(
        data={
            "code": violation_type.code,
            "title": violation_type.title,
            "description": violation_type.description,
            "severity": violation_type.severity.value,
            "lookback_days": violation_type.lookback_days,
            "legal_basis": violation_type.legal_basis,
            "active": violation_type.active,
            "steps": [
                {"penalty": s["penalty"], "days": s.get("days"), "amount": s.get("amount")}
                for s in violation_type.ladder
            ],
        }
    )
    form.code.data = violation_type.code  # the code is fixed once created
    if not form.is_submitted():  # shown with Persian digits, stored with ASCII
        for name in ("description", "legal_basis"):
            form[name].data = to_persian_digits(form[name].data)
    if form.validate_on_submit() and _attempt(
        form, lambda: ops.save_violation_type(violation_type, _type_data(form), actor=current_user)
    ):
        flash(f"تخلف «{to_persian_digits(violation_type.title)}» ذخیره شد.", "success")
        return redirect(url_for("committees.violation_list"))
    return render_template("committees/violation_form.html", form=form, violation_type=violation_type)


# ---------------------------------------------------------------- cases


@bp.get("/cases")
@allow(*VIEW_CASES)
def case_list():
    state = enum_arg("state", CaseState)
    source = enum_arg("source", CaseSource)
    county_id = int_arg("county")
    q = request.args.get("q", "")[:100]
    stmt = ops.search_cases(state=state, source=source, county_id=county_id, q=q)
    if wants_xlsx():
        cases = db.session.scalars(stmt).unique()
        return xlsx_response(
            "cases.xlsx",
            [
                Sheet(
                    "پرونده‌های تخلف",
                    (
                        "شماره",
                        "دفتر",
                        "کد دفتر",
                        "شهرستان",
                        "منشأ",
                        "وضعیت",
                        "تاریخ تشکیل",
                        "تاریخ تخلف",
                        "تخلفات",
                    ),
                    (
                        (
                            c.number,
                            c.site.name,
                            c.site.code,
                            c.site.county.name,
                            c.source,
                            c.state,
                            c.opened_on,
                            c.offence_on,
                            "، ".join(v.violation_type.title for v in c.violations),
                        )
                        for c in cases
                    ),
                )
            ],
        )
    page = db.paginate(
        stmt,
        page=page_arg(),
        per_page=25,
        error_out=False,
    )
    return render_template(
        "committees/case_list.html",
        page=page,
        state=state,
        source=source,
        county_id=county_id,
        q=q,
        states=CaseState,
        sources=CaseSource,
        counties=registry_ops.counties_in_order(),
    )


def _violation_choices(form: CaseForm) -> None:
    form.violation_type_ids.choices = choices(
        (t.id, to_persian_digits(f"{t.code} — {t.title}")) for t in ops.active_violation_types()
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@allow(*MANAGE)
def case_new():
    form = CaseForm(data={"opened_on": today_tehran(), "source": CaseSource.COMPLAINT.value})
    _violation_choices(form)
    if form.validate_on_submit():
        opened = []

        def _open():
            opened.append(
                ops.open_case(
                    ops.find_office(form.office_code.data),
                    source=form.source.data,
                    summary=form.summary.data,
                    offence_on=form.offence_on.data,
                    opened_on=form.opened_on.data,
                    violation_type_ids=form.violation_type_ids.data,
                    complainant=form.complainant.data,
                    actor=current_user,
                )
            )

        if _attempt(form, _open):
            flash(f"پرونده {isolate_code(opened[0].number)} تشکیل شد.", "success")
            return redirect(url_for("committees.case_detail", case_id=opened[0].id))
    return render_template("committees/case_form.html", form=form)


def _case_page(case: Case, status: int = 200, **forms):
    forms = {
        "defence_request_form": DefenceRequestForm(formdata=None, data={"requested_on": today_tehran()}),
        "defence_form": DefenceForm(formdata=None),
        "close_form": ReasonForm(formdata=None),
        "evidence_form": EvidenceForm(formdata=None),
        **forms,
    }
    sessions = db.session.scalars(
        select(CommitteeSession)
        .join(SessionCase)
        .where(SessionCase.case_id == case.id)
        .order_by(CommitteeSession.held_on)
    ).all()
    return render_template(
        "committees/case_detail.html",
        case=case,
        suggestions=ops.case_suggestions(case),
        earlier=ops.earlier_rulings(case.site, exclude_case=case),
        deadline=ops.defence_deadline(case),
        allowed=TRANSITIONS[case.state],
        S=CaseState,
        licence=case.licence or ops.current_licence(case.site),
        sessions=sessions,
        events=history(db.session, "cases", case.id),
        today=today_tehran(),
        **forms,
    ), status


@bp.get("/cases/<int:case_id>")
@allow(*VIEW_CASES)
def case_detail(case_id: int):
    return _case_page(get_or_404(Case, case_id))


def _case_action(case_id: int, form_cls, form_name: str, action, success: str):
    """A POST from the case page: on success back to the page, else the page with the errors."""
    case = get_or_404(Case, case_id)
    form = form_cls()
    if form.validate_on_submit() and _attempt(form, lambda: action(case, form)):
        flash(success, "success")
        return redirect(url_for("committees.case_detail", case_id=case.id))
    return _case_page(case, **{form_name: form})


@bp.post("/cases/<int:case_id>/defence-request")
@allow(*MANAGE)
def case_defence_request(case_id: int):
    return _case_action(
        case_id,
        DefenceRequestForm,
        "defence_request_form",
        lambda c, f: ops.request_defence(c, requested_on=f.requested_on.data, actor=current_user),
        "درخواست دفاعیه ثبت شد.",
    )


@bp.post("/cases/<int:case_id>/defence")
@allow(*MANAGE)
def case_defence(case_id: int):
    return _case_action(
        case_id,
        DefenceForm,
        "defence_form",
        lambda c, f: ops.record_defence(
            c, text=f.defence_text.data, received_on=f.defence_on.data, actor=current_user
        ),
        "دفاعیه دفتر ثبت شد.",
    )


@bp.post("/cases/<int:case_id>/ready")
@allow(*MANAGE)
def case_ready(case_id: int):
    return _case_action(
        case_id,
        ActionForm,
        "ready_form",
        lambda c, f: ops.mark_ready(c, actor=current_user),
        "پرونده آماده رسیدگی در جلسه کمیته است.",
    )


@bp.post("/cases/<int:case_id>/close")
@allow(*MANAGE)
def case_close(case_id: int):
    return _case_action(
        case_id,
        ReasonForm,
        "close_form",
        lambda c, f: ops.close_case(c, f.reason.data, actor=current_user),
        "پرونده مختومه شد.",
    )


@bp.post("/cases/<int:case_id>/evidence")
@allow(*MANAGE)
def case_evidence(case_id: int):
    def _add(case, form):
        upload = form.file.data
        ops.add_evidence_document(
            case,
            filename=upload.filename,
            content=upload.read(),
            description=form.description.data,
            actor=current_user,
        )

    return _case_action(case_id, EvidenceForm, "evidence_form", _add, "مدرک به پرونده افزوده شد.")


@bp.get("/evidence/<int:evidence_id>")
@allow(*VIEW_CASES)
def evidence_download(evidence_id: int):
    evidence = get_or_404(CaseEvidence, evidence_id)
    path = ops.evidence_path(evidence)
    if path is None or not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=evidence.content_type,
        download_name=evidence.filename,
        as_attachment=evidence.content_type == "application/pdf",
    )


# ---------------------------------------------------------------- rulings and appeals


def _decision_form(ruling: Ruling, *, from_request: bool = False) -> AppealDecisionForm:
    data = {
        "penalty": ruling.penalty.value,
        "violations_found": ruling.violations_found,
        "suspension_days": ruling.suspension_days,
        "fine_amount": ruling.fine_amount,
        "legal_basis": ruling.legal_basis,
        "decided_on": today_tehran(),
    }
    form = AppealDecisionForm(data=data) if from_request else AppealDecisionForm(formdata=None, data=data)
    if not from_request:
        form.legal_basis.data = to_persian_digits(form.legal_basis.data)
    form.violations_found.choices = _found_choices(ruling.case)
    return form


def _found_choices(case: Case):
    return choices(
        (v.violation_type.code, to_persian_digits(f"{v.violation_type.code} — {v.violation_type.title}"))
        for v in case.violations
    )


def _ruling_page(ruling: Ruling, **forms):
    today = today_tehran()
    forms = {
        "serve_form": ServeForm(formdata=None, data={"served_on": today}),
        "fine_form": FinePaidForm(formdata=None, data={"paid_on": today}),
        "appeal_form": AppealForm(formdata=None, data={"filed_on": today}),
        "decision_form": _decision_form(ruling),
        **forms,
    }
    return render_template(
        "committees/ruling_detail.html",
        ruling=ruling,
        case=ruling.case,
        appeal=ruling.appeals[-1] if ruling.appeals else None,
        replaced_by=db.session.scalar(select(Ruling).where(Ruling.replaces_id == ruling.id)),
        RulingState=RulingState,
        FineStatus=FineStatus,
        PenaltyKind=PenaltyKind,
        today=today,
        **forms,
    )


@bp.get("/rulings/<int:ruling_id>")
@allow(*VIEW_CASES)
def ruling_detail(ruling_id: int):
    return _ruling_page(get_or_404(Ruling, ruling_id))


def _ruling_action(ruling: Ruling, form, form_name: str, action, success: str):
    if form.validate_on_submit() and _attempt(form, action):
        flash(success, "success")
        return redirect(url_for("committees.ruling_detail", ruling_id=ruling.id))
    return _ruling_page(ruling, **{form_name: form})


@bp.post("/rulings/<int:ruling_id>/serve")
@allow(*MANAGE)
def ruling_serve(ruling_id: int):
    ruling = get_or_404(Ruling, ruling_id)
    form = ServeForm()
    return _ruling_action(
        ruling,
        form,
        "serve_form",
        lambda: ops.serve_ruling(ruling, form.served_on.data, actor=current_user),
        "ابلاغ رأی ثبت شد.",
    )


@bp.post("/rulings/<int:ruling_id>/fine-paid")
@allow(*MANAGE)
def ruling_fine_paid(ruling_id: int):
    ruling = get_or_404(Ruling, ruling_id)
    form = FinePaidForm()
    return _ruling_action(
        ruling,
        form,
        "fine_form",
        lambda: ops.mark_fine_paid(ruling, form.paid_on.data, actor=current_user),
        "پرداخت جریمه ثبت شد.",
    )


@bp.post("/rulings/<int:ruling_id>/appeal")
@allow(*MANAGE)
def ruling_appeal(ruling_id: int):
    ruling = get_or_404(Ruling, ruling_id)
    form = AppealForm()
    return _ruling_action(
        ruling,
        form,
        "appeal_form",
        lambda: ops.file_appeal(
            ruling, filed_on=form.filed_on.data, grounds=form.grounds.data, actor=current_user
        ),
        "اعتراض ثبت شد.",
    )


@bp.post("/appeals/<int:appeal_id>/decide")
@allow(*MANAGE)
def appeal_decide(appeal_id: int):
    appeal = get_or_404(Appeal, appeal_id)
    ruling = appeal.ruling
    form = _decision_form(ruling, from_request=True)
    in_force = []

    def _decide():
        replacement = form.ruling_data() if form.outcome.data == AppealOutcome.REPLACED else None
        in_force.append(
            ops.decide_appeal(
                appeal,
                outcome=form.outcome.data,
                decided_on=form.decided_on.data,
                reasoning=form.decision_reasoning.data,
                replacement=replacement,
                actor=current_user,
            )
        )

    if form.validate_on_submit() and _attempt(form, _decide):
        flash("تصمیم درباره اعتراض ثبت شد.", "success")
        return redirect(url_for("committees.ruling_detail", ruling_id=in_force[0].id))
    return _ruling_page(ruling, decision_form=form)


# ---------------------------------------------------------------- members


def _member_choices(form: MemberForm, member: CommitteeMember | None) -> None:
    principals = db.session.scalars(
        select(CommitteeMember).where(CommitteeMember.alternate_for_id.is_(None)).order_by(CommitteeMember.id)
    ).all()
    form.alternate_for_id.choices = choices(
        [
            (0, "— عضو اصلی است —"),
            *((m.id, f"{m.full_name} ({m.organisation})") for m in principals if m is not member),
        ]
    )
    users = db.session.scalars(
        select(User)
        .where(User.role.in_([Role.COMMITTEE_MEMBER, Role.COMMITTEE_SECRETARY, Role.ADMIN]))
        .order_by(User.full_name)
    ).all()
    form.user_id.choices = choices(
        [(0, "— بدون حساب —"), *((u.id, f"{u.full_name} ({u.username})") for u in users)]
    )


def _member_data(form: MemberForm) -> dict:
    return {
        "full_name": form.full_name.data,
        "title": form.title.data,
        "organisation": form.organisation.data,
        "alternate_for_id": form.alternate_for_id.data or None,
        "user_id": form.user_id.data or None,
        "active": form.active.data,
    }


@bp.route("/members", methods=["GET", "POST"])
@allow(*MEMBERS)
def member_list():
    form = MemberForm(data={"active": True})
    _member_choices(form, None)
    if form.validate_on_submit() and _attempt(
        form, lambda: ops.save_member(None, _member_data(form), actor=current_user)
    ):
        flash(f"«{form.full_name.data}» به اعضای کمیته افزوده شد.", "success")
        return redirect(url_for("committees.member_list"))
    return render_template("committees/member_list.html", members=ops.members_in_order(), form=form)


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@allow(*MEMBERS)
def member_edit(member_id: int):
    member = get_or_404(CommitteeMember, member_id)
    form = MemberForm(
        data={
            "full_name": member.full_name,
            "title": member.title,
            "organisation": member.organisation,
            "alternate_for_id": member.alternate_for_id or 0,
            "user_id": member.user_id or 0,
            "active": member.active,
        }
    )
    _member_choices(form, member)
    if form.validate_on_submit() and _attempt(
        form, lambda: ops.save_member(member, _member_data(form), actor=current_user)
    ):
        flash(f"«{member.full_name}» ذخیره شد.", "success")
        return redirect(url_for("committees.member_list"))
    return render_template("committees/member_form.html", form=form, member=member)


# ---------------------------------------------------------------- sessions


@bp.get("/sessions")
@allow(*VIEW_SESSIONS)
def session_list():
    sessions = db.session.scalars(
        select(CommitteeSession).order_by(CommitteeSession.held_on.desc(), CommitteeSession.id.desc())
    ).all()
    return render_template("committees/session_list.html", sessions=sessions, ready=ops.ready_cases())


@bp.route("/sessions/new", methods=["GET", "POST"])
@allow(*MANAGE)
def session_new():
    form = SessionForm()
    if form.validate_on_submit():
        created = []
        if _attempt(
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
    if form.validate_on_submit() and _attempt(form, action):
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
        lambda: ops.add_to_agenda(session, db.session.get(Case, form.case_id.data), actor=current_user),
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


# ---------------------------------------------------------------- the hearing of one case


def _hearing_items(session_id: int, case_id: int) -> tuple[CommitteeSession, Case]:
    session = get_or_404(CommitteeSession, session_id)
    case = get_or_404(Case, case_id)
    if all(item.case_id != case.id for item in session.agenda):
        abort(404)
    return session, case


def _ruling_form(case: Case, *, from_request: bool = False) -> RulingForm:
    suggestion = ops.strongest_suggestion(case)
    legal = "؛ ".join(
        dict.fromkeys(v.violation_type.legal_basis for v in case.violations if v.violation_type.legal_basis)
    )
    data = {"violations_found": [v.violation_type.code for v in case.violations], "legal_basis": legal}
    if suggestion is not None:
        data.update(
            penalty=suggestion.penalty.value, suspension_days=suggestion.days, fine_amount=suggestion.amount
        )
    form = RulingForm(data=data) if from_request else RulingForm(formdata=None, data=data)
    if not from_request:  # shown, not stored: the text is kept with ASCII digits
        form.legal_basis.data = to_persian_digits(form.legal_basis.data)
    form.violations_found.choices = _found_choices(case)
    return form


def _hearing_page(session: CommitteeSession, case: Case, **forms):
    recusal_form = forms.pop("recusal_form", None) or RecusalForm(formdata=None)
    recusal_form.member_id.choices = _recusal_choices(session, case)
    member = ops.member_for_user(current_user)
    votes = {v.member_id: v.choice for v in session.votes if v.case_id == case.id}
    return render_template(
        "committees/hearing.html",
        session=session,
        case=case,
        ruling=ops.session_ruling(session, case),
        tally=ops.vote_tally(session, case),
        quorum=ops.check_quorum(session, case),
        voters=ops.eligible_voters(session, case),
        recusals=[r for r in session.recusals if r.case_id == case.id],
        votes=votes,
        suggestions=ops.case_suggestions(case),
        recusal_form=recusal_form,
        vote_form=forms.pop("vote_form", None) or VoteForm(formdata=None),
        own_vote_form=forms.pop("own_vote_form", None) or OwnVoteForm(formdata=None),
        ruling_form=forms.pop("ruling_form", None) or _ruling_form(case),
        own_member=member
        if member and any(m.id == member.id for m in ops.eligible_voters(session, case))
        else None,
        choices_=list(VoteChoice),
        **forms,
    )


def _recusal_choices(session: CommitteeSession, case: Case):
    return choices([(0, "—"), *((m.id, m.full_name) for m in ops.eligible_voters(session, case))])


@bp.get("/sessions/<int:session_id>/cases/<int:case_id>")
@allow(*VIEW_SESSIONS)
def hearing(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    return _hearing_page(session, case)


def _hearing_action(session, case, form, form_name: str, action, success: str):
    if form.validate_on_submit() and _attempt(form, action):
        flash(success, "success")
        return redirect(url_for("committees.hearing", session_id=session.id, case_id=case.id))
    return _hearing_page(session, case, **{form_name: form})


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/recusal")
@allow(*MANAGE)
def hearing_recusal(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = RecusalForm()
    form.member_id.choices = _recusal_choices(session, case)
    return _hearing_action(
        session,
        case,
        form,
        "recusal_form",
        lambda: ops.declare_recusal(
            session,
            case,
            db.session.get(CommitteeMember, form.member_id.data),
            form.reason.data,
            actor=current_user,
        ),
        "تعارض منافع ثبت شد؛ این عضو بر این پرونده رأی نمی‌دهد.",
    )


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/votes")
@allow(*MANAGE)
def hearing_votes(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = VoteForm()
    valid = {c.value for c in VoteChoice}

    def _record():
        cast = {}
        for member in ops.eligible_voters(session, case):
            choice = request.form.get(f"vote-{member.id}", "")
            if choice:
                if choice not in valid:
                    raise DomainError("رأی باید موافق، مخالف یا ممتنع باشد.")
                cast[member] = choice
        if not cast:
            raise DomainError("رأی هیچ عضوی انتخاب نشده است.")
        for member, choice in cast.items():
            ops.record_vote(session, case, member, choice, actor=current_user)

    return _hearing_action(session, case, form, "vote_form", _record, "آرای اعضا ثبت شد.")


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/my-vote")
@allow(*OWN_VOTE)
def hearing_own_vote(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = OwnVoteForm()

    def _record():
        member = ops.member_for_user(current_user)
        if member is None:
            raise DomainError("حساب شما به هیچ عضوی از کمیته پیوند نخورده است.")
        ops.record_vote(session, case, member, form.choice.data, actor=current_user)

    return _hearing_action(session, case, form, "own_vote_form", _record, "رأی شما ثبت شد.")


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/ruling")
@allow(*MANAGE)
def hearing_ruling(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = _ruling_form(case, from_request=True)
    return _hearing_action(
        session,
        case,
        form,
        "ruling_form",
        lambda: ops.record_ruling(case, session, form.ruling_data(), actor=current_user),
        "رأی کمیته ثبت شد.",
    )


@dashboard_panel(order=40, roles=VIEW_CASES)
def _committee_panel() -> Panel:
    """Open cases by state, rulings waiting to be served, appeals, unpaid fines, next sessions."""
    from sqlalchemy import func

    by_state = dict(
        db.session.execute(
            select(Case.state, func.count()).where(Case.state != CaseState.CLOSED).group_by(Case.state)
        ).all()
    )

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(Ruling).where(*conditions))

    upcoming = db.session.scalars(
        select(CommitteeSession)
        .where(CommitteeSession.closed.is_(False))
        .order_by(CommitteeSession.held_on)
        .limit(3)
    ).all()
    return Panel(
        "کمیته رسیدگی به تخلفات",
        "committees/panels/committee.html",
        {
            "by_state": [(s, by_state[s]) for s in CaseState if by_state.get(s)],
            "open_total": sum(by_state.values()),
            "ready": by_state.get(CaseState.READY, 0),
            "unserved": count(Ruling.state == RulingState.ISSUED),
            "appeals": count(Ruling.state == RulingState.UNDER_APPEAL),
            "unpaid": count(
                Ruling.fine_status == FineStatus.UNPAID,
                Ruling.state.in_([RulingState.SERVED, RulingState.UNDER_APPEAL, RulingState.FINAL]),
            ),
            "upcoming": upcoming,
        },
        width="col-lg-6",
    )
