"""The annual report: every figure an aggregate query over the records, never typed by hand.

Each figure is a *base query* with one row per thing it counts: a `record_id` and the columns the
figure is broken down by (site kind, county, purpose...). The report counts those rows with
GROUP BY; the drill-down page lists the rows of the very same query with the same filters, so a
figure and the records behind it always agree.

Periods are Gregorian dates inclusive at both ends; Period.jalali_year(1401) runs from
1 Farvardin 1401 to the last day of Esfand 1401 (29 Esfand, or 30 in a leap year).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import jdatetime
from sqlalchemy import Select, String, case, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import aliased, joinedload

from committees.models import (
    Case,
    CaseViolation,
    CommitteeSession,
    PenaltyKind,
    Ruling,
    RulingState,
    ViolationType,
)
from core.args import MAX_ID
from core.clock import today_tehran
from core.db import fa_sorted
from core.errors import DomainError
from core.extensions import db
from core.persian import (
    JALALI_MONTHS,
    format_jalali,
    format_jalali_long,
    format_number,
    jalali,
    jalali_year_bounds,
    to_latin_digits,
    to_persian_digits,
)
from inspections.models import Visit, VisitPurpose
from licensing.models import (
    WG_DECISIONS,
    AgendaItem,
    Application,
    ApplicationKind,
    ApplicationState,
    Licence,
    VisitRequest,
    WorkingGroupSession,
)
from registry.models import OFFICE_KINDS, County, Site, SiteKind, SiteStatus, SiteStatusChange
from registry.operations import province_name
from reports import models  # noqa: F401  (the reports' indexes, declared on the tables' metadata)

# The oldest and newest years the report accepts (the date helpers' own range).
FIRST_YEAR, LAST_YEAR = 1300, 1500


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A reporting period: a Jalali year, or any range of days (both ends included)."""

    start: date
    end: date
    year: int | None = None

    def __post_init__(self):
        if self.start > self.end:
            raise DomainError("تاریخ پایان نباید پیش از تاریخ آغاز باشد.", field="end")

    @classmethod
    def jalali_year(cls, year: int) -> Period:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise DomainError(
                f"سال باید بین {to_persian_digits(FIRST_YEAR)} و {to_persian_digits(LAST_YEAR)} باشد.",
                field="year",
            )
        start, end = jalali_year_bounds(year)
        return cls(start, end, year)

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        """A range of days; a range that is exactly one Jalali year is reported as that year."""
        year = jalali(start).year
        if (start, end) == jalali_year_bounds(year):
            return cls(start, end, year)
        return cls(start, end)

    @property
    def title(self) -> str:
        """«سال ۱۴۰۱» or «۱ فروردین ۱۴۰۱ تا ۳۱ شهریور ۱۴۰۱»."""
        if self.year is not None:
            return f"سال {to_persian_digits(self.year)}"
        return f"{format_jalali_long(self.start)} تا {format_jalali_long(self.end)}"

    @property
    def within(self) -> str:
        """How a sentence names the period: «در سال ۱۴۰۱», «از ۱ فروردین ... تا ...»."""
        return f"در {self.title}" if self.year is not None else f"از {self.title}"

    @property
    def at_end(self) -> str:
        """«در پایان سال ۱۴۰۱», «در پایان روز ۳۱ شهریور ۱۴۰۱»."""
        if self.year is not None:
            return f"در پایان سال {to_persian_digits(self.year)}"
        return f"در پایان روز {format_jalali_long(self.end)}"

    def args(self) -> dict[str, str]:
        """The query arguments that name this period in a URL (Jalali, Latin digits)."""
        if self.year is not None:
            return {"year": str(self.year)}
        return {
            "start": format_jalali(self.start, persian_digits=False).replace("/", "-"),
            "end": format_jalali(self.end, persian_digits=False).replace("/", "-"),
        }

    @property
    def held_until(self) -> date:
        """Sessions count once held: a session scheduled after today is not yet part of a period."""
        return min(self.end, today_tehran())


def current_year() -> int:
    return jalali(today_tehran()).year


def first_year_with_records() -> int:
    """The earliest Jalali year with a site on record (for the year picker)."""
    first = db.session.scalar(select(func.min(SiteStatusChange.effective_on)))
    if first is None:
        return current_year()
    return max(jalali(first).year, FIRST_YEAR, current_year() - 40)


