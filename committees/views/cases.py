"""Case screens: the list and its export, opening a case, the case page with its defence,
readiness, closure and evidence."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from committees import operations as ops
from committees.forms import ActionForm, CaseForm, DefenceForm, DefenceRequestForm, EvidenceForm, ReasonForm
from committees.models import (
    TRANSITIONS,
    Case,
    CaseEvidence,
    CaseSource,
    CaseState,
    CommitteeSession,
    SessionCase,
)
from committees.permissions import MANAGE, VIEW_CASES
from committees.views._common import attempt, bp
from core.args import enum_arg, int_arg, page_arg
from core.audit import history
from core.clock import today_tehran
from core.db import get_or_404
from core.extensions import db
from core.forms import choices
from core.persian import isolate_code, to_persian_digits
from core.security import allow
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from registry import operations as registry_ops


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

        if attempt(form, _open):
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
    if form.validate_on_submit() and attempt(form, lambda: action(case, form)):
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
