"""The annual report as an Excel workbook: one right-to-left sheet per table, Persian headers.

Figures are written as numbers (not Persian-digit text) so that Excel can add them up.
"""

from __future__ import annotations

from committees.models import PenaltyKind
from core.xlsx import Sheet
from inspections.models import VisitPurpose
from licensing.models import ApplicationKind, ApplicationState
from registry.models import OFFICE_KINDS, SiteKind
from reports import operations as ops

TOTAL = "جمع"


def annual_report_sheets(report: dict, period: ops.Period) -> list[Sheet]:
    """Every table of the report, a sheet each, in the order of the page."""
    issued = report["licences_issued"]
    visits = report["visits"]
    titles = report["violation_titles"]
    months = ops.visits_per_month(period)
    return [
        Sheet(
            "خلاصه",
            ("عنوان", "مقدار"),
            [
                ("دوره", period.title),
                ("از تاریخ", period.start),
                ("تا تاریخ", period.end),
                ("خلاصه گزارش", ops.summary(report, period)),
            ],
        ),
        Sheet(
            "محل‌های فعال",
            ("نوع محل", "تعداد فعال در پایان دوره"),
            [
                *((k, report["sites_active"][k.value]) for k in SiteKind),
                (TOTAL, sum(report["sites_active"].values())),
            ],
        ),
        Sheet(
            "پروانه‌ها",
            ("نوع درخواست", *(k.plural_label for k in OFFICE_KINDS), TOTAL),
            [
                *(
                    (
                        a,
                        *(issued[o.value][a.value] for o in OFFICE_KINDS),
                        sum(issued[o.value][a.value] for o in OFFICE_KINDS),
                    )
                    for a in ApplicationKind
                ),
                (
                    TOTAL,
                    *(sum(issued[o.value].values()) for o in OFFICE_KINDS),
                    sum(sum(v.values()) for v in issued.values()),
                ),
            ],
        ),
        Sheet(
            "بازدید بر حسب نوع محل",
            ("نوع محل", "تعداد بازدید"),
            [*((k, visits["by_site_kind"][k.value]) for k in SiteKind), (TOTAL, visits["total"])],
        ),
        Sheet(
            "بازدید بر حسب هدف",
            ("هدف بازدید", "تعداد بازدید"),
            [*((p, visits["by_purpose"][p.value]) for p in VisitPurpose), (TOTAL, visits["total"])],
        ),
        Sheet("بازدید ماهانه", ("ماه", "تعداد بازدید"), [(m["label"], m["count"]) for m in months]),
        Sheet(
            "کارگروه",
            ("عنوان", "تعداد"),
            [
                ("جلسات کارگروه", report["working_group_sessions"]),
                *(
                    (f"تصمیم: {ApplicationState(d).label}", n)
                    for d, n in report["working_group_decisions"].items()
                ),
            ],
        ),
        Sheet(
            "کمیته تخلفات",
            ("عنوان", "تعداد"),
            [
                ("جلسات کمیته تخلفات", report["committee_sessions"]),
                ("پرونده‌های تشکیل‌شده", report["cases_opened"]),
            ],
        ),
        Sheet(
            "تخلفات",
            ("کد", "نوع تخلف", "تعداد پرونده"),
            [(code, titles.get(code, ""), n) for code, n in report["cases_by_violation"].items()],
        ),
        Sheet(
            "آرا",
            ("مجازات", "تعداد رأی"),
            [
                *((PenaltyKind(p), n) for p, n in report["rulings_by_penalty"].items()),
                (TOTAL, sum(report["rulings_by_penalty"].values())),
            ],
        ),
        Sheet(
            "شهرستان‌ها",
            (
                "شهرستان",
                *(f"{k.plural_label} فعال" for k in SiteKind),
                "پروانه‌های صادرشده",
                "بازدیدها",
                "پرونده‌های تخلف",
            ),
            [
                (
                    row["county"],
                    *(row["sites_active"][k.value] for k in SiteKind),
                    row["licences_issued"],
                    row["visits"],
                    row["cases"],
                )
                for row in report["per_county"]
            ],
        ),
    ]