@dataclass(frozen=True)
class Bucket:
    """A slice of a period (a Jalali month or year) that a chart counts separately."""

    label: str
    period: Period


def month_buckets(period: Period) -> list[Bucket]:
    """The Jalali months a period covers, each clipped to the period."""
    first, last = jalali(period.start), jalali(period.end)
    many_years = first.year != last.year
    buckets = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start = jdatetime.date(year, month, 1).togregorian()
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = jdatetime.date(next_year, next_month, 1).togregorian() - timedelta(days=1)
        label = JALALI_MONTHS[month - 1] + (f" {to_persian_digits(year)}" if many_years else "")
        buckets.append(Bucket(label, Period(max(start, period.start), min(end, period.end))))
        year, month = next_year, next_month
    return buckets


def year_buckets(last_year: int, count: int = 10) -> list[Bucket]:
    """The `count` Jalali years up to last_year, oldest first."""
    years = range(last_year - count + 1, last_year + 1)
    return [Bucket(to_persian_digits(y), Period.jalali_year(y)) for y in years]


def month_of(day: date) -> Period:
    """The whole Jalali month a day falls in."""
    jd = jalali(day)
    start = jdatetime.date(jd.year, jd.month, 1).togregorian()
    year, month = (jd.year + 1, 1) if jd.month == 12 else (jd.year, jd.month + 1)
    return Period(start, jdatetime.date(year, month, 1).togregorian() - timedelta(days=1))


# ---------------------------------------------------------------- figures and their base queries


def status_on_day(day: date):
    """Each site's status on a day: its latest status change effective on or before that day."""
    ranked = (
        select(
            SiteStatusChange.site_id,
            SiteStatusChange.status,
            func.row_number()
            .over(
                partition_by=SiteStatusChange.site_id,
                order_by=(SiteStatusChange.effective_on.desc(), SiteStatusChange.id.desc()),
            )
            .label("rank"),
        )
        .where(SiteStatusChange.effective_on <= day)
        .subquery()
    )
    return select(ranked.c.site_id, ranked.c.status).where(ranked.c.rank == 1).subquery()


def _sites_active(period: Period) -> Select:
    current = status_on_day(period.end)
    return (
        select(
            Site.id.label("record_id"),
            type_coerce(Site.kind, String).label("site_kind"),
            Site.county_id.label("county"),
        )
        .join(current, current.c.site_id == Site.id)
        .where(current.c.status == SiteStatus.ACTIVE)
    )


def _sites_due(period: Period) -> Select:
    from inspections.operations import due_sites

    due = due_sites(period.end).subquery()
    return select(
        due.c.id.label("record_id"),
        type_coerce(due.c.kind, String).label("site_kind"),
        due.c.county_id.label("county"),
    )


def _licences_issued(period: Period) -> Select:
    """One row per licence issued (new, transfer, address change) or renewed in the period.

    The kind of a licence row is read from the licence chain, not from Licence.application:
    renewing a licence points that column at the renewal request, which would hide how the licence
    was first issued. A licence with no predecessor was newly issued; one that replaced another
    for a new holder came from a transfer; one that replaced another for the same holder, from an
    address change (issue_licence never changes the holder of an address change, and refuses a
    transfer to the current holder). A renewal extends the same licence: it is counted on its
    renewed_on day.
    """
    previous = aliased(Licence)
    issued_kind = case(
        (Licence.previous_licence_id.is_(None), literal(ApplicationKind.NEW.value)),
        (Licence.holder_id != previous.holder_id, literal(ApplicationKind.TRANSFER.value)),
        else_=literal(ApplicationKind.ADDRESS_CHANGE.value),
    )
    issued = (
        select(
            Licence.id.label("record_id"),
            type_coerce(Licence.office_kind, String).label("office_kind"),
            type_coerce(issued_kind, String).label("application_kind"),
            Site.county_id.label("county"),
            Licence.issued_on.label("day"),
        )
        .join(Site, Licence.site_id == Site.id)
        .outerjoin(previous, Licence.previous_licence_id == previous.id)
        .where(Licence.issued_on.between(period.start, period.end))
    )
    renewed = (
        select(
            Licence.id.label("record_id"),
            type_coerce(Licence.office_kind, String).label("office_kind"),
            type_coerce(literal(ApplicationKind.RENEWAL.value), String).label("application_kind"),
            Site.county_id.label("county"),
            Licence.renewed_on.label("day"),
        )
        .join(Site, Licence.site_id == Site.id)
        .where(Licence.renewed_on.between(period.start, period.end))
    )
    rows = union_all(issued, renewed).subquery()
    return select(*rows.c)


