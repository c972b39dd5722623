"""The annual report: every figure an aggregate query over the records, never typed by hand.

Periods are Gregorian dates inclusive at both ends; jalali_year_bounds() turns 1401 into
1 Farvardin 1401 .. the last day of Esfand 1401 (29 or 30 Esfand in leap years).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, literal, select

from committees.models import (
    Case,
    CaseViolation,
    CommitteeSession,
    PenaltyKind,
    Ruling,
    RulingState,
    ViolationType,
)
from core.extensions import db
from core.persian import jalali_year_bounds
from licensing.models import (
    AgendaItem,
    Application,
    ApplicationKind,
    ApplicationState,
    Licence,
    VisitRequest,
    WorkingGroupSession,
)
from registry.models import OFFICE_KINDS, County, Site, SiteKind, SiteStatus, SiteStatusChange

ISSUE_KINDS = tuple(ApplicationKind)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    year: int | None = None

    @classmethod
    def jalali_year(cls, year: int) -> Period:
        start, end = jalali_year_bounds(year)
        return cls(start, end, year)


def _zero_kinds() -> dict[str, int]:
    return {kind.value: 0 for kind in SiteKind}


# ---------------------------------------------------------------- sites


def status_on_day(day: date):
    """Each site's status on a day: the latest status change effective on or before it."""
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


def sites_active_on(day: date) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """Active sites on a day, by kind, and by county and kind."""
    current = status_on_day(day)
    rows = db.session.execute(
        select(Site.county_id, Site.kind, func.count())
        .join(current, current.c.site_id == Site.id)
        .where(current.c.status == SiteStatus.ACTIVE.value)
        .group_by(Site.county_id, Site.kind)
    ).all()
    by_kind, by_county = _zero_kinds(), {}
    for county_id, kind, n in rows:
        by_kind[kind.value] += n
        by_county.setdefault(county_id, _zero_kinds())[kind.value] += n
    return by_kind, by_county


def active_site_ids_on(day: date, kind: SiteKind | None = None, county_id: int | None = None):
    """The query behind a 'sites active' figure, to open it to its records."""
    current = status_on_day(day)
    stmt = (
        select(Site)
        .join(current, current.c.site_id == Site.id)
        .where(current.c.status == SiteStatus.ACTIVE.value)
    )
    if kind:
        stmt = stmt.where(Site.kind == kind)
    if county_id:
        stmt = stmt.where(Site.county_id == county_id)
    return stmt


# ---------------------------------------------------------------- licences


def _narrow(stmt, office_kind: SiteKind | None, county_id: int | None):
    if office_kind:
        stmt = stmt.where(Licence.office_kind == office_kind)
    if county_id:
        stmt = stmt.where(Site.county_id == county_id)
    return stmt


def licences_issued_query(
    period: Period,
    *,
    office_kind: SiteKind | None = None,
    kind: ApplicationKind | None = None,
    county_id: int | None = None,
):
    """(licence, application kind, county) rows of the licences issued or renewed in the period.

    New, transfer and address-change decisions issue a licence row (issued_on); a renewal extends
    the same licence and is counted on its renewed_on date.
    """
    issued = (
        select(
            Licence.id.label("licence_id"), Licence.office_kind, Application.kind, Site.county_id
        )
        .join(Application, Licence.application_id == Application.id)
        .join(Site, Licence.site_id == Site.id)
        .where(
            Application.kind != ApplicationKind.RENEWAL,
            Licence.issued_on.between(period.start, period.end),
        )
    )
    renewed = (
        select(
            Licence.id.label("licence_id"),
            Licence.office_kind,
            literal(ApplicationKind.RENEWAL.value).label("kind"),
            Site.county_id,
        )
        .join(Site, Licence.site_id == Site.id)
        .where(Licence.renewed_on.between(period.start, period.end))
    )
    issued = _narrow(issued, office_kind, county_id)
    renewed = _narrow(renewed, office_kind, county_id)
    if kind == ApplicationKind.RENEWAL:
        return renewed.subquery()
    if kind is not None:
        return issued.where(Application.kind == kind).subquery()
    return issued.union_all(renewed).subquery()


def licences_issued(period: Period) -> tuple[dict, dict]:
    """Licences issued by office kind then application kind, and by county."""
    rows = licences_issued_query(period)
    counted = db.session.execute(
        select(rows.c.office_kind, rows.c.kind, rows.c.county_id, func.count()).group_by(
            rows.c.office_kind, rows.c.kind, rows.c.county_id
        )
    ).all()
    by_kind = {k.value: {a.value: 0 for a in ISSUE_KINDS} for k in OFFICE_KINDS}
    by_county: dict[int, int] = {}
    for office_kind, app_kind, county_id, n in counted:
        office_kind = SiteKind(office_kind).value
        by_kind[office_kind][ApplicationKind(app_kind).value] += n
        by_county[county_id] = by_county.get(county_id, 0) + n
    return by_kind, by_county


# ---------------------------------------------------------------- visits


