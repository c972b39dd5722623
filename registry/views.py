"""Registry screens: site and people lists, details, forms."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from core.args import enum_arg, int_arg, page_arg, parse_int
from core.audit import history
from core.dashboard import Panel, dashboard_panel
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, show_domain_error
from core.persian import to_latin_digits
from core.security import allow
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from registry import operations as ops
from registry.forms import CompanyForm, CompanyMemberForm, PersonForm, SiteForm, StatusForm
from registry.models import Company, LocalityType, Person, Site, SiteKind, SiteStatus
from registry.permissions import EDIT_PEOPLE, EDIT_SITES, VIEW_PEOPLE, VIEW_SITES
from registry.reference import BANKS

bp = Blueprint("registry", __name__)


def _version(form) -> int | None:
    """The record version the editor's form was loaded with."""
    return parse_int(str(form.version.data or ""), minimum=0)


@bp.get("/sites")
@allow(*VIEW_SITES)
def site_list():
    filters = ops.SiteFilters(
        q=request.args.get("q", "")[:100],
        kind=enum_arg("kind", SiteKind),
        county_id=int_arg("county"),
        status=enum_arg("status", SiteStatus),
        locality_type=enum_arg("locality_type", LocalityType),
        bank=request.args.get("bank") if request.args.get("bank") in BANKS else None,
    )
    if wants_xlsx():
        sites = db.session.scalars(ops.search_sites(filters)).unique()
        return xlsx_response(
            "sites.xlsx",
            [
                Sheet(
                    "دفاتر و پایانه‌ها",
                    (
                        "کد",
                        "نام",
                        "نوع",
                        "وضعیت",
                        "از تاریخ",
                        "شهرستان",
                        "شهر یا روستا",
                        "نشانی",
                        "کد پستی",
                        "تلفن",
                        "متصدی",
                        "بانک",
                        "شماره پایانه",
                        "عرض جغرافیایی",
                        "طول جغرافیایی",
                    ),
                    (
                        (
                            s.code,
                            s.name,
                            s.kind,
                            s.status,
                            s.status_since,
                            s.county.name,
                            s.locality,
                            s.address,
                            s.postal_code,
                            s.phone,
                            s.operator.full_name if s.operator else None,
                            s.bank,
                            s.terminal_id,
                            s.lat,
                            s.lon,
                        )
                        for s in sites
                    ),
                )
            ],
        )
    page = db.paginate(ops.search_sites(filters), page=page_arg(), per_page=25, error_out=False)
    return render_template(
        "registry/site_list.html",
        page=page,
        filters=filters,
        counties=ops.counties_in_order(),
        kinds=SiteKind,
        statuses=SiteStatus,
        banks=BANKS,
    )


@bp.get("/sites/<int:site_id>")
@allow(*VIEW_SITES)
def site_detail(site_id: int):
    site = get_or_404(Site, site_id)
    return render_template(
        "registry/site_detail.html",
        site=site,
        events=history(db.session, "sites", site.id),
        status_form=StatusForm(formdata=None),
    )


def _fill_choices(form: SiteForm) -> None:
    form.county_id.choices = choices([(0, "—"), *((c.id, c.name) for c in ops.counties_in_order())])


def _site_data(form: SiteForm) -> dict:
    data = {name: form[name].data for name in ops.SITE_FIELDS if name in form}
    data["operator_id"] = None
    if form.operator_national_id.data:
        person = ops.find_person_by_national_id(form.operator_national_id.data)
        if person is None:
            raise DomainError(
                "شخصی با این کد ملی ثبت نشده است؛ نخست او را در فهرست اشخاص ثبت کنید.",
                field="operator_national_id",
            )
        data["operator_id"] = person.id
    data["host_site_id"] = None
    if form.host_site_code.data:
        host = db.session.scalar(
            select(Site).where(Site.code == ops.normalise_code(form.host_site_code.data))
        )
        if host is None:
            raise DomainError("دفتری با این کد یافت نشد.", field="host_site_code")
        data["host_site_id"] = host.id
    for key in ("lat", "lon"):
        data[key] = float(data[key]) if data[key] is not None else None
    return data


