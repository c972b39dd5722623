"""Committee demo data on top of the registry and licensing demos.

The five committee members are the demo users with the committee_member role (each represents
their User.organisation, the bodies seed 004 names), plus an alternate for the governorate's
member. The three sessions of 1401 that seed 004 reports (by 25 Shahrivar) are held through the
operations, with their cases, defences, votes, a recusal, rulings (a warning, a notice, fines, a
suspension, an acquittal), service, an appeal and payment; then today's complaints: one waiting
for the office's defence and one ready for the next session. Everything goes through
committees.operations, so the audit log and the licence history tell the same story.
"""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime
from sqlalchemy import select

from accounts.models import User
from committees import operations as ops
from committees.models import CaseSource, CommitteeMember, ViolationType
from core.calendar import deadline_from
from core.clock import today_tehran
from core.extensions import db
from core.security import Role
from licensing import operations as licensing_ops
from licensing.models import Licence, LicenceStatus
from registry.models import Site, SiteKind, SiteStatus

TITLES = {
    "سازمان تنظیم مقررات": "کارشناس نظارت منطقه جنوب غرب",
    "استانداری": "مدیرکل فناوری اطلاعات و شبکه دولت",
    "سازمان مدیریت": "معاون توسعه مدیریت",
    "انجمن صنفی": "رئیس انجمن",
    "اداره کل ارتباطات": "معاون فناوری اطلاعات و رئیس کمیته",
}
ALTERNATE = ("فرشته بهاروند", "معاون مدیرکل فناوری اطلاعات", "استانداری")
PLACE = "سالن جلسات اداره کل ارتباطات و فناوری اطلاعات استان لرستان"
BASIS = "اصول حاکم بر صدور پروانه، مصوبه ۲ جلسه ۳۱۷ کمیسیون تنظیم مقررات ارتباطات، پیوست ۲"


def _j(year: int, month: int, day: int) -> date:
    return jdatetime.date(year, month, day).togregorian()


def _title(organisation: str | None) -> str | None:
    return next((t for key, t in TITLES.items() if key in (organisation or "")), None)


def _members() -> list[CommitteeMember]:
    users = db.session.scalars(select(User).where(User.role == Role.COMMITTEE_MEMBER).order_by(User.id)).all()
    members = [
        ops.save_member(
            None,
            {
                "full_name": u.full_name,
                "organisation": u.organisation,
                "title": _title(u.organisation),
                "user_id": u.id,
            },
            actor=None,
        )
        for u in users
    ]
    principal = next((m for m in members if ALTERNATE[2] in m.organisation), None)
    if principal is not None:
        members.append(
            ops.save_member(
                None,
                {"full_name": ALTERNATE[0], "title": ALTERNATE[1], "alternate_for_id": principal.id},
                actor=None,
            )
        )
    return members


def _offices(count: int) -> list[Site]:
    """Counter offices with a licence in force since before 1400 (the demo's older offices)."""
    licensed = db.session.scalars(
        select(Site)
        .join(Licence, Licence.site_id == Site.id)
        .where(
            Site.kind == SiteKind.COUNTER_OFFICE,
            Site.status == SiteStatus.ACTIVE,
            Licence.status == LicenceStatus.ACTIVE,
            Licence.issued_on < _j(1400, 1, 1),
        )
        .order_by(Site.code)
    ).all()
    return list(dict.fromkeys(licensed))[:count]


def _ready_case(
    site: Site,
    codes: list[str],
    *,
    hearing: date,
    summary: str,
    source: CaseSource = CaseSource.COMPLAINT,
    complainant: str | None = None,
    defence: str | None = "متصدی دفتر توضیحات کتبی خود را ارائه کرد.",
) -> object:
    types = {t.code: t.id for t in db.session.scalars(select(ViolationType))}
    opened = hearing - timedelta(days=40)
    case = ops.open_case(
        site,
        source=source,
        summary=summary,
        offence_on=opened - timedelta(days=4),
        opened_on=opened,
        violation_type_ids=[types[c] for c in codes],
        complainant=complainant,
        actor=None,
    )
    ops.request_defence(case, requested_on=opened + timedelta(days=1), actor=None)
    if defence:
        ops.record_defence(case, text=defence, received_on=opened + timedelta(days=8), actor=None)
    ops.mark_ready(case, actor=None, today=opened + timedelta(days=20))
    return case


