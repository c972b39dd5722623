"""Licensing screens: licences, their PDF, the registry's licence history and the dashboard panel."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from core.args import enum_arg, page_arg
from core.clock import today_tehran
from core.dashboard import Panel, dashboard_panel
from core.db import get_or_404
from core.extensions import db
from core.pdf import pdf_response
from core.security import allow
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from licensing import operations as ops
from licensing.models import Application, ApplicationState, Licence, LicenceStatus, WorkingGroupSession
from licensing.permissions import PRINT, VIEW
from licensing.views import bp


@bp.get("/licences")
@allow(*VIEW)
def licence_list():
    expiring = request.args.get("expiring") == "1"
    status = enum_arg("status", LicenceStatus)
    stmt = ops.search_licences(status=status, q=request.args.get("q", "")[:40], expiring=expiring)
    if wants_xlsx():
        return xlsx_response(
            "licences.xlsx",
            [
                Sheet(
                    "پروانه‌ها",
                    (
                        "شماره",
                        "نوع دفتر",
                        "دفتر",
                        "دارنده",
                        "تاریخ صدور",
                        "تاریخ انقضا",
                        "وضعیت",
                        "نشانی",
                    ),
                    (
                        (
                            lic.number,
                            lic.office_kind,
                            lic.office_name,
                            lic.holder.full_name,
                            lic.issued_on,
                            lic.expires_on,
                            lic.status,
                            lic.address,
                        )
                        for lic in db.session.scalars(stmt).unique()
                    ),
                )
            ],
        )
    page = db.paginate(stmt, page=page_arg(), per_page=25, error_out=False)
    return render_template(
        "licensing/licence_list.html",
        page=page,
        expiring=expiring,
        status=status,
        statuses=LicenceStatus,
        q=request.args.get("q", ""),
    )


@bp.get("/licences/<int:licence_id>")
@allow(*VIEW)
def licence_detail(licence_id: int):
    licence = get_or_404(Licence, licence_id)
    return render_template(
        "licensing/licence_detail.html",
        licence=licence,
        history=ops.licence_history(licence.site),
        terms=ops.licence_terms(licence),
        entered_late=ops.entered_late,
        today=today_tehran(),
    )


@bp.get("/licences/<int:licence_id>/pdf")
@allow(*PRINT)
def licence_pdf(licence_id: int):
    from licensing.pdf import licence_pdf as render

    licence = get_or_404(Licence, licence_id)
    return pdf_response(render(licence), f"licence-{licence.number}.pdf")


@bp.app_template_global()
def site_licences(site) -> list[Licence]:
    """An office's licence history, for the registry's site page."""
    return ops.licence_history(site)


@dashboard_panel(order=20, roles=VIEW)
def _licensing_panel() -> Panel:
    """Applications by state and overdue, licences expiring soon, the next working-group sessions."""
    from sqlalchemy import func

    today = today_tehran()
    open_states = [s for s in ApplicationState if s.is_open]
    by_state = dict(
        db.session.execute(
            select(Application.state, func.count())
            .where(Application.state.in_(open_states))
            .group_by(Application.state)
        ).all()
    )
    overdue = db.session.scalar(
        select(func.count()).where(Application.state.in_(open_states), Application.due_on < today)
    )
    expiring = db.session.scalar(select(func.count()).select_from(ops.expiring_licences(today).subquery()))
    upcoming = db.session.scalars(
        select(WorkingGroupSession)
        .where(WorkingGroupSession.closed.is_(False), WorkingGroupSession.held_on >= today)
        .order_by(WorkingGroupSession.held_on)
        .limit(3)
    ).all()
    return Panel(
        "صدور پروانه",
        "licensing/panels/licensing.html",
        {
            "by_state": [(s, by_state[s]) for s in open_states if by_state.get(s)],
            "open_total": sum(by_state.values()),
            "overdue": overdue,
            "expiring": expiring,
            "upcoming": upcoming,
        },
        width="col-lg-6",
    )