def _visits(period: Period) -> Select:
    """One row per visit made in the period; a visit to a proposed office (no site yet) counts
    under the application's office kind and county."""
    return (
        select(
            Visit.id.label("record_id"),
            type_coerce(func.coalesce(Site.kind, Application.office_kind), String).label("site_kind"),
            type_coerce(Visit.purpose, String).label("purpose"),
            func.coalesce(Site.county_id, Application.county_id).label("county"),
            Visit.visited_on.label("day"),
        )
        .select_from(Visit)
        .outerjoin(Site, Visit.site_id == Site.id)
        .outerjoin(VisitRequest, Visit.visit_request_id == VisitRequest.id)
        .outerjoin(Application, VisitRequest.application_id == Application.id)
        .where(Visit.visited_on.between(period.start, period.end))
    )


def _wg_sessions(period: Period) -> Select:
    return select(WorkingGroupSession.id.label("record_id"), WorkingGroupSession.held_on.label("day")).where(
        WorkingGroupSession.held_on.between(period.start, period.held_until)
    )


def _wg_decisions(period: Period) -> Select:
    return (
        select(
            AgendaItem.id.label("record_id"),
            type_coerce(AgendaItem.decision, String).label("decision"),
            WorkingGroupSession.held_on.label("day"),
        )
        .join(WorkingGroupSession, AgendaItem.session_id == WorkingGroupSession.id)
        .where(
            WorkingGroupSession.held_on.between(period.start, period.held_until),
            AgendaItem.decision.is_not(None),
        )
    )


def _committee_sessions(period: Period) -> Select:
    return select(CommitteeSession.id.label("record_id"), CommitteeSession.held_on.label("day")).where(
        CommitteeSession.held_on.between(period.start, period.held_until)
    )


def _cases(period: Period) -> Select:
    return (
        select(Case.id.label("record_id"), Site.county_id.label("county"), Case.opened_on.label("day"))
        .join(Site, Case.site_id == Site.id)
        .where(Case.opened_on.between(period.start, period.end))
    )


def _cases_by_violation(period: Period) -> Select:
    """One row per violation of each case opened in the period (a case may name several)."""
    return (
        select(
            Case.id.label("record_id"),
            ViolationType.code.label("violation"),
            Site.county_id.label("county"),
            Case.opened_on.label("day"),
        )
        .join(CaseViolation, CaseViolation.case_id == Case.id)
        .join(ViolationType, CaseViolation.violation_type_id == ViolationType.id)
        .join(Site, Case.site_id == Site.id)
        .where(Case.opened_on.between(period.start, period.end))
    )


def _rulings(period: Period) -> Select:
    """Rulings made in the period. A ruling an appeal replaced is left out: its replacement
    (counted on the day of the appeal decision) is the penalty that stands."""
    return (
        select(
            Ruling.id.label("record_id"),
            type_coerce(Ruling.penalty, String).label("penalty"),
            Site.county_id.label("county"),
            Ruling.ruled_on.label("day"),
        )
        .join(Case, Ruling.case_id == Case.id)
        .join(Site, Case.site_id == Site.id)
        .where(Ruling.ruled_on.between(period.start, period.end), Ruling.state != RulingState.REPLACED)
    )


@dataclass(frozen=True)
class Figure:
    """A counted figure: its base query, the record it lists and the breakdowns it allows."""

    key: str
    title: str
    model: type
    base: Callable[[Period], Select]
    dims: tuple[str, ...] = ()
    # Base columns the drill-down shows next to each record (e.g. the kind of a licence event).
    extras: tuple[str, ...] = ()
    # Relationships the drill-down table reads.
    load: tuple = ()
    order: Callable[[Any], tuple] = field(default=lambda base: (base.c.record_id.desc(),))