def _hear(session, case, members, votes, ruling: dict, *, recused=None):
    ops.add_to_agenda(session, case, actor=None)
    if recused is not None:
        ops.declare_recusal(session, case, recused[0], recused[1], actor=None)
    for member, choice in zip(members, votes, strict=True):
        if choice and not ops.is_recused(session, case, member):
            ops.record_vote(session, case, member, choice, actor=None)
    return ops.record_ruling(case, session, {"legal_basis": BASIS, **ruling}, actor=None)


def _sessions_1401(members: list[CommitteeMember], offices: list[Site]) -> list:
    principals = [m for m in members if not m.alternate_for_id]
    alternate = next((m for m in members if m.alternate_for_id), None)
    stand_in = [alternate if alternate and m.id == alternate.alternate_for_id else m for m in principals]
    guild = next((m for m in principals if "انجمن" in m.organisation), principals[-1])
    rulings = []
    plan = [
        (
            _j(1401, 3, 10),
            principals,
            [
                (
                    offices[0],
                    ["V01"],
                    "شاکی گفت برای ثبت‌نام سامانه یارانه ۵۰۰ هزار ریال بیش از تعرفه گرفته‌اند.",
                    "حسین رضایی",
                    {"penalty": "written_warning"},
                    None,
                ),
                (
                    offices[1],
                    ["V07"],
                    "تابلوی تعرفه خدمات در دید مراجعان نبود.",
                    None,
                    {"penalty": "filed_notice"},
                    None,
                ),
            ],
        ),
        (
            _j(1401, 4, 21),
            stand_in,
            [
                (
                    offices[2],
                    ["V02"],
                    "دفتر در ساعت ۱۰ صبح روز کاری بسته بود.",
                    "مریم کاظمی",
                    {"penalty": "suspension", "suspension_days": 7},
                    None,
                ),
                (
                    offices[3],
                    ["V05"],
                    "رعایت نکردن فاصله و تهویه در دوران همه‌گیری.",
                    None,
                    {"penalty": "fine", "fine_amount": 5_000_000},
                    None,
                ),
            ],
        ),
        (
            _j(1401, 6, 8),
            principals,
            [
                (
                    offices[4],
                    ["V01", "V07"],
                    "دریافت وجه اضافه و نصب نکردن تابلوی تعرفه.",
                    "علی محمدی",
                    {"penalty": "fine", "fine_amount": 20_000_000},
                    None,
                ),
                (
                    offices[5],
                    ["V04"],
                    "به‌کارگیری کارمند بدون گواهی آموزش.",
                    None,
                    {"penalty": "acquittal"},
                    (guild, "متصدی دفتر عضو هیئت‌مدیره انجمن صنفی است."),
                ),
            ],
        ),
    ]
    for held_on, present, hearings in plan:
        session = ops.schedule_session(held_on, place=PLACE, actor=None)
        ops.set_attendance(session, [m.id for m in present], actor=None)
        for n, (site, codes, summary, complainant, ruling, recused) in enumerate(hearings):
            case = _ready_case(
                site,
                codes,
                hearing=held_on,
                summary=summary,
                source=CaseSource.COMPLAINT if complainant else CaseSource.MANUAL,
                complainant=complainant,
                defence=None if n == 1 and not recused else "متصدی دفتر توضیحات کتبی خود را ارائه کرد.",
            )
            found = [] if ruling["penalty"] == "acquittal" else codes
            votes = ["for"] * (len(present) - 1) + ["against" if n else "for"]
            reasoning = (
                "با توجه به گزارش، دفاعیه و سوابق دفتر، تخلف احراز شد."
                if found
                else "مدارک ارائه‌شده نشان داد کارمند گواهی آموزش داشته است؛ تخلف احراز نشد."
            )
            rulings.append(
                _hear(
                    session,
                    case,
                    present,
                    votes,
                    {**ruling, "violations_found": found, "reasoning": reasoning},
                    recused=recused,
                )
            )
        ops.close_session(session, actor=None)
    return rulings