@bp.route("/sites/new", methods=["GET", "POST"])
@allow(*EDIT_SITES)
def site_new():
    form = SiteForm(kind=request.args.get("kind", SiteKind.COUNTER_OFFICE.value))
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            site = ops.create_site(_site_data(form), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"«{site.name}» ثبت شد.", "success")
            return redirect(url_for("registry.site_detail", site_id=site.id))
    return render_template("registry/site_form.html", form=form, site=None)


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@allow(*EDIT_SITES)
def site_edit(site_id: int):
    site = get_or_404(Site, site_id)
    form = SiteForm(obj=site)
    _fill_choices(form)
    if request.method == "GET":
        form.operator_national_id.data = site.operator.national_id if site.operator else ""
        form.host_site_code.data = site.host_site.code if site.host_site else ""
    if form.validate_on_submit():
        try:
            ops.update_site(site, _site_data(form), actor=current_user, expected_version=_version(form))
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash("تغییرات ذخیره شد.", "success")
            return redirect(url_for("registry.site_detail", site_id=site.id))
    return render_template("registry/site_form.html", form=form, site=site)


@bp.route("/sites/<int:site_id>/status", methods=["GET", "POST"])
@allow(*EDIT_SITES)
def site_status(site_id: int):
    site = get_or_404(Site, site_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            ops.change_site_status(
                site,
                SiteStatus(form.status.data),
                effective_on=form.effective_on.data,
                reason=form.reason.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"وضعیت به «{site.status.label}» تغییر کرد.", "success")
            return redirect(url_for("registry.site_detail", site_id=site.id))
    return render_template("registry/site_status.html", form=form, site=site)


@bp.get("/people")
@allow(*VIEW_PEOPLE)
def people_list():
    q = request.args.get("q", "")[:100]
    if wants_xlsx():
        people = db.session.scalars(ops.search_people(q))
        return xlsx_response(
            "people.xlsx",
            [
                Sheet(
                    "اشخاص",
                    (
                        "کد ملی",
                        "نام",
                        "نام خانوادگی",
                        "نام پدر",
                        "تاریخ تولد",
                        "تلفن همراه",
                        "تحصیلات",
                        "رشته",
                    ),
                    (
                        (
                            p.national_id,
                            p.first_name,
                            p.last_name,
                            p.father_name,
                            p.birth_date,
                            p.mobile,
                            p.education,
                            p.field_of_study,
                        )
                        for p in people
                    ),
                )
            ],
        )
    page = db.paginate(ops.search_people(q), page=page_arg(), per_page=25, error_out=False)
    return render_template("registry/people_list.html", page=page, q=q)


@bp.get("/people/<int:person_id>")
@allow(*VIEW_PEOPLE)
def person_detail(person_id: int):
    person = get_or_404(Person, person_id)
    return render_template(
        "registry/person_detail.html",
        person=person,
        events=history(db.session, "people", person.id),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@allow(*EDIT_PEOPLE)
def person_new():
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = ops.create_person(form.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"«{person.full_name}» ثبت شد.", "success")
            return redirect(url_for("registry.person_detail", person_id=person.id))
    return render_template("registry/person_form.html", form=form, person=None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@allow(*EDIT_PEOPLE)
def person_edit(person_id: int):
    person = get_or_404(Person, person_id)
    form = PersonForm(obj=person)
    if form.validate_on_submit():
        try:
            ops.update_person(person, form.data, actor=current_user, expected_version=_version(form))
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash("تغییرات ذخیره شد.", "success")
            return redirect(url_for("registry.person_detail", person_id=person.id))
    return render_template("registry/person_form.html", form=form, person=person)


@dashboard_panel(order=10, roles=VIEW_SITES)
def _sites_panel() -> Panel:
    """Today's active sites by kind and county, and those not active."""
    by_county = ops.count_sites_by_kind_and_county(SiteStatus.ACTIVE)
    active: dict[SiteKind, int] = {}
    for (_county, kind), n in by_county.items():
        active[kind] = active.get(kind, 0) + n
    not_active = dict(
        db.session.execute(
            select(Site.status, func.count()).where(Site.status != SiteStatus.ACTIVE).group_by(Site.status)
        ).all()
    )
    return Panel(
        "وضعیت امروز دفاتر و پایانه‌های استان",
        "registry/panels/sites.html",
        {
            "kinds": list(SiteKind),
            "active": active,
            "by_county": by_county,
            "counties": ops.counties_in_order(),
            "not_active": not_active,
            "statuses": SiteStatus,
        },
    )


# ---------------------------------------------------------------- companies (legal persons)


def _company_data(form) -> dict:
    director = ops.find_person_by_national_id(form.managing_director_national_id.data)
    if director is None:
        raise DomainError(
            "مدیرعامل با این کد ملی ثبت نشده است؛ نخست او را در «اشخاص» ثبت کنید.",
            field="managing_director_national_id",
        )
    data = {k: form[k].data for k in ops.COMPANY_FIELDS if k in form}
    data["managing_director_id"] = director.id
    return data


@bp.get("/companies")
@allow(*VIEW_PEOPLE)
def company_list():
    q = request.args.get("q", "")[:100]
    page = db.paginate(ops.search_companies(q), page=page_arg(), per_page=25, error_out=False)
    return render_template("registry/company_list.html", page=page, q=q)


@bp.get("/companies/<int:company_id>")
@allow(*VIEW_PEOPLE)
def company_detail(company_id: int):
    company = get_or_404(Company, company_id)
    return render_template(
        "registry/company_detail.html",
        company=company,
        member_form=CompanyMemberForm(),
        events=history(db.session, "companies", company.id),
    )


@bp.route("/companies/new", methods=["GET", "POST"])
@allow(*EDIT_PEOPLE)
def company_new():
    form = CompanyForm()
    if form.validate_on_submit():
        try:
            company = ops.create_company(_company_data(form), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"«{company.name}» ثبت شد.", "success")
            return redirect(url_for("registry.company_detail", company_id=company.id))
    return render_template("registry/company_form.html", form=form, company=None)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
@allow(*EDIT_PEOPLE)
def company_edit(company_id: int):
    company = get_or_404(Company, company_id)
    form = CompanyForm(obj=company)
    if request.method == "GET":
        form.managing_director_national_id.data = company.managing_director.national_id
    if form.validate_on_submit():
        try:
            ops.update_company(
                company, _company_data(form), actor=current_user, expected_version=_version(form)
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"«{company.name}» ذخیره شد.", "success")
            return redirect(url_for("registry.company_detail", company_id=company.id))
    return render_template("registry/company_form.html", form=form, company=company)


@bp.post("/companies/<int:company_id>/members")
@allow(*EDIT_PEOPLE)
def company_member_add(company_id: int):
    company = get_or_404(Company, company_id)
    form = CompanyMemberForm()
    back = redirect(url_for("registry.company_detail", company_id=company.id))
    if not form.validate():
        for errors in form.errors.values():
            flash(errors[0], "danger")
        return back
    person = ops.find_person_by_national_id(form.national_id.data)
    if person is None:
        flash("شخصی با این کد ملی ثبت نشده است.", "danger")
        return back
    share = form.share_percent.data
    try:
        share_value = float(to_latin_digits(share).replace("٫", ".")) if share else None
    except ValueError:
        flash("سهم باید عدد باشد.", "danger")
        return back
    try:
        ops.add_company_member(company, person, form.role.data, share_percent=share_value, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return back
    db.session.commit()
    flash(f"{person.full_name} ثبت شد.", "success")
    return back