def _by_day(base) -> tuple:
    return (base.c.day.desc(), base.c.record_id.desc())


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure(
            "sites_active",
            "محل‌های فعال در پایان دوره",
            Site,
            _sites_active,
            dims=("site_kind", "county"),
            load=(joinedload(Site.county),),
            order=lambda base: (fa_sorted(Site.name), Site.id),
        ),
        Figure(
            "licences_issued",
            "پروانه‌های صادر یا تمدیدشده",
            Licence,
            _licences_issued,
            dims=("office_kind", "application_kind", "county"),
            extras=("application_kind", "day"),
            load=(joinedload(Licence.holder), joinedload(Licence.site).joinedload(Site.county)),
            order=_by_day,
        ),
        Figure(
            "visits",
            "بازدیدهای انجام‌شده",
            Visit,
            _visits,
            dims=("site_kind", "purpose", "county"),
            load=(
                joinedload(Visit.site).joinedload(Site.county),
                joinedload(Visit.inspector),
                joinedload(Visit.visit_request).joinedload(VisitRequest.application),
            ),
            order=_by_day,
        ),
        Figure("wg_sessions", "جلسات کارگروه استانی", WorkingGroupSession, _wg_sessions, order=_by_day),
        Figure(
            "wg_decisions",
            "تصمیم‌های کارگروه",
            AgendaItem,
            _wg_decisions,
            dims=("decision",),
            load=(
                joinedload(AgendaItem.session),
                joinedload(AgendaItem.application).joinedload(Application.applicant),
            ),
            order=_by_day,
        ),
        Figure(
            "committee_sessions", "جلسات کمیته تخلفات", CommitteeSession, _committee_sessions, order=_by_day
        ),
        Figure(
            "cases",
            "پرونده‌های تخلف تشکیل‌شده",
            Case,
            _cases,
            dims=("county",),
            load=(joinedload(Case.site).joinedload(Site.county),),
            order=_by_day,
        ),
        Figure(
            "cases_by_violation",
            "پرونده‌های تخلف به تفکیک نوع تخلف",
            Case,
            _cases_by_violation,
            dims=("violation", "county"),
            extras=("violation",),
            load=(joinedload(Case.site).joinedload(Site.county),),
            order=_by_day,
        ),
        Figure(
            "rulings",
            "آرای کمیته تخلفات",
            Ruling,
            _rulings,
            dims=("penalty", "county"),
            load=(joinedload(Ruling.case).joinedload(Case.site),),
            order=_by_day,
        ),
        Figure(
            "sites_due",
            "محل‌های در نوبت بازدید تا پایان دوره",
            Site,
            _sites_due,
            dims=("site_kind", "county"),
            load=(joinedload(Site.county),),
            order=lambda base: (fa_sorted(Site.name), Site.id),
        ),
    )
}


# ---------------------------------------------------------------- breakdown values


def _county(value: str) -> int:
    number = to_latin_digits(value)
    if not number.isascii() or not number.isdigit() or not 0 < int(number) <= MAX_ID:
        raise DomainError("شهرستان یافت نشد.", field="county")
    if db.session.get(County, int(number)) is None:
        raise DomainError("شهرستان یافت نشد.", field="county")
    return int(number)


def _violation(value: str) -> str:
    if db.session.scalar(select(ViolationType.id).where(ViolationType.code == value)) is None:
        raise DomainError("نوع تخلف در فهرست تخلفات نیست.", field="violation")
    return value


def _member(enum_cls, allowed: Iterable | None, message: str, name: str):
    def parse(value: str):
        try:
            member = enum_cls(value)
        except ValueError as exc:
            raise DomainError(message, field=name) from exc
        if allowed is not None and member not in allowed:
            raise DomainError(message, field=name)
        return member.value

    return parse


