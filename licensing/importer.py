"""Existing licences from a file (`flask licensing import FILE`): each row one licence as issued, with its
holder, office (a registry site, by code), issue day, current expiry, its renewals and its transfer so
far, and its status. The licence gets its terms (issue, renewals, transfer, suspension, revocation or
expiry) dated as they happened. A row already imported is left as it is; errors name the file's line."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from core import dates
from core.counters import raise_to
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, isolate_code, to_latin_digits
from licensing.models import Licence, LicenceStatus, TermKind
from licensing.operations import licences as licence_ops
from licensing.operations._common import LICENSING
from licensing.operations.terms import record_term
from registry import operations as registry_ops
from registry.importer.rows import _date, _national_id, _Problem
from registry.importer.table import (
    _KINDS,
    ImportFileError,
    ImportReport,
    RowError,
    Table,
    _key,
    _text,
    read_table,
)
from registry.models import OFFICE_KINDS, Person, Site, SiteStatus


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    required: bool = False


COLUMNS = (
    Col("number", "شماره پروانه", True),
    Col("kind", "نوع دفتر", True),
    Col("site_code", "کد محل", True),
    Col("holder_national_id", "کد ملی دارنده", True),
    Col("holder_first_name", "نام دارنده"),
    Col("holder_last_name", "نام خانوادگی دارنده"),
    Col("issued_on", "تاریخ صدور", True),
    Col("expires_on", "تاریخ انقضا", True),
    Col("renewals", "تاریخ‌های تمدید"),
    Col("transferred_on", "تاریخ انتقال"),
    Col("previous_national_id", "کد ملی دارنده پیشین"),
    Col("previous_first_name", "نام دارنده پیشین"),
    Col("previous_last_name", "نام خانوادگی دارنده پیشین"),
    Col("status", "وضعیت"),
    Col("status_on", "تاریخ وضعیت"),
    Col("suspended_until", "تعلیق تا"),
)
_HEADERS = {_key(c.header): c.key for c in COLUMNS} | {_key(c.key): c.key for c in COLUMNS}
_STATUSES = {
    _key("معتبر"): LicenceStatus.ACTIVE,
    _key("فعال"): LicenceStatus.ACTIVE,
    _key("تعلیق"): LicenceStatus.SUSPENDED,
    _key("معلق"): LicenceStatus.SUSPENDED,
    _key("لغو"): LicenceStatus.REVOKED,
    _key("لغو شده"): LicenceStatus.REVOKED,
    _key("منقضی"): LicenceStatus.EXPIRED,
} | {_key(s.value): s for s in LicenceStatus}
NUMBER = re.compile(r"^(\d+)-([PR])-(\d{4})-(\d+)$")
_LABELS = {c.key: c.header for c in COLUMNS}


class _Bad(ValueError):
    pass


def write_template(target):
    """An empty workbook with the Persian headers and one example row, saved to a path or a file."""
    book = Workbook()
    sheet = book.active
    sheet.title = "پروانه‌ها"
    sheet.sheet_view.rightToLeft = True
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        [
            "15-P-1398-00012",
            "دفتر پیشخوان خدمات دولت",
            "P-01-012",
            "4060123456",
            "مریم",
            "کریمی",
            "1398/02/15",
            "1408/02/15",
            "1402/11/05",
            "",
            "",
            "",
            "",
            "معتبر",
            "",
            "",
        ]
    )
    book.save(target)
    return target


def import_licences(
    source: str | Path | Table,
    *,
    actor,
    progress: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Load the file's licences; rows with errors are reported and skipped, the others kept (flushed,
    not committed: the caller commits, or rolls back for a dry run)."""
    table = read_table(source)
    columns: dict[str, int] = {}
    report = ImportReport()
    for index, header in enumerate(table.header):
        key = _HEADERS.get(_key(header))
        if key is None:
            if _text(header):
                report.ignored_columns.append(_text(header))
        else:
            columns[key] = index
    missing = [c.header for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        raise ImportFileError("ستون‌های لازم در فایل نیست: " + "، ".join(f"«{m}»" for m in missing))
    for line, cells in table.rows:
        row = {k: (cells[i] if i < len(cells) else None) for k, i in columns.items()}
        try:
            with db.session.begin_nested():
                outcome = _import_row(row, actor=actor)
                db.session.flush()
        except _Problem as problem:
            report.errors.append(
                RowError(line, f"{_LABELS.get(problem.key, problem.key)}: {problem.message}")
            )
        except (_Bad, DomainError) as problem:
            report.errors.append(RowError(line, getattr(problem, "message", None) or str(problem)))
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        if progress is not None:
            progress(1)
    return report


def _required_date(row: dict, key: str) -> date:
    day = _date(key, row.get(key))
    if day is None:
        raise _Problem(key, "این فیلد اجباری است.")
    return day


def _person(row: dict, prefix: str) -> Person:
    raw = row.get(f"{prefix}_national_id")
    nid = _national_id(raw)
    key = f"{prefix}_national_id"
    if len(nid) == 11:
        raise _Problem(key, "دارنده شرکتی (شناسه ملی ۱۱ رقمی) هنوز در این سامانه ثبت نمی‌شود.")
    if len(nid) != 10:
        raise _Problem(key, f"«{_text(raw)}» کد ملی ده‌رقمی نیست.")
    person = registry_ops.find_person_by_national_id(nid)
    if person is not None:
        return person
    first, last = _text(row.get(f"{prefix}_first_name")), _text(row.get(f"{prefix}_last_name"))
    if not first or not last:
        raise _Problem(key, f"شخصی با کد ملی {nid} ثبت نیست؛ نام و نام خانوادگی او را هم بنویسید.")
    return registry_ops.create_person(
        {"national_id": nid, "first_name": first, "last_name": last}, actor=None
    )


def _renewal_days(row: dict) -> list[date]:
    text = to_latin_digits(_text(row.get("renewals")))
    days = []
    for part in re.split(r"[،,;؛\s]+", text):
        if part:
            days.append(_required_date({"renewals": part}, "renewals"))
    return sorted(days)


def _import_row(row: dict, *, actor) -> str:
    number = to_latin_digits(clean_text(_text(row.get("number")))).upper().replace(" ", "")
    if not number:
        raise _Problem("number", "این فیلد اجباری است.")
    kind = _KINDS.get(_key(_text(row.get("kind"))))
    if kind not in OFFICE_KINDS:
        raise _Problem("kind", "«دفتر پیشخوان خدمات دولت» یا «دفتر ICT روستایی» بنویسید.")
    code = clean_text(_text(row.get("site_code")))
    site = db.session.scalar(select(Site).where(Site.code == code)) if code else None
    if site is None:
        raise _Problem("site_code", f"محلی با کد «{code}» در دفتر ثبت نیست؛ نخست دفاتر را وارد کنید.")
    if site.kind != kind:
        raise _Problem("kind", f"محل «{code}» از نوع «{site.kind.label}» است.")
    holder = _person(row, "holder")
    issued_on, expires_on = _required_date(row, "issued_on"), _required_date(row, "expires_on")
    renewals = _renewal_days(row)
    transferred_on = _date("transferred_on", row.get("transferred_on"))
    previous = _person(row, "previous") if transferred_on else None
    status = LicenceStatus.ACTIVE
    if _text(row.get("status")):
        status = _STATUSES.get(_key(_text(row.get("status"))))
        if status is None or status == LicenceStatus.SUPERSEDED:
            raise _Problem("status", "«معتبر»، «تعلیق»، «لغو» یا «منقضی» بنویسید.")
    status_on = _date("status_on", row.get("status_on"))
    suspended_until = _date("suspended_until", row.get("suspended_until"))

    existing = db.session.scalar(select(Licence).where(Licence.number == number))
    if existing is not None:
        if (existing.holder_id, existing.issued_on, existing.site_id) == (holder.id, issued_on, site.id):
            return "unchanged"
        raise _Bad(
            f"پروانه {isolate_code(number)} پیش‌تر با دارنده، محل یا تاریخ صدور دیگری ثبت شده است؛ "
            "سابقه پروانه بازنویسی نمی‌شود."
        )
    label = f"صدور پروانه {isolate_code(number)}"
    dates.dated(issued_on, label, field="issued_on")
    dates.not_before(expires_on, f"انقضای پروانه {isolate_code(number)}", issued_on, label)
    for day in renewals:
        dates.dated(day, f"تمدید پروانه {isolate_code(number)}", (issued_on, label))
    if transferred_on:
        dates.dated(transferred_on, f"انتقال پروانه {isolate_code(number)}", (issued_on, label))
    if status != LicenceStatus.ACTIVE and status != LicenceStatus.EXPIRED and status_on is None:
        raise _Problem("status_on", "برای پروانه معلق یا لغو شده تاریخ وضعیت را بنویسید.")
    if status_on:
        dates.dated(status_on, f"تغییر وضعیت پروانه {isolate_code(number)}", (issued_on, label))
    if status == LicenceStatus.SUSPENDED and suspended_until is None:
        raise _Problem("suspended_until", "برای پروانه معلق، پایان تعلیق را بنویسید.")

    validity = licence_ops._validity(kind)
    # The expiry after each renewal: one validity period on from the one before; the last is the file's.
    expiries = [issued_on + validity]
    for _ in renewals:
        expiries.append(expiries[-1] + validity)
    expiries[-1] = expires_on

    def expiry_on(day: date) -> date:
        return expiries[sum(1 for r in renewals if r <= day)]

    licence = Licence(
        number=number,
        office_kind=kind,
        site=site,
        holder=holder,
        issued_on=issued_on,
        expires_on=expires_on,
        status=LicenceStatus.ACTIVE,
        office_name=site.name,
        address=site.address,
        verify_token=secrets.token_urlsafe(18),
    )
    db.session.add(licence)
    db.session.flush()
    first_holder = previous or holder
    record_term(
        licence,
        TermKind.ISSUE,
        on=issued_on,
        actor=actor,
        valid_from=issued_on,
        valid_to=expiries[0],
        to_holder=first_holder,
        note="ورود از فایل",
    )
    for n, day in enumerate(renewals, start=1):
        record_term(
            licence, TermKind.RENEWAL, on=day, actor=actor, valid_from=expiries[n - 1], valid_to=expiries[n]
        )
    if transferred_on:
        record_term(
            licence,
            TermKind.TRANSFER,
            on=transferred_on,
            actor=actor,
            valid_from=transferred_on,
            valid_to=expiry_on(transferred_on),
            from_holder=previous,
            to_holder=holder,
        )
    _status_terms(licence, status, status_on, suspended_until, actor=actor)
    _bump_counter(number, site)
    _office_follows_licence(site, licence, holder, actor=actor)
    return "created"


def _status_terms(licence, status, status_on, suspended_until, *, actor) -> None:
    if status == LicenceStatus.SUSPENDED:
        record_term(
            licence,
            TermKind.SUSPENSION,
            on=status_on,
            actor=actor,
            valid_from=status_on,
            valid_to=suspended_until,
            note="ورود از فایل",
        )
    elif status == LicenceStatus.REVOKED:
        record_term(licence, TermKind.REVOCATION, on=status_on, actor=actor, note="ورود از فایل")
    elif status == LicenceStatus.EXPIRED:
        record_term(
            licence,
            TermKind.EXPIRY,
            on=status_on or licence.expires_on + timedelta(days=1),
            actor=actor,
            valid_to=licence.expires_on,
            note="ورود از فایل",
        )


def _bump_counter(number: str, site: Site) -> None:
    match = NUMBER.match(number)
    if match and match.group(1) == site.county.province.code:
        raise_to(f"licence:{match.group(1)}:{match.group(3)}", int(match.group(4)))


def _office_follows_licence(site: Site, licence: Licence, holder: Person, *, actor) -> None:
    if site.operator_id != holder.id:
        data = {k: getattr(site, k) for k in registry_ops.SITE_FIELDS}
        registry_ops.update_site(site, {**data, "operator_id": holder.id}, actor=actor, authority=LICENSING)
    target = {
        LicenceStatus.SUSPENDED: SiteStatus.SUSPENDED,
        LicenceStatus.REVOKED: SiteStatus.REVOKED,
        LicenceStatus.EXPIRED: SiteStatus.CLOSED,
    }.get(licence.status)
    if target is not None:
        day = max(t.effective_on for t in licence.terms)
        licence_ops._office_follows(
            licence, target, effective_on=day, reason="ورود پروانه از فایل", actor=actor
        )