def _visit_rows(period: Period):
    from inspections.models import Visit

    office_kind_of_request = (
        select(Application.office_kind)
        .where(Application.id == VisitRequest.application_id)
        .where(VisitRequest.id == Visit.visit_request_id)
        .correlate(Visit)
        .scalar_subquery()
    )
    county_of_request = (
        select(Application.county_id)
        .where(Application.id == VisitRequest.application_id)
        .where(VisitRequest.id == Visit.visit_request_id)
        .correlate(Visit)
        .scalar_subquery()
    )
    return (
        select(
            Visit.id,
            Visit.purpose,
            func.coalesce(Site.kind, office_kind_of_request).label("site_kind"),
            func.coalesce(Site.county_id, county_of_request).label("county_id"),
        )
        .outerjoin(Site, Visit.site_id == Site.id)
        .where(Visit.visited_on.between(period.start, period.end))
    ).subquery()


def visits(period: Period) -> tuple[dict, dict]:
    """Visits made in the period: total, by site kind, by purpose; and by county."""
    from inspections.models import VisitPurpose

    rows = _visit_rows(period)
    counted = db.session.execute(
        select(rows.c.site_kind, rows.c.purpose, rows.c.county_id, func.count()).group_by(
            rows.c.site_kind, rows.c.purpose, rows.c.county_id
        )
    ).all()
    by_kind, by_purpose = _zero_kinds(), {p.value: 0 for p in VisitPurpose}
    by_county: dict[int, int] = {}
    total = 0
    for site_kind, purpose, county_id, n in counted:
        total += n
        if site_kind is not None:
            by_kind[SiteKind(site_kind).value] += n
        by_purpose[VisitPurpose(purpose).value] += n
        if county_id is not None:
            by_county[county_id] = by_county.get(county_id, 0) + n
    return {"total": total, "by_site_kind": by_kind, "by_purpose": by_purpose}, by_county


# ---------------------------------------------------------------- working group and committee


def working_group(period: Period) -> dict:
    """Working-group sessions held in the period and the decisions they took."""
    sessions = db.session.scalar(
        select(func.count()).where(WorkingGroupSession.held_on.between(period.start, period.end))
    )
    decided = dict(
        db.session.execute(
            select(AgendaItem.decision, func.count())
            .join(WorkingGroupSession)
            .where(
                WorkingGroupSession.held_on.between(period.start, period.end),
                AgendaItem.decision.is_not(None),
            )
            .group_by(AgendaItem.decision)
        ).all()
    )
    decisions = {
        s.value: decided.get(s, 0)
        for s in (ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.DEFERRED)
    }
    return {"sessions": sessions, "decisions": decisions}


def committee(period: Period) -> tuple[dict, dict]:
    """Committee sessions, cases opened by violation type, rulings by penalty; cases by county."""
    sessions = db.session.scalar(
        select(func.count()).where(CommitteeSession.held_on.between(period.start, period.end))
    )
    cases = db.session.execute(
        select(ViolationType.code, ViolationType.title, func.count())
        .join(CaseViolation, CaseViolation.violation_type_id == ViolationType.id)
        .join(Case, Case.id == CaseViolation.case_id)
        .where(Case.opened_on.between(period.start, period.end))
        .group_by(ViolationType.code, ViolationType.title)
        .order_by(ViolationType.code)
    ).all()
    rulings = dict(
        db.session.execute(
            select(Ruling.penalty, func.count())
            .where(
                Ruling.ruled_on.between(period.start, period.end),
                Ruling.state != RulingState.REPLACED,
            )
            .group_by(Ruling.penalty)
        ).all()
    )
    by_county = dict(
        db.session.execute(
            select(Site.county_id, func.count())
            .join(Case, Case.site_id == Site.id)
            .where(Case.opened_on.between(period.start, period.end))
            .group_by(Site.county_id)
        ).all()
    )
    return {
        "sessions": sessions,
        "cases_by_violation": {code: {"title": title, "count": n} for code, title, n in cases},
        "rulings_by_penalty": {p.value: rulings.get(p, 0) for p in PenaltyKind},
    }, by_county


# ---------------------------------------------------------------- the report


def annual_report(period: Period) -> dict:
    """Every figure of the report for the period, computed from the records."""
    sites, sites_by_county = sites_active_on(period.end)
    issued, issued_by_county = licences_issued(period)
    visit_figures, visits_by_county = visits(period)
    wg = working_group(period)
    committee_figures, cases_by_county = committee(period)
    counties = db.session.execute(select(County.id, County.name)).all()
    per_county = {
        name: {
            "sites_active": sites_by_county.get(county_id, _zero_kinds()),
            "licences_issued": issued_by_county.get(county_id, 0),
            "visits": visits_by_county.get(county_id, 0),
            "cases": cases_by_county.get(county_id, 0),
        }
        for county_id, name in counties
    }
    return {
        "year": period.year,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "sites_active": sites,
        "licences_issued": issued,
        "visits": visit_figures,
        "working_group_sessions": wg["sessions"],
        "working_group_decisions": wg["decisions"],
        "committee_sessions": committee_figures["sessions"],
        "cases_by_violation": committee_figures["cases_by_violation"],
        "rulings_by_penalty": committee_figures["rulings_by_penalty"],
        "per_county": per_county,
    }