# Each breakdown: its Persian name and how a URL value is checked (a Persian DomainError if wrong).
DIMENSIONS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "site_kind": ("نوع محل", _member(SiteKind, None, "نوع محل معتبر نیست.", "site_kind")),
    "office_kind": ("نوع دفتر", _member(SiteKind, OFFICE_KINDS, "نوع دفتر معتبر نیست.", "office_kind")),
    "application_kind": (
        "نوع درخواست",
        _member(ApplicationKind, None, "نوع درخواست معتبر نیست.", "application_kind"),
    ),
    "purpose": ("هدف بازدید", _member(VisitPurpose, None, "هدف بازدید معتبر نیست.", "purpose")),
    "decision": ("تصمیم", _member(ApplicationState, WG_DECISIONS, "تصمیم معتبر نیست.", "decision")),
    "penalty": ("مجازات", _member(PenaltyKind, None, "مجازات معتبر نیست.", "penalty")),
    "violation": ("نوع تخلف", _violation),
    "county": ("شهرستان", _county),
}


def figure(key: str) -> Figure:
    """The figure of this key; a Persian DomainError for an unknown one."""
    try:
        return FIGURES[key]
    except KeyError as exc:
        raise DomainError("این رقم در گزارش وجود ندارد.", field="figure") from exc


def parse_filters(fig: Figure, args) -> dict[str, Any]:
    """The figure's breakdown values from URL arguments, checked; unknown arguments are ignored."""
    filters = {}
    for name in fig.dims:
        raw = (args.get(name) or "").strip()
        if raw:
            filters[name] = DIMENSIONS[name][1](raw)
    return filters


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _where(stmt: Select, base, filters: dict[str, Any]) -> Select:
    for name, value in filters.items():
        stmt = stmt.where(base.c[name] == _plain(value))
    return stmt


def count_by(key: str, period: Period, *dims: str, **filters) -> Any:
    """A figure counted with GROUP BY over its base query: {value: n}, {(v1, v2): n}, or n."""
    base = FIGURES[key].base(period).subquery()
    columns = [base.c[d] for d in dims]
    stmt = _where(select(*columns, func.count()).select_from(base), base, filters)
    if not dims:
        return db.session.scalar(stmt)
    rows = db.session.execute(stmt.group_by(*columns)).all()
    if len(dims) == 1:
        return {_plain(row[0]): row[1] for row in rows}
    return {tuple(_plain(v) for v in row[:-1]): row[-1] for row in rows}


def count_per_bucket(key: str, buckets: list[Bucket], *dims: str, **filters) -> dict:
    """A figure counted per month or year in one query: {(bucket index, *dims): n}."""
    whole = Period(buckets[0].period.start, buckets[-1].period.end)
    base = FIGURES[key].base(whole).subquery()
    index = case(*[(base.c.day <= b.period.end, i) for i, b in enumerate(buckets)]).label("bucket")
    columns = [index, *(base.c[d] for d in dims)]
    stmt = _where(select(*columns, func.count()).select_from(base), base, filters).group_by(*columns)
    return {tuple(_plain(v) for v in row[:-1]): row[-1] for row in db.session.execute(stmt).all()}


def figure_rows(key: str, period: Period, filters: dict[str, Any] | None = None) -> Select:
    """The records behind a figure, as (record, *extras) rows: the same base query and filters the
    figure counts, so listing them gives exactly the figure."""
    fig = FIGURES[key]
    base = fig.base(period).subquery()
    stmt = (
        select(fig.model, *(base.c[name] for name in fig.extras))
        .join(base, fig.model.id == base.c.record_id)
        .options(*fig.load)
    )
    return _where(stmt, base, filters or {}).order_by(*fig.order(base))


def figure_count(key: str, period: Period, filters: dict[str, Any] | None = None) -> int:
    """How many records figure_rows lists (the figure itself)."""
    return count_by(key, period, **(filters or {}))


# ---------------------------------------------------------------- the report


def _zero(keys: Iterable) -> dict[str, int]:
    return {_plain(k): 0 for k in keys}


def _sum_by(counted: dict[tuple, int], position: int) -> dict[Any, int]:
    """Add up grouped counts over the other columns: {(kind, county): n} → {kind: n}."""
    totals: dict[Any, int] = {}
    for key, n in counted.items():
        totals[key[position]] = totals.get(key[position], 0) + n
    return totals


