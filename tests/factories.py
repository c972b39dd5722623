"""Small factory functions for the tests; each flushes and returns the new row."""

from __future__ import annotations

import itertools

import iranian_national_code

from accounts import operations as account_ops
from core.extensions import db
from core.forms import complete_national_id
from core.security import Role
from registry import operations as registry_ops
from registry.models import County, Person, Site, SiteKind

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_user(role: Role = Role.VIEWER, username: str | None = None, **kwargs):
    n = next(_counter)
    return account_ops.create_user(
        username or f"{role.value}{n}", full_name=kwargs.pop("full_name", f"کاربر {n}"),
        role=role, password=kwargs.pop("password", DEFAULT_PASSWORD), **kwargs)


def make_county(name: str = "خرم‌آباد", population: int | None = 500_000, **kwargs) -> County:
    province = registry_ops.get_or_create_province("لرستان", "15")
    return registry_ops.get_or_create_county(province, name, population=population, **kwargs)


def national_id(seed: int | None = None) -> str:
    """A checksum-valid national ID, different on each call."""
    base = f"{(seed if seed is not None else next(_counter)) + 100_000_000:09d}"[-9:]
    code = complete_national_id(base)
    assert iranian_national_code.validate(code), code
    return code


def make_person(first_name: str = "علی", last_name: str = "رضایی", **kwargs) -> Person:
    data = {"national_id": kwargs.pop("national_id", None) or national_id(),
            "first_name": first_name, "last_name": last_name, **kwargs}
    return registry_ops.create_person(data, actor=None)


def make_site(kind: SiteKind = SiteKind.COUNTER_OFFICE, name: str | None = None, **kwargs) -> Site:
    n = next(_counter)
    county = kwargs.pop("county", None) or make_county()
    data = {
        "kind": kind, "code": kwargs.pop("code", f"66{n:06d}"),
        "name": name or f"دفتر پیشخوان شماره {n}", "county_id": county.id,
        "locality": kwargs.pop("locality", "خرم‌آباد"), "locality_type": kwargs.pop("locality_type", None),
        "address": kwargs.pop("address", "خیابان انقلاب، پلاک ۱۲"),
        "lat": kwargs.pop("lat", 33.4878), "lon": kwargs.pop("lon", 48.3558), **kwargs,
    }
    if kind in (SiteKind.ATM, SiteKind.BANK_KIOSK):
        data.setdefault("bank", "بانک ملی ایران")
        data.setdefault("terminal_id", f"{n:08d}")
    site = registry_ops.create_site(data, actor=None)
    db.session.flush()
    return site


def pdf_bytes() -> bytes:
    """A tiny but real PDF file's content."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]"
            b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def attach_all_documents(application) -> None:
    """Upload a file for every required checklist item of the application."""
    from licensing import operations as lic_ops

    for doc_type, _docs in lic_ops.document_checklist(application):
        lic_ops.add_document(application, doc_type, f"{doc_type.code}.pdf", pdf_bytes(), actor=None)


def approve(application, *, held_on=None):
    """Take an application through review and a working-group approval."""
    from datetime import date

    from licensing import operations as lic_ops
    from licensing.models import ApplicationState

    attach_all_documents(application)
    if application.state == ApplicationState.RECEIVED:
        lic_ops.start_review(application, actor=None)
    for check in lic_ops.eligibility_checks(application):
        if check.blocking and check.overridable:
            lic_ops.override_check(application, check.code, "تصمیم کارشناس در آزمون خودکار",
                                   actor=None)
    lic_ops.transition(application, ApplicationState.READY_FOR_WG, actor=None)
    session = lic_ops.schedule_session(held_on or date.today(), place="سالن جلسات", actor=None)
    lic_ops.add_attendee(session, full_name="مجتبی صارمی", organisation="اداره کل ارتباطات",
                         actor=None)
    item = lic_ops.add_to_agenda(session, application, actor=None)
    lic_ops.record_decision(item, ApplicationState.APPROVED, "شرایط احراز شده است.", actor=None)
    return session


def make_licence(kind=SiteKind.COUNTER_OFFICE, *, holder=None, issued_on=None, **site_kwargs):
    """An active licence for a new office, issued directly (for tests of later steps)."""
    from datetime import date

    from licensing import operations as lic_ops

    holder = holder or make_person()
    site = make_site(kind=kind, operator_id=holder.id, **site_kwargs)
    issued_on = issued_on or date(2022, 9, 16)
    return lic_ops._new_licence(office_kind=kind, site=site, holder=holder, issued_on=issued_on,
                                expires_on=issued_on + lic_ops._validity(kind), application=None)
