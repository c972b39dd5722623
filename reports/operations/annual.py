"""The annual report: every figure of a period at once, the per-county table, the paragraph the
directorate announces it with, and this month's and this year's figures for the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from committees.models import PenaltyKind, ViolationType
from core.clock import today_tehran
from core.extensions import db
from core.periods import Period, jalali_year_of, month_label, month_of
from core.persian import format_jalali, format_number, jalali
from inspections.models import VisitPurpose
from licensing.models import WG_DECISIONS, ApplicationKind
from registry.models import OFFICE_KINDS, SiteKind
from registry.operations import counties_in_order, province_name
from reports.operations.figures import count_by, plain, violation_titles


def _zero(keys: Iterable) -> dict[str, int]:
    return {plain(k): 0 for k in keys}


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


def cases_by_violation(period: Period, titles: dict[str, str]) -> dict[str, int]:
    """Cases opened, by the violation they name: every active type of the catalogue, plus any
    retired type a case of the period names."""
    counted = count_by("cases_by_violation", period, "violation")
    active = db.session.scalars(select(ViolationType.code).where(ViolationType.active.is_(True))).all()
    return {code: counted.get(code, 0) for code in titles if code in counted or code in active}


def per_county(counts: Counts) -> list[dict[str, Any]]:
    """Each county's active sites by kind, licences issued, visits and cases, in Persian order."""
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
    so_far = Period(Period.jalali_year(jalali_year_of(today)).start, today)
    jd = jalali(today)
    return MonthFigures(
        month=month,
        done=done,
        label=month_label(jd.year, jd.month),
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