@dataclass
class Counts:
    """The report's grouped counts: one GROUP BY query per figure, every breakdown added up from it
    (a national year has some 200,000 visits; they are read once)."""

    sites: dict[tuple, int]  # (site_kind, county)
    licences: dict[tuple, int]  # (office_kind, application_kind, county)
    visits: dict[tuple, int]  # (site_kind, purpose, county)
    cases: dict[Any, int]  # county

    @classmethod
    def of(cls, period: Period) -> Counts:
        return cls(
            sites=count_by("sites_active", period, "site_kind", "county"),
            licences=count_by("licences_issued", period, "office_kind", "application_kind", "county"),
            visits=count_by("visits", period, "site_kind", "purpose", "county"),
            cases=count_by("cases", period, "county"),
        )


def sites_active(counts: Counts) -> dict[str, int]:
    """Active sites at the end of the period, always all four kinds."""
    return _zero(SiteKind) | _sum_by(counts.sites, 0)


def licences_issued(counts: Counts) -> dict[str, dict[str, int]]:
    """Licences issued by office kind, then by application kind (all keys present)."""
    by_kinds: dict[tuple, int] = {}
    for (office, kind, _county), n in counts.licences.items():
        by_kinds[office, kind] = by_kinds.get((office, kind), 0) + n
    return {
        office.value: {k.value: by_kinds.get((office.value, k.value), 0) for k in ApplicationKind}
        for office in OFFICE_KINDS
    }


def visits(counts: Counts) -> dict[str, Any]:
    """Visits made: the total, by site kind and by purpose."""
    by_kind = _zero(SiteKind) | {k: n for k, n in _sum_by(counts.visits, 0).items() if k is not None}
    return {
        "total": sum(counts.visits.values()),
        "by_site_kind": by_kind,
        "by_purpose": _zero(VisitPurpose) | _sum_by(counts.visits, 1),
    }


def violation_titles() -> dict[str, str]:
    """The catalogue's codes and titles, in code order."""
    rows = db.session.execute(select(ViolationType.code, ViolationType.title).order_by(ViolationType.code))
    return dict(rows.all())


def cases_by_violation(period: Period, titles: dict[str, str]) -> dict[str, int]:
    """Cases opened, by the violation they name: every active type of the catalogue, plus any
    retired type a case of the period names."""
    counted = count_by("cases_by_violation", period, "violation")
    active = db.session.scalars(select(ViolationType.code).where(ViolationType.active.is_(True))).all()
    return {code: counted.get(code, 0) for code in titles if code in counted or code in active}


def per_county(counts: Counts) -> list[dict[str, Any]]:
    """Each county's active sites by kind, licences issued, visits and cases, in Persian order."""
    from registry.operations import counties_in_order

    issued, visited = _sum_by(counts.licences, 2), _sum_by(counts.visits, 2)
    return [
        {
            "county_id": county.id,
            "county": county.name,
            "sites_active": {k.value: counts.sites.get((k.value, county.id), 0) for k in SiteKind},
            "licences_issued": issued.get(county.id, 0),
            "visits": visited.get(county.id, 0),
            "cases": counts.cases.get(county.id, 0),
        }
        for county in counties_in_order()
    ]


def annual_report(period: Period | int) -> dict[str, Any]:
    """Every figure of the report for a Jalali year (an int) or a Period, from the records.

    The keys of the API (issue 7): year, sites_active, licences_issued, visits,
    working_group_sessions, committee_sessions, cases_by_violation, rulings_by_penalty; and besides
    them the period's bounds, the working group's decisions, cases opened, the violation titles and
    the per-county table.
    """
    if isinstance(period, int):
        period = Period.jalali_year(period)
    titles = violation_titles()
    counts = Counts.of(period)
    return {
        "year": period.year,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "start_jalali": format_jalali(period.start, persian_digits=False),
        "end_jalali": format_jalali(period.end, persian_digits=False),
        "sites_active": sites_active(counts),
        "licences_issued": licences_issued(counts),
        "visits": visits(counts),
        "working_group_sessions": count_by("wg_sessions", period),
        "working_group_decisions": _zero(WG_DECISIONS) | count_by("wg_decisions", period, "decision"),
        "committee_sessions": count_by("committee_sessions", period),
        "cases_opened": sum(counts.cases.values()),
        "cases_by_violation": cases_by_violation(period, titles),
        "violation_titles": titles,
        "rulings_by_penalty": _zero(PenaltyKind) | count_by("rulings", period, "penalty"),
        "per_county": per_county(counts),
    }


