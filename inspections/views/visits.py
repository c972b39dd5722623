"""Visits: the list (and its spreadsheet), a visit with its photos and report, referral to the
committee, and a site's visits for the site page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from core.args import int_arg, page_arg
from core.errors import DomainError
from core.extensions import db
from core.forms import choices
from core.pdf import pdf_response
from core.persian import to_persian_digits
from core.security import allow, require
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from inspections import operations as ops
from inspections import permissions as perms
from inspections.forms import ReferralForm
from inspections.models import Visit, VisitPurpose
from inspections.permissions import REFER, VIEW_VISITS
from inspections.views._common import bp, enum_arg, visit_or_404


@bp.get("/inspections/visits")
@allow(*VIEW_VISITS)
def visit_list():
    filters = ops.VisitFilters(
        purpose=enum_arg("purpose", VisitPurpose),
        inspector_id=int_arg("inspector"),
        site_id=int_arg("site"),
        flagged=request.args.get("flagged") == "1",
        incomplete=request.args.get("incomplete") == "1",
    )
    stmt = ops.search_visits(filters, viewer=current_user)
    scope = perms.visit_scope(current_user)
    if scope is not None:
        stmt = stmt.where(scope)
    if wants_xlsx():
        visits = db.session.scalars(stmt).unique()
        return xlsx_response(
            "visits.xlsx",
            [
                Sheet(
                    "بازدیدها",
                    (
                        "شناسه",
                        "تاریخ",
                        "هدف",
                        "محل",
                        "کد محل",
                        "بازرس",
                        "فاصله از محل (متر)",
                        "دور از محل",
                        "موقعیت نامطمئن",
                        "موارد ناموفق",
                        "کامل",
                    ),
                    (
                        (
                            v.uuid,
                            v.visited_on,
                            v.purpose,
                            v.site.name if v.site else None,
                            v.site.code if v.site else None,
                            v.inspector.full_name,
                            round(v.distance_m) if v.distance_m is not None else None,
                            "بله" if v.flag_too_far else "خیر",
                            "بله" if v.flag_poor_fix else "خیر",
                            v.failed_count,
                            "بله" if v.complete else "خیر",
                        )
                        for v in visits
                    ),
                )
            ],
        )
    page = db.paginate(stmt, page=page_arg(), per_page=25, error_out=False)
    return render_template(
        "inspections/visit_list.html",
        page=page,
        filters=filters,
        purposes=VisitPurpose,
        inspectors=ops.inspectors(),
        own_only=perms.sees_only_own_visits(current_user),
    )


@bp.get("/inspections/visits/<uuid>")
@allow(*VIEW_VISITS)
def visit_detail(uuid: str):
    visit = visit_or_404(uuid)
    referable = ops.referable_answers(visit)
    form = ReferralForm(formdata=None)
    form.answer_ids.choices = choices(
        (
            a.id,
            to_persian_digits(f"{a.item.text} — {a.item.violation_type.code} {a.item.violation_type.title}"),
        )
        for a in referable
    )
    form.answer_ids.data = [a.id for a in referable]
    return render_template(
        "inspections/visit_detail.html",
        visit=visit,
        referable=referable,
        form=form,
        cases=ops.visit_cases(visit),
        referral_site=ops.referral_site(visit),
        can_refer=perms.can_refer(current_user, visit),
    )


@bp.get("/inspections/visits/<uuid>/photos/<sha256>")
@allow(*VIEW_VISITS)
def visit_photo(uuid: str, sha256: str):
    visit = visit_or_404(uuid)
    photo = next((p for p in visit.photos if p.sha256 == sha256.lower() and p.arrived), None)
    if photo is None or not ops.photo_path(photo).is_file():
        abort(404)
    return send_file(ops.photo_path(photo), mimetype=photo.content_type)  # no-store: core.security


@bp.get("/inspections/visits/<uuid>/report.pdf")
@allow(*VIEW_VISITS)
def visit_report(uuid: str):
    from inspections.pdf import report_filename, visit_report_pdf

    visit = visit_or_404(uuid)
    return pdf_response(visit_report_pdf(visit), report_filename(visit))


@bp.post("/inspections/visits/<uuid>/refer")
@allow(*REFER)
def visit_refer(uuid: str):
    visit = visit_or_404(uuid)
    require(perms.can_refer(current_user, visit))
    form = ReferralForm()
    form.answer_ids.choices = choices((a.id, a.item.text) for a in ops.referable_answers(visit))
    back = redirect(url_for("inspections.visit_detail", uuid=visit.uuid))
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return back
    try:
        case = ops.refer_to_committee(
            visit, answer_ids=form.answer_ids.data, summary=form.summary.data, actor=current_user
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return back
    db.session.commit()
    flash(f"پرونده تخلف {case.number} در کمیته تخلفات تشکیل شد.", "success")
    return back


@bp.app_template_global()
def site_visits(site) -> list[Visit]:
    """A site's visits for the registry's site page (an inspector sees only their own)."""
    if not perms.can_view_visit_list(current_user):
        return []
    return ops.visits_of_site(site, viewer=current_user)
