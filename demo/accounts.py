"""The demo's accounts: one or more per role, the five committee members from the bodies seed 004
names."""

from __future__ import annotations

from accounts.operations import create_user
from core.security import Role

DIRECTORATE = "اداره کل ارتباطات و فناوری اطلاعات استان"

DEMO_ACCOUNTS: tuple[tuple[str, Role, str, str | None], ...] = (
    ("admin", Role.ADMIN, "سامان بیرانوند", None),
    ("licensing", Role.LICENSING, "مریم سپهوند", DIRECTORATE),
    ("inspector1", Role.INSPECTOR, "علیرضا حسنوند", DIRECTORATE),
    ("inspector2", Role.INSPECTOR, "فاطمه دالوند", DIRECTORATE),
    ("secretary", Role.COMMITTEE_SECRETARY, "رضا کرمی", DIRECTORATE),
    (
        "member1",
        Role.COMMITTEE_MEMBER,
        "حمید ملکی",
        "اداره کل ارتباطات و فناوری اطلاعات منطقه جنوب غرب (سازمان تنظیم مقررات)",
    ),
    ("member2", Role.COMMITTEE_MEMBER, "نسرین امیری", "استانداری لرستان"),
    ("member3", Role.COMMITTEE_MEMBER, "محمود طولابی", "سازمان مدیریت و برنامه‌ریزی استان"),
    ("member4", Role.COMMITTEE_MEMBER, "اکبر قائدی", "انجمن صنفی دفاتر پیشخوان و ICT روستایی"),
    ("member5", Role.COMMITTEE_MEMBER, "زهرا پاپی", DIRECTORATE),
    ("manager", Role.VIEWER, "محسن رشنو", DIRECTORATE),
)


def seed_accounts(password: str) -> None:
    """Create the demo's accounts, all with the same password; flush, never commit."""
    for username, role, full_name, organisation in DEMO_ACCOUNTS:
        create_user(username, full_name=full_name, role=role, password=password, organisation=organisation)