# ---------------------------------------------------------------- the summary paragraph


# What a visit of each purpose is for, as the announcement words it (ATM visits are named by the
# sites they go to).
PURPOSE_PHRASES = {
    VisitPurpose.PERFORMANCE.value: "کنترل عملکرد",
    VisitPurpose.HEALTH.value: "رعایت شیوه‌نامه‌های بهداشتی",
    VisitPurpose.NEW_SITE.value: "تأسیس",
    VisitPurpose.ADDRESS_CHANGE.value: "اصلاح نشانی",
    VisitPurpose.COMPLAINT.value: "رسیدگی به شکایات",
    VisitPurpose.ATM_KIOSK.value: None,
}


def _and_list(parts: list[str], last: str = " و ") -> str:
    """«الف، ب و ج»."""
    if len(parts) <= 1:
        return "".join(parts)
    return "، ".join(parts[:-1]) + last + parts[-1]


def summary(report: dict[str, Any], period: Period) -> str:
    """The report as one Persian paragraph, the way the directorate announces it."""
    n = format_number
    issued = report["licences_issued"]
    counter_new = issued[SiteKind.COUNTER_OFFICE.value][ApplicationKind.NEW.value]
    rural_new = issued[SiteKind.RURAL_ICT_OFFICE.value][ApplicationKind.NEW.value]
    sentences = []
    if counter_new or rural_new:
        sentences.append(
            f"{period.within} تعداد {n(counter_new)} مجوز جدید دفاتر پیشخوان خدمات دولت و تعداد "
            f"{n(rural_new)} مجوز جدید دفاتر ICT روستایی صادر شده است"
        )
    else:
        sentences.append(
            f"{period.within} مجوز جدیدی برای دفاتر پیشخوان خدمات دولت و ICT روستایی صادر نشده است"
        )
    others = []
    for kind, label in (
        (ApplicationKind.TRANSFER, "انتقال"),
        (ApplicationKind.RENEWAL, "تمدید"),
        (ApplicationKind.ADDRESS_CHANGE, "تغییر نشانی"),
    ):
        total = sum(issued[office.value][kind.value] for office in OFFICE_KINDS)
        if total:
            others.append(f"{n(total)} {label}")
    if others:
        sentences[-1] += f" و {_and_list(others)} پروانه انجام شده است"
    visit_figures = report["visits"]
    if visit_figures["total"]:
        purposes = [
            PURPOSE_PHRASES[p] for p, v in visit_figures["by_purpose"].items() if v and PURPOSE_PHRASES[p]
        ]
        kinds = [SiteKind(k).plural_label for k, v in visit_figures["by_site_kind"].items() if v]
        aim = f"در راستای {_and_list(purposes, ' و یا ')} " if purposes else "در بازدید از "
        sentences.append(f"{aim}{_and_list(kinds)} تعداد {n(visit_figures['total'])} بازدید به عمل آمده است")
    else:
        sentences.append("بازدیدی از دفاتر و پایانه‌ها ثبت نشده است")
    meetings = [
        f"{n(count)} جلسه {body}"
        for count, body in (
            (report["working_group_sessions"], "کارگروه"),
            (report["committee_sessions"], "کمیته تخلفات دفاتر پیشخوان"),
        )
        if count
    ]
    if meetings:
        sentences.append(f"همچنین {_and_list(meetings)} برگزار شده است")
    else:
        sentences.append("در این مدت جلسه‌ای از کارگروه و کمیته تخلفات برگزار نشده است")
    rulings = sum(report["rulings_by_penalty"].values())
    if report["cases_opened"] or rulings:
        sentences.append(
            f"در این مدت {n(report['cases_opened'])} پرونده تخلف تشکیل و {n(rulings)} رأی "
            "در کمیته صادر شده است"
        )
    active = report["sites_active"]
    province = province_name()
    where = f" در استان {province}" if province else ""
    sentences.append(
        f"{period.at_end} تعداد {n(active[SiteKind.COUNTER_OFFICE.value])} دفتر پیشخوان خدمات دولت و "
        f"{n(active[SiteKind.RURAL_ICT_OFFICE.value])} دفتر ICT روستایی{where} در حال ارائه خدمات "
        "الکترونیک به ارباب‌رجوع بوده‌اند"
    )
    return ". ".join(sentences) + "."


