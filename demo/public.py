"""The demo's public face: the service catalogue, offices' hours and services, and a few citizens'
complaints in different states on the complaint desk."""

from __future__ import annotations

from datetime import timedelta

from core.clock import today_tehran
from core.extensions import db
from public import operations as ops
from registry.models import Site

SERVICES = (
    "خدمات ثبت احوال",
    "خدمات قوه قضاییه (ثنا)",
    "خدمات خودرو و گواهینامه",
    "ثبت‌نام یارانه و سهام عدالت",
    "خدمات سازمان امور مالیاتی",
    "خدمات پستی",
)
HOURS = ("شنبه تا چهارشنبه ۸ تا ۱۶، پنجشنبه ۸ تا ۱۲", "شنبه تا پنجشنبه ۸ تا ۱۳ و ۱۶ تا ۱۹")
COMPLAINTS = (
    ("بیش از تعرفه مصوب پول گرفتند و رسید ندادند.", "رضا احمدی", "09161112233"),
    ("دفتر در ساعت اداری بسته بود و تابلوی ساعت کار نداشت.", None, None),
    ("کارمند دفتر با مراجعان سالمند رفتار نامناسبی داشت.", "زهرا کریمی", None),
)


def seed_public_demo() -> str:
    """Services for the licensed offices and three complaints; flush, never commit."""
    services = [ops.add_service_type(name, actor=None) for name in SERVICES]
    offices = db.session.scalars(ops.licensed_offices().order_by(Site.id)).all()
    for n, site in enumerate(offices):
        chosen = [s.id for i, s in enumerate(services) if (n + i) % 3 != 0]
        ops.set_office_profile(site, hours=HOURS[n % 2], service_ids=chosen, actor=None)
    today = today_tehran()
    filed = []
    for n, (text, name, mobile) in enumerate(COMPLAINTS):
        if n >= len(offices):
            break
        filed.append(
            ops.file_complaint(
                office_code=offices[n * 7].code if n * 7 < len(offices) else offices[n].code,
                happened_on=today - timedelta(days=3 + n),
                description=text,
                complainant_name=name,
                complainant_mobile=mobile,
                client_address=f"demo-{n}",
            )
        )
    if len(filed) >= 2:
        ops.ask_office(filed[1], actor=None)
    db.session.flush()
    return f"public demo: {len(services)} services, hours for {len(offices)} offices, {len(filed)} complaints"
