"""The committee's screens through HTTP: who may open what, each form's bad input answered in
Persian (never a 500), and a session driven from the secretary's screens."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from committees import operations as ops
from committees.models import (
    Case,
    CaseState,
    CommitteeMember,
    CommitteeSession,
    PenaltyKind,
    Ruling,
    RulingState,
    ViolationType,
    Vote,
)
from core.clock import today_tehran
from core.persian import format_jalali
from core.security import Role, route_policy
from licensing.models import LicenceStatus
from tests import factories
from tests.conftest import DEFAULT_PASSWORD
from tests.core.test_policy import _url

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

ARABIC = "دفتر پيشخوان كوثر"  # Arabic ي and ك


def _committee_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("committees.")]


def _text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- permissions


def test_every_committee_route_has_a_policy(app):
    rules = _committee_rules(app)
    assert len(rules) > 25
    assert [r.endpoint for r in rules if route_policy(app, r.endpoint) is None] == []


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_only_its_committee_routes(app, db, role):
    user = factories.make_user(role=role)
    db.session.commit()
    client = app.test_client()
    assert (
        client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )
    reached = set()
    for rule in _committee_rules(app):
        allowed = role in route_policy(app, rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(_url(rule), method=method).status_code
            assert (status != 403) == allowed, (role, rule.rule, method, status)
            assert status < 500
            if allowed:
                reached.add(rule.endpoint)
    expected = {
        Role.ADMIN: {"committees.violation_list", "committees.case_new", "committees.member_list"},
        Role.COMMITTEE_SECRETARY: {
            "committees.case_new",
            "committees.session_new",
            "committees.hearing_ruling",
        },
        Role.COMMITTEE_MEMBER: {
            "committees.case_list",
            "committees.session_detail",
            "committees.hearing_own_vote",
        },
        Role.VIEWER: {"committees.case_list", "committees.session_list"},
        Role.LICENSING: {"committees.case_list", "committees.case_detail"},
        Role.INSPECTOR: set(),
    }[role]
    assert expected <= reached
    if role == Role.LICENSING:
        assert not any(e.startswith("committees.session") for e in reached)
        assert "committees.case_new" not in reached
    if role in (Role.VIEWER, Role.COMMITTEE_MEMBER):
        assert not reached & {
            "committees.case_new",
            "committees.hearing_votes",
            "committees.violation_list",
            "committees.ruling_serve",
        }


def test_anonymous_visitors_go_to_login(app, client):
    for rule in _committee_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_url(rule), method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_read_only_roles_see_no_action_buttons(client, login_as, db):
    ruling = factories.make_ruling()
    db.session.commit()
    login_as(Role.VIEWER)
    page = _text(client.get(f"/committees/cases/{ruling.case.id}"))
    assert "پرونده تخلف" in page and "درخواست دفاعیه از دفتر" not in page
    page = _text(client.get(f"/committees/rulings/{ruling.id}"))
    assert "ثبت ابلاغ" not in page
    page = _text(client.get(f"/committees/sessions/{ruling.session.id}"))
    assert "بستن جلسه" not in page and "ثبت حاضران" not in page


# ---------------------------------------------------------------- the catalogue


def _type_form(**overrides):
    data = {
        "code": "V11",
        "title": "نصب نکردن پروانه در دید مراجعان",
        "severity": "low",
        "lookback_days": "۱۸۰",
        "legal_basis": "پیوست ۲",
        "active": "y",
        "description": "",
        "steps-0-penalty": "written_warning",
        "steps-1-penalty": "fine",
        "steps-1-amount": "۵٬۰۰۰٬۰۰۰",
        "steps-2-penalty": "suspension",
        "steps-2-days": "7",
    }
    data.update(overrides)
    return data


def test_admin_adds_and_edits_a_violation_type(client, login_as, db):
    login_as(Role.ADMIN)
    response = client.post("/committees/violations/new", data=_type_form())
    assert response.status_code == 302, _text(response)
    created = db.session.scalar(select(ViolationType).where(ViolationType.code == "V11"))
    assert created.lookback_days == 180
    assert created.ladder == [
        {"penalty": "written_warning"},
        {"penalty": "fine", "amount": 5_000_000},
        {"penalty": "suspension", "days": 7},
    ]
    listing = _text(client.get("/committees/violations"))
    assert "جریمه نقدی ۵٬۰۰۰٬۰۰۰ ریال" in listing and "تعلیق پروانه به مدت ۷ روز" in listing
    page = _text(client.get(f"/committees/violations/{created.id}"))
    assert 'value="۵٬۰۰۰٬۰۰۰"' in page and 'value="۷"' in page and 'value="۱۸۰"' in page
    response = client.post(
        f"/committees/violations/{created.id}",
        data=_type_form(code="ZZZ", title="نصب نكردن پروانه", **{"steps-1-penalty": "", "active": ""}),
    )
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    assert created.code == "V11" and created.title == "نصب نکردن پروانه" and not created.active
    assert created.ladder == [{"penalty": "written_warning"}, {"penalty": "suspension", "days": 7}]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "این فیلد اجباری است."),
        ({"title": "ن" * 201}, "این فیلد حداکثر ۲۰۰ نویسه است."),
        ({"code": "ت۱"}, "حروف لاتین"),
        ({"code": "V01"}, "پیش‌تر ثبت شده"),
        ({"lookback_days": "سیصد"}, "یک عدد درست نیست."),
        ({"lookback_days": "0"}, "دوره بازنگری باید از ۱ تا"),
        ({"steps-0-penalty": "", "steps-1-penalty": "", "steps-2-penalty": ""}, "دست‌کم یک پله"),
        ({"steps-2-days": ""}, "روزهای تعلیق"),
        ({"steps-1-amount": "پنج"}, "یک عدد درست نیست."),
        ({"steps-0-penalty": "revocation"}, "لغو پروانه باید آخرین پله باشد."),
        ({"steps-0-penalty": "acquittal"}, "انتخاب درستی نیست"),
        ({"severity": "x"}, "انتخاب درستی نیست"),
    ],
)
def test_bad_violation_type_answers_in_persian(client, login_as, db, overrides, message):
    login_as(Role.ADMIN)
    response = client.post("/committees/violations/new", data=_type_form(**overrides))
    assert response.status_code == 200
    assert message in _text(response)
    assert db.session.scalar(select(ViolationType).where(ViolationType.code == "V11")) is None


# ---------------------------------------------------------------- cases


def _case_form(site, **overrides):
    v02, v07 = factories.violation_type("V02"), factories.violation_type("V07")
    data = {
        "office_code": site.code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
        "source": "complaint",
        "violation_type_ids": [str(v02.id), str(v07.id)],
        "offence_on": "۱۴۰۱/۰۶/۱۰",
        "opened_on": "1401/06/15",
        "complainant": "علي كريمي",
        "summary": "شاکی گفت دفتر ساعت ۱۰ بسته بود.",
    }
    data.update(overrides)
    return data


def test_secretary_opens_a_case_from_a_complaint(client, login_as, db):
    login_as(Role.COMMITTEE_SECRETARY)
    licence = factories.make_licence()
    db.session.commit()
    response = client.post("/committees/cases/new", data=_case_form(licence.site))
    assert response.status_code == 302, _text(response)
    case = db.session.scalar(select(Case))
    assert case.offence_on == date(2022, 9, 1) and case.opened_on == date(2022, 9, 6)
    assert case.complainant == "علی کریمی" and case.licence == licence
    assert [v.violation_type.code for v in case.violations] == ["V02", "V07"]
    page = _text(client.get(response.headers["Location"]))
    assert "تذکر کتبی" in page and "بار ۱" in page and "پیشنهادِ پلکان" in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"office_code": ""}, "این فیلد اجباری است."),
        ({"office_code": "99999999"}, "دفتری با این کد یافت نشد."),
        ({"office_code": "۱" * 21}, "این فیلد حداکثر ۲۰ نویسه است."),
        ({"violation_type_ids": []}, "دست‌کم یک تخلف را انتخاب کنید."),
        ({"violation_type_ids": ["999"]}, "گزینه انتخاب‌شده در فهرست نیست."),
        ({"violation_type_ids": ["abc"]}, "انتخاب"),
        ({"offence_on": ""}, "این فیلد اجباری است."),
        ({"offence_on": "1401/13/01"}, "ماه باید عددی از ۱ تا ۱۲ باشد."),
        ({"offence_on": "۱۴۰۱/۱۲/۳۰"}, "کبیسه نیست"),
        ({"offence_on": "2022-09-01"}, "سال باید بین ۱۳۰۰ و ۱۵۰۰ باشد."),
        ({"offence_on": "دیروز"}, "تاریخ را به شکل سال/ماه/روز وارد کنید"),
        ({"offence_on": "1401/06/20"}, "پس از تاریخ تشکیل پرونده"),
        ({"complainant": ""}, "نام شاکی را وارد کنید."),
        ({"complainant": "ك" * 201}, "این فیلد حداکثر ۲۰۰ نویسه است."),
        ({"summary": "  "}, "این فیلد اجباری است."),
        ({"summary": "ی" * 2001}, "این فیلد حداکثر ۲٬۰۰۰ نویسه است."),
        ({"source": "inspection"}, "انتخاب درستی نیست"),
    ],
)
def test_bad_case_form_answers_in_persian(client, login_as, db, overrides, message):
    login_as(Role.COMMITTEE_SECRETARY)
    site = factories.make_site()
    db.session.commit()
    response = client.post("/committees/cases/new", data=_case_form(site, **overrides))
    assert response.status_code == 200
    assert message in _text(response)
    assert db.session.scalar(select(Case)) is None


def test_an_atm_is_refused_with_the_reason(client, login_as, db):
    login_as(Role.COMMITTEE_SECRETARY)
    atm = factories.make_site(kind=factories.SiteKind.ATM)
    db.session.commit()
    response = client.post("/committees/cases/new", data=_case_form(atm))
    assert response.status_code == 200 and "دفتر میزبان" in _text(response)


def test_case_list_filters_and_searches_in_persian(client, login_as, db):
    login_as(Role.VIEWER)
    county = factories.make_county("بروجرد")
    kowsar = factories.make_site(name="دفتر پیشخوان کوثر", county=county)
    other = factories.make_site(name="دفتر پیشخوان امید")
    first = factories.make_case(kowsar, source="complaint", complainant="شاکی")
    second = factories.make_case(other)
    ops.request_defence(second, requested_on=second.opened_on, actor=None)
    db.session.commit()
    page = _text(client.get("/committees/cases", query_string={"q": ARABIC}))
    assert "کوثر" in page and "امید" not in page
    assert first.number.replace("1", "۱").replace("4", "۴").replace("0", "۰") in page
    page = _text(client.get("/committees/cases", query_string={"q": "۱۴۰۱"}))
    assert "کوثر" in page and "امید" in page
    page = _text(client.get("/committees/cases", query_string={"state": "awaiting_defence"}))
    assert "امید" in page and "کوثر" not in page
    page = _text(client.get("/committees/cases", query_string={"source": "complaint"}))
    assert "کوثر" in page and "امید" not in page
    page = _text(client.get("/committees/cases", query_string={"county": county.id}))
    assert "کوثر" in page and "امید" not in page
    assert client.get("/committees/cases?state=bogus&county=x&page=-1").status_code == 200


def test_case_steps_from_the_case_page(client, login_as, db):
    login_as(Role.COMMITTEE_SECRETARY)
    case = factories.make_case()
    db.session.commit()
    url = f"/committees/cases/{case.id}"
    response = client.post(f"{url}/defence-request", data={"requested_on": "۱۴۰۱/۱۳/۰۱"})
    assert response.status_code == 200 and "ماه باید عددی از ۱ تا ۱۲ باشد." in _text(response)
    response = client.post(f"{url}/defence-request", data={"requested_on": "1401/06/01"})
    assert response.status_code == 200 and "پیش از تشکیل پرونده" in _text(response)
    today = format_jalali(today_tehran())
    assert client.post(f"{url}/defence-request", data={"requested_on": today}).status_code == 302
    response = client.post(f"{url}/ready")
    assert response.status_code == 200 and "مهلت آن تا" in _text(response)
    response = client.post(f"{url}/defence", data={"defence_on": "", "defence_text": "متن"})
    assert response.status_code == 200 and "این فیلد اجباری است." in _text(response)
    response = client.post(f"{url}/defence", data={"defence_on": today, "defence_text": "ی" * 4001})
    assert response.status_code == 200 and "حداکثر ۴٬۰۰۰ نویسه" in _text(response)
    response = client.post(
        f"{url}/defence", data={"defence_on": "1401/06/20", "defence_text": "متصدی بیمار بود"}
    )
    assert response.status_code == 200 and "پیش از درخواست آن" in _text(response)
    response = client.post(f"{url}/defence", data={"defence_on": today, "defence_text": "متصدی بیمار بود"})
    assert response.status_code == 302
    assert client.post(f"{url}/ready").status_code == 302
    db.session.expire_all()
    assert case.state == CaseState.READY and case.defence_on == today_tehran()
    response = client.post(f"{url}/close", data={"reason": ""})
    assert response.status_code == 200 and "این فیلد اجباری است." in _text(response)
    # Evidence: a file checked by its content, with a size limit.
    response = client.post(
        f"{url}/evidence",
        data={"description": "نامه شاکی", "file": (io.BytesIO(b"MZ\x90 not a pdf"), "letter.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "فقط فایل PDF، JPEG یا PNG" in _text(response)
    response = client.post(
        f"{url}/evidence", data={"description": "نامه"}, content_type="multipart/form-data"
    )
    assert response.status_code == 200 and "فایل را انتخاب کنید." in _text(response)
    response = client.post(
        f"{url}/evidence",
        data={"description": "نامه شاکی", "file": (io.BytesIO(factories.pdf_bytes()), "نامه.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    evidence = case.evidence[-1]
    with client.get(f"/committees/evidence/{evidence.id}") as download:
        assert download.status_code == 200 and download.data.startswith(b"%PDF")


# ---------------------------------------------------------------- members


def test_members_are_managed_with_persian_messages(client, login_as, db):
    login_as(Role.COMMITTEE_SECRETARY)
    member_user = factories.make_user(Role.COMMITTEE_MEMBER, full_name="نسرین امیری")
    db.session.commit()
    data = {
        "full_name": "نسرين اميري",
        "title": "مدیرکل",
        "organisation": "استانداری لرستان",
        "alternate_for_id": "0",
        "user_id": str(member_user.id),
        "active": "y",
    }
    assert client.post("/committees/members", data=data).status_code == 302
    principal = db.session.scalar(select(CommitteeMember))
    assert principal.full_name == "نسرین امیری" and principal.user_id == member_user.id
    bad = [
        ({"full_name": ""}, "این فیلد اجباری است."),
        ({"full_name": "ن" * 151}, "این فیلد حداکثر ۱۵۰ نویسه است."),
        ({"organisation": ""}, "سازمانی را که عضو نماینده آن است وارد کنید."),
        ({"user_id": str(member_user.id)}, "پیش‌تر به عضو"),
        (
            {"alternate_for_id": str(principal.id), "organisation": "شهرداری", "user_id": "0"},
            "همان سازمانِ عضو اصلی",
        ),
        ({"alternate_for_id": "12345"}, "انتخاب درستی نیست"),
        ({"user_id": "x"}, "انتخاب"),
    ]
    for change, message in bad:
        response = client.post("/committees/members", data={**data, **change})
        assert response.status_code == 200, change
        assert message in _text(response), change
    response = client.post(
        "/committees/members",
        data={
            **data,
            "full_name": "لیلا میرزایی",
            "organisation": "",
            "user_id": "0",
            "alternate_for_id": str(principal.id),
        },
    )
    assert response.status_code == 302
    alternate = db.session.scalar(
        select(CommitteeMember).where(CommitteeMember.alternate_for_id == principal.id)
    )
    assert alternate.organisation == "استانداری لرستان"
    page = _text(client.get("/committees/members"))
    assert "علی‌البدل نسرین امیری" in page
    response = client.post(
        f"/committees/members/{alternate.id}",
        data={
            "full_name": "لیلا میرزایی",
            "organisation": "",
            "alternate_for_id": str(principal.id),
            "user_id": "0",
            "title": "معاون",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert alternate.title == "معاون" and not alternate.active


# ---------------------------------------------------------------- sessions and hearings


def test_secretary_runs_a_session_from_the_screens(client, login_as, db):
    secretary = login_as(Role.COMMITTEE_SECRETARY)
    licence = factories.make_licence()
    case = factories.make_ready_case(licence.site)
    members = factories.make_committee(5)
    db.session.commit()
    response = client.post("/committees/sessions/new", data={"held_on": "۱۴۰۱/۰۷/۰۲", "place": "اداره کل"})
    assert response.status_code == 302
    session = db.session.scalar(select(CommitteeSession))
    url = f"/committees/sessions/{session.id}"
    assert client.post(f"{url}/agenda", data={"case_id": str(case.id)}).status_code == 302
    # Votes before attendance: refused for want of quorum.
    hearing = f"{url}/cases/{case.id}"
    response = client.post(f"{url}/attendance", data={"member_ids": [str(members[0].id)]})
    assert response.status_code == 302
    response = client.post(f"{hearing}/votes", data={f"vote-{members[0].id}": "for"})
    assert response.status_code == 200 and "حد نصاب برقرار نیست" in _text(response)
    response = client.post(f"{url}/attendance", data={"member_ids": [str(m.id) for m in members[:4]]})
    assert response.status_code == 302
    response = client.post(f"{hearing}/recusal", data={"member_id": str(members[3].id), "reason": ""})
    assert response.status_code == 200 and "این فیلد اجباری است." in _text(response)
    assert (
        client.post(
            f"{hearing}/recusal", data={"member_id": str(members[3].id), "reason": "خویشاوند متصدی"}
        ).status_code
        == 302
    )
    response = client.post(f"{hearing}/votes", data={f"vote-{members[3].id}": "for"})
    assert "رأی هیچ عضوی انتخاب نشده است." in _text(response)  # not offered to the recused
    response = client.post(f"{hearing}/votes", data={f"vote-{members[0].id}": "maybe"})
    assert response.status_code == 200 and "موافق، مخالف یا ممتنع" in _text(response)
    response = client.post(
        f"{hearing}/votes",
        data={
            f"vote-{members[0].id}": "for",
            f"vote-{members[1].id}": "for",
            f"vote-{members[2].id}": "against",
        },
    )
    assert response.status_code == 302
    assert len(db.session.scalars(select(Vote)).all()) == 3
    page = _text(client.get(hearing))
    assert "موافق ۲، مخالف ۱" in page and "بدون رأی ۰" in page
    ruling_form = {
        "penalty": "suspension",
        "violations_found": ["V02"],
        "suspension_days": "۱۰",
        "fine_amount": "",
        "legal_basis": "پیوست ۲ مصوبه ۳۱۷",
        "reasoning": "تخلف احراز شد.",
    }
    for change, message in [
        ({"penalty": "revocation!"}, "انتخاب درستی نیست"),
        ({"violations_found": []}, "تخلف‌های احرازشده را انتخاب کنید."),
        ({"violations_found": ["V09"]}, "گزینه انتخاب‌شده در فهرست نیست."),
        ({"suspension_days": ""}, "روزهای تعلیق را"),
        ({"suspension_days": "ده"}, "یک عدد درست نیست."),
        ({"suspension_days": "0"}, "روزهای تعلیق باید دست‌کم ۱ باشد."),
        ({"reasoning": ""}, "این فیلد اجباری است."),
        ({"legal_basis": "ب" * 2001}, "این فیلد حداکثر ۲٬۰۰۰ نویسه است."),
    ]:
        response = client.post(f"{hearing}/ruling", data={**ruling_form, **change})
        assert response.status_code == 200, change
        assert message in _text(response), change
    # Two of three entitled members for: more than half.
    response = client.post(f"{hearing}/ruling", data=ruling_form)
    assert response.status_code == 302, _text(response)
    ruling = db.session.scalar(select(Ruling))
    assert ruling.penalty == PenaltyKind.SUSPENSION and ruling.suspension_days == 10
    assert client.post(f"{url}/close").status_code == 302
    response = client.post(f"{url}/attendance", data={"member_ids": [str(members[4].id)]})
    assert response.status_code == 200 and "اصلاحیه" in _text(response)
    response = client.post(f"{url}/corrections", data={"text": ""})
    assert response.status_code == 200 and "این فیلد اجباری است." in _text(response)
    assert client.post(f"{url}/corrections", data={"text": "سمت آقای ملکی مدیرکل است."}).status_code == 302
    assert session.corrections[0].recorded_by_id == secretary.id

    # Serving the ruling suspends the licence from that day.
    rurl = f"/committees/rulings/{ruling.id}"
    response = client.post(f"{rurl}/serve", data={"served_on": ""})
    assert response.status_code == 200 and "این فیلد اجباری است." in _text(response)
    response = client.post(f"{rurl}/serve", data={"served_on": "1401/07/01"})
    assert response.status_code == 200 and "پیش از تاریخ صدور" in _text(response)
    assert client.post(f"{rurl}/serve", data={"served_on": "۱۴۰۱/۰۷/۰۵"}).status_code == 302
    db.session.expire_all()
    assert ruling.state == RulingState.SERVED and licence.status == LicenceStatus.SUSPENDED
    assert ruling.suspension_until == date(2022, 10, 6)
    minutes = client.get(f"{url}/minutes.pdf")
    assert minutes.status_code == 200 and minutes.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"held_on": ""}, "این فیلد اجباری است."),
        ({"held_on": "۱۴۰۱/۰۲/۳۲"}, "اردیبهشت ۳۱ روز دارد."),
        ({"held_on": "1401/7"}, "تاریخ را به شکل سال/ماه/روز وارد کنید"),
        ({"held_on": "1401/07/02", "place": "س" * 201}, "این فیلد حداکثر ۲۰۰ نویسه است."),
    ],
)
def test_bad_session_form_answers_in_persian(client, login_as, db, data, message):
    login_as(Role.COMMITTEE_SECRETARY)
    response = client.post("/committees/sessions/new", data=data)
    assert response.status_code == 200 and message in _text(response)
    assert db.session.scalar(select(CommitteeSession)) is None


def test_bad_agenda_and_attendance_answer_in_persian(client, login_as, db):
    login_as(Role.COMMITTEE_SECRETARY)
    members = factories.make_committee(2)
    alternate = factories.make_committee_member("فرشته بهاروند", "", alternate_for_id=members[1].id)
    session = ops.schedule_session(date(2022, 10, 1), place=None, actor=None)
    open_case = factories.make_case()
    db.session.commit()
    url = f"/committees/sessions/{session.id}"
    for data, message in [
        ({}, "پرونده‌ای انتخاب کنید."),
        ({"case_id": str(open_case.id)}, "انتخاب درستی نیست"),
        ({"case_id": "x"}, "انتخاب"),
    ]:
        response = client.post(f"{url}/agenda", data=data)
        assert response.status_code == 200 and message in _text(response), data
    for data, message in [
        ({"member_ids": ["999"]}, "گزینه انتخاب‌شده در فهرست نیست."),
        ({"member_ids": [str(members[1].id), str(alternate.id)]}, "یک کرسی"),
    ]:
        response = client.post(f"{url}/attendance", data=data)
        assert response.status_code == 200 and message in _text(response), data
    response = client.post(f"{url}/close")
    assert response.status_code == 200 and "دستور جلسه خالی است." in _text(response)
    response = client.post(f"{url}/corrections", data={"text": "متن"})
    assert response.status_code == 200 and "جلسه هنوز باز است" in _text(response)


def test_members_cast_their_own_vote(client, login_as, db):
    user = login_as(Role.COMMITTEE_MEMBER)
    members = factories.make_committee(3)
    members[0].user_id = user.id
    case = factories.make_ready_case()
    session = ops.schedule_session(date(2022, 10, 1), place=None, actor=None)
    ops.add_to_agenda(session, case, actor=None)
    ops.set_attendance(session, [m.id for m in members], actor=None)
    db.session.commit()
    hearing = f"/committees/sessions/{session.id}/cases/{case.id}"
    page = _text(client.get(hearing))
    assert "ثبت رأی من" in page and "ثبت آرا" not in page
    response = client.post(f"{hearing}/my-vote", data={"choice": "maybe"})
    assert response.status_code == 200 and "انتخاب درستی نیست" in _text(response)
    assert client.post(f"{hearing}/my-vote", data={"choice": "against"}).status_code == 302
    vote = db.session.scalar(select(Vote))
    assert vote.member_id == members[0].id and vote.choice.value == "against"
    assert client.post(f"{hearing}/votes", data={}).status_code == 403


def test_appeal_screens(client, login_as, db):
    login_as(Role.COMMITTEE_SECRETARY)
    licence = factories.make_licence()
    ruling = factories.make_ruling(
        factories.make_ready_case(licence.site), penalty="suspension", suspension_days=30
    )
    ops.serve_ruling(ruling, date(2022, 10, 1), actor=None)
    db.session.commit()
    rurl = f"/committees/rulings/{ruling.id}"
    response = client.post(f"{rurl}/appeal", data={"filed_on": "1401/08/04", "grounds": "ناروا"})
    assert response.status_code == 200 and "به پایان رسیده است" in _text(response)
    response = client.post(f"{rurl}/appeal", data={"filed_on": "1401/07/10", "grounds": ""})
    assert response.status_code == 200 and "این فیلد اجباری است." in _text(response)
    assert (
        client.post(
            f"{rurl}/appeal", data={"filed_on": "1401/07/10", "grounds": "نخستین تخلف است"}
        ).status_code
        == 302
    )
    appeal = ruling.appeals[0]
    decide = f"/committees/appeals/{appeal.id}/decide"
    base = {
        "outcome": "replaced",
        "decided_on": "1401/07/18",
        "decision_reasoning": "وارد است",
        "penalty": "written_warning",
        "violations_found": ["V02"],
        "legal_basis": "پیوست ۲",
        "reasoning": "نخستین تخلف",
    }
    response = client.post(decide, data={**base, "outcome": ""})
    assert response.status_code == 200 and "نتیجه را انتخاب کنید." in _text(response)
    response = client.post(decide, data={**base, "decided_on": "1401/07/09"})
    assert response.status_code == 200 and "پیش از تاریخ اعتراض" in _text(response)
    response = client.post(decide, data={**base, "reasoning": ""})
    assert response.status_code == 200 and "این فیلد اجباری است." in _text(response)
    response = client.post(decide, data=base)
    assert response.status_code == 302
    db.session.expire_all()
    assert ruling.state == RulingState.REPLACED and licence.status == LicenceStatus.ACTIVE
    new = db.session.scalar(select(Ruling).where(Ruling.replaces_id == ruling.id))
    assert response.headers["Location"].endswith(f"/committees/rulings/{new.id}")
    page = _text(client.get(f"/committees/rulings/{new.id}"))
    assert "تذکر کتبی" in page and "رسیدگی به اعتراض" in page and "قطعی" in page


def test_fine_payment_screen(client, login_as, db):
    login_as(Role.ADMIN)
    ruling = factories.make_ruling(penalty="fine", fine_amount=20_000_000)
    ops.serve_ruling(ruling, date(2022, 10, 1), actor=None)
    db.session.commit()
    rurl = f"/committees/rulings/{ruling.id}"
    page = _text(client.get(rurl))
    assert "جریمه نقدی ۲۰٬۰۰۰٬۰۰۰ ریال" in page and "پرداخت نشده" in page
    response = client.post(f"{rurl}/fine-paid", data={"paid_on": "1401/06/31"})
    assert response.status_code == 200 and "پیش از ابلاغ" in _text(response)
    response = client.post(f"{rurl}/fine-paid", data={"paid_on": "۱۴۰۱/۰۷/۱۰"})
    assert response.status_code == 302
    db.session.expire_all()
    assert ruling.fine_paid_on == date(2022, 10, 2)


def test_dashboard_shows_the_committee_panel_to_those_who_see_cases(client, login_as, db):
    ruling = factories.make_ruling(penalty="fine", fine_amount=1_000_000)
    factories.make_ready_case(codes=("V07",))
    db.session.commit()
    login_as(Role.COMMITTEE_SECRETARY)
    page = _text(client.get("/"))
    assert "کمیته رسیدگی به تخلفات" in page and "آرای ابلاغ‌نشده" in page
    assert f"/committees/sessions/{ruling.session.id}" in page  # its session is still open


def test_inspectors_see_no_committee_panel(client, login_as, db):
    factories.make_ready_case()
    db.session.commit()
    login_as(Role.INSPECTOR)
    page = _text(client.get("/"))
    assert "پیشخوان من" in page and "کمیته رسیدگی به تخلفات" not in page


def test_a_hearing_without_quorum_says_why_voting_is_closed(client, login_as, db):
    login_as(Role.COMMITTEE_SECRETARY)
    case = factories.make_ready_case(factories.make_licence().site)
    members = factories.make_committee(5)
    session = ops.schedule_session(date(2022, 10, 1), place="اداره کل", actor=None)
    ops.add_to_agenda(session, case, actor=None)
    ops.set_attendance(session, [members[0].id], actor=None)
    db.session.commit()
    page = _text(client.get(f"/committees/sessions/{session.id}/cases/{case.id}"))
    assert "رأی‌گیری بسته است." in page and "۱ عضو حاضر است و دست‌کم ۳ عضو لازم است" in page
    assert "ثبت آرا" not in page and "ثبت رأی" not in page
    ops.set_attendance(session, [m.id for m in members[:3]], actor=None)
    db.session.commit()
    page = _text(client.get(f"/committees/sessions/{session.id}/cases/{case.id}"))
    assert "رأی‌گیری بسته است." not in page and "ثبت آرا" in page