# ---------------------------------------------------------------- chart series


def visits_per_month(period: Period) -> list[dict[str, Any]]:
    """Visits in each Jalali month of the period: [{label, period, count}]."""
    buckets = month_buckets(period)
    counted = count_per_bucket("visits", buckets)
    return [
        {"label": b.label, "period": b.period, "count": counted.get((i,), 0)} for i, b in enumerate(buckets)
    ]


def licences_per_year(last_year: int, count: int = 10) -> dict[str, Any]:
    """Licences issued in each of the last `count` Jalali years, by application kind."""
    buckets = year_buckets(last_year, count)
    counted = count_per_bucket("licences_issued", buckets, "application_kind")
    return {
        "years": [b.label for b in buckets],
        "periods": [b.period for b in buckets],
        "by_kind": {
            k.value: [counted.get((i, k.value), 0) for i in range(len(buckets))] for k in ApplicationKind
        },
    }


# ---------------------------------------------------------------- this month (dashboard)


@dataclass
class MonthFigures:
    month: Period  # the whole Jalali month
    done: Period  # its first day to today
    label: str
    visits_done: int
    sites_due: int
    year: Period  # 1 Farvardin to today
    year_figures: dict[str, int]


def month_figures(today: date | None = None) -> MonthFigures:
    """This Jalali month's visits made so far and the sites that fall due for a visit by its end;
    this year's licences, visits and sessions so far."""
    today = today or today_tehran()
    month = month_of(today)
    done = Period(month.start, today)
    so_far = Period(Period.jalali_year(jalali(today).year).start, today)
    jd = jalali(today)
    return MonthFigures(
        month=month,
        done=done,
        label=f"{JALALI_MONTHS[jd.month - 1]} {to_persian_digits(jd.year)}",
        visits_done=count_by("visits", done),
        sites_due=count_by("sites_due", month),
        year=so_far,
        year_figures={key: count_by(key, so_far) for key in YEAR_SO_FAR},
    )


# The year-to-date figures of the dashboard, in the order shown.
YEAR_SO_FAR = {
    "licences_issued": "پروانه صادر یا تمدیدشده",
    "visits": "بازدید",
    "wg_sessions": "جلسه کارگروه",
    "committee_sessions": "جلسه کمیته تخلفات",
}


# ---------------------------------------------------------------- the map


MARKER_KINDS = tuple(SiteKind)
MARKER_STATUSES = tuple(SiteStatus)


def map_markers(
    *, kind: SiteKind | None = None, status: SiteStatus | None = None, county_id: int | None = None
) -> dict[str, Any]:
    """Sites with coordinates as compact rows [id, lat, lon, kind index, status index] (a
    national map has ~80,000 of them), and the county centres to show without map tiles."""
    kind_index = {k.value: i for i, k in enumerate(MARKER_KINDS)}
    status_index = {s.value: i for i, s in enumerate(MARKER_STATUSES)}
    stmt = select(
        Site.id, Site.lat, Site.lon, type_coerce(Site.kind, String), type_coerce(Site.status, String)
    ).where(Site.lat.is_not(None), Site.lon.is_not(None))
    counties = select(County.name, County.center_lat, County.center_lon).where(County.center_lat.is_not(None))
    if kind:
        stmt = stmt.where(Site.kind == kind)
    if status:
        stmt = stmt.where(Site.status == status)
    if county_id:
        stmt = stmt.where(Site.county_id == county_id)
        counties = counties.where(County.id == county_id)
    rows = [
        [site_id, round(lat, 5), round(lon, 5), kind_index[k], status_index[s]]
        for site_id, lat, lon, k, s in db.session.execute(stmt.order_by(Site.id))
    ]
    return {
        "fields": ["id", "lat", "lon", "kind", "status"],
        "kinds": [k.value for k in MARKER_KINDS],
        "statuses": [s.value for s in MARKER_STATUSES],
        "sites": rows,
        "counties": [[name, round(lat, 5), round(lon, 5)] for name, lat, lon in db.session.execute(counties)],
    }