def _serve_1401(rulings: list) -> None:
    for ruling in rulings:
        served = ruling.ruled_on + timedelta(days=7)
        ops.serve_ruling(ruling, served, actor=None)
        if ruling.fine_amount:
            ops.mark_fine_paid(ruling, served + timedelta(days=12), actor=None)
    appealed = next(r for r in rulings if r.penalty.value == "suspension")
    appeal = ops.file_appeal(
        appealed,
        filed_on=appealed.served_on + timedelta(days=3),
        grounds="متصدی برای درمان فرزندش دفتر را بسته بود.",
        actor=None,
    )
    ops.decide_appeal(
        appeal,
        outcome="confirmed",
        decided_on=appeal.filed_on + timedelta(days=10),
        reasoning="جانشین متصدی می‌توانست دفتر را باز نگه دارد؛ اعتراض وارد نیست.",
        actor=None,
    )


def _today(members: list[CommitteeMember], offices: list[Site], today: date) -> int:
    types = {t.code: t.id for t in db.session.scalars(select(ViolationType))}
    waiting = ops.open_case(
        offices[6],
        source=CaseSource.COMPLAINT,
        complainant="زهرا احمدی",
        summary="شاکی گفت متصدی از دادن رسید خودداری کرد و بیش از تعرفه گرفت.",
        offence_on=today - timedelta(days=9),
        opened_on=today - timedelta(days=6),
        violation_type_ids=[types["V01"]],
        actor=None,
    )
    ops.request_defence(waiting, requested_on=today - timedelta(days=5), actor=None)
    ready = ops.open_case(
        offices[1],
        source=CaseSource.COMPLAINT,
        complainant="رضا مرادی",
        summary="تابلوی تعرفه خدمات همچنان نصب نشده است.",
        offence_on=today - timedelta(days=30),
        opened_on=today - timedelta(days=28),
        violation_type_ids=[types["V07"]],
        actor=None,
    )
    ops.request_defence(ready, requested_on=today - timedelta(days=27), actor=None)
    ops.record_defence(
        ready,
        text="تابلو سفارش داده شده و تا پایان ماه نصب می‌شود.",
        received_on=today - timedelta(days=20),
        actor=None,
    )
    ops.mark_ready(ready, actor=None, today=today)
    # The next session leaves the summons its notice period (working days) and a few days more.
    held_on = deadline_from(today, "committee.summons_notice_days") + timedelta(days=3)
    upcoming = ops.schedule_session(held_on, place=PLACE, actor=None)
    ops.add_to_agenda(upcoming, ready, actor=None)
    return 2


def seed_committee_demo() -> str:
    """Members, the three 1401 sessions with their rulings and today's cases; flush, never
    commit."""
    members = _members()
    offices = _offices(7)
    if len(offices) < 7 or len(members) < 5:
        return "committee demo: members only (the demo needs the registry and licensing demos)"
    today = today_tehran()
    rulings = _sessions_1401(members, offices)
    _serve_1401(rulings)
    # What the daily jobs would have done since: lift the 1401 suspension, make rulings final.
    licensing_ops.lift_ended_suspensions(today)
    ops.finalise_rulings(today)
    opened = _today(members, offices, today)
    db.session.flush()
    return (
        f"committee demo: {len(members)} members, 3 sessions in 1401 with {len(rulings)} "
        f"rulings, {opened} open cases and a session scheduled"
    )
