"""The report's figures: each a *base query* with one row per thing it counts, counted with GROUP BY.

Each base query has a `record_id` and the columns the figure is broken down by (site kind,
county, purpose...). The report counts those rows with GROUP BY; the drill-down page lists the
rows of the very same query with the same filters, so a figure and the records behind it always
agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, String, case, func, literal, select, type_coerce
from sqlalchemy.orm import joinedload

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
from core.db import fa_sorted
from core.errors import DomainError
from core.extensions import db
from core.periods import Bucket, Period, month_buckets, year_buckets
from core.persian import to_latin_digits
from inspections.models import Visit, VisitPurpose
from licensing.models import (
    WG_DECISIONS,
    AgendaItem,
    Application,
    ApplicationKind,
    ApplicationState,
    Licence,
    LicenceTerm,
    TermKind,
    VisitRequest,
    WorkingGroupSession,
)
from registry.models import OFFICE_KINDS, County, Site, SiteKind, SiteStatus, SiteStatusChange
from reports import models  # noqa: F401  (the reports' indexes, declared on the tables' metadata)


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
    """One row per licence issued (new, transfer, address change) or renewed in the period, read
    from the licences' terms: each event is its own row, dated when it happened, so a licence
    renewed twice in a year counts twice and a year entered late counts as the year itself."""
    kind = case(
        (LicenceTerm.kind == TermKind.ISSUE, literal(ApplicationKind.NEW.value)),
        (LicenceTerm.kind == TermKind.TRANSFER, literal(ApplicationKind.TRANSFER.value)),
        (LicenceTerm.kind == TermKind.RENEWAL, literal(ApplicationKind.RENEWAL.value)),
        else_=literal(ApplicationKind.ADDRESS_CHANGE.value),
    )
    return (
        select(
            Licence.id.label("record_id"),
            type_coerce(Licence.office_kind, String).label("office_kind"),
            type_coerce(kind, String).label("application_kind"),
            Site.county_id.label("county"),
            LicenceTerm.effective_on.label("day"),
        )
        .join(Licence, LicenceTerm.licence_id == Licence.id)
        .join(Site, Licence.site_id == Site.id)
        .where(
            LicenceTerm.kind.in_(
                [TermKind.ISSUE, TermKind.TRANSFER, TermKind.ADDRESS_CHANGE, TermKind.RENEWAL]
            ),
            LicenceTerm.effective_on.between(period.start, period.end),
        )
    )


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


def violation_titles() -> dict[str, str]:
    """The catalogue's codes and titles, in code order."""
    rows = db.session.execute(select(ViolationType.code, ViolationType.title).order_by(ViolationType.code))
    return dict(rows.all())


@dataclass(frozen=True)
class Dimension:
    """A breakdown of a figure: its Persian name, how a URL value is checked (a Persian DomainError
    if wrong) and how a checked value reads on the page."""

    title: str
    parse: Callable[[str], Any]
    label: Callable[[Any], str]


def _member(title: str, enum_cls, message: str, name: str, allowed: Iterable | None = None) -> Dimension:
    def parse(value: str):
        try:
            member = enum_cls(value)
        except ValueError as exc:
            raise DomainError(message, field=name) from exc
        if allowed is not None and member not in allowed:
            raise DomainError(message, field=name)
        return member.value

    return Dimension(title, parse, lambda value: enum_cls(value).label)


DIMENSIONS: dict[str, Dimension] = {
    "site_kind": _member("نوع محل", SiteKind, "نوع محل معتبر نیست.", "site_kind"),
    "office_kind": _member("نوع دفتر", SiteKind, "نوع دفتر معتبر نیست.", "office_kind", OFFICE_KINDS),
    "application_kind": _member(
        "نوع درخواست", ApplicationKind, "نوع درخواست معتبر نیست.", "application_kind"
    ),
    "purpose": _member("هدف بازدید", VisitPurpose, "هدف بازدید معتبر نیست.", "purpose"),
    "decision": _member("تصمیم", ApplicationState, "تصمیم معتبر نیست.", "decision", WG_DECISIONS),
    "penalty": _member("مجازات", PenaltyKind, "مجازات معتبر نیست.", "penalty"),
    # Codes keep their Latin digits: «V۰۷» would read as «۷۰۷».
    "violation": Dimension(
        "نوع تخلف", _violation, lambda code: f"{code} — {violation_titles().get(code, '')}"
    ),
    "county": Dimension("شهرستان", _county, lambda county_id: db.session.get(County, county_id).name),
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
            filters[name] = DIMENSIONS[name].parse(raw)
    return filters


def filter_labels(filters: dict[str, Any]) -> list[tuple[str, str]]:
    """The checked breakdown values as the page names them: [(«شهرستان», «خرم‌آباد»)]."""
    return [(DIMENSIONS[name].title, DIMENSIONS[name].label(value)) for name, value in filters.items()]


def plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _where(stmt: Select, base, filters: dict[str, Any]) -> Select:
    for name, value in filters.items():
        stmt = stmt.where(base.c[name] == plain(value))
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
        return {plain(row[0]): row[1] for row in rows}
    return {tuple(plain(v) for v in row[:-1]): row[-1] for row in rows}


def count_per_bucket(key: str, buckets: list[Bucket], *dims: str, **filters) -> dict:
    """A figure counted per month or year in one query: {(bucket index, *dims): n}."""
    whole = Period(buckets[0].period.start, buckets[-1].period.end)
    base = FIGURES[key].base(whole).subquery()
    index = case(*[(base.c.day <= b.period.end, i) for i, b in enumerate(buckets)]).label("bucket")
    columns = [index, *(base.c[d] for d in dims)]
    stmt = _where(select(*columns, func.count()).select_from(base), base, filters).group_by(*columns)
    return {tuple(plain(v) for v in row[:-1]): row[-1] for row in db.session.execute(stmt).all()}


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
