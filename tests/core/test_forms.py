from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from core.forms import (
    BaseForm,
    CoordinateField,
    JalaliDateField,
    LocalIntegerField,
    MobileField,
    NationalIdField,
    valid_national_id,
)

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock


class SampleForm(BaseForm):
    when = JalaliDateField("تاریخ")
    nid = NationalIdField()
    mobile = MobileField("همراه")
    count = LocalIntegerField("تعداد")
    lat = CoordinateField("عرض", axis="lat")


def _form(app, **data):
    with app.test_request_context(method="POST", data=data):
        form = SampleForm(formdata=MultiDict(data))
        form.validate()
        return form


@pytest.mark.parametrize(
    "code, ok",
    [
        ("0499370899", True),
        ("۰۴۹۹۳۷۰۸۹۹", True),
        ("٠٤٩٩٣٧٠٨٩٩", True),
        ("0499370898", False),
        ("1111111111", False),
        ("049937089", False),
        ("abcdefghij", False),
    ],
)
def test_national_id_checksum(code, ok):
    assert valid_national_id(code) is ok


def test_fields_accept_persian_arabic_and_latin_digits(app):
    form = _form(
        app,
        when="۱۴۰۱/۰۶/۲۵",
        nid="٠٤٩٩٣٧٠٨٩٩",
        mobile="+98 912 345 6789",
        count="۱۲",
        lat="۳۳٫۴۸۷",
    )
    assert form.errors == {}
    assert form.when.data == date(2022, 9, 16)
    assert form.nid.data == "0499370899"
    assert form.mobile.data == "09123456789"
    assert form.count.data == 12
    assert float(form.lat.data) == pytest.approx(33.487)


def test_fields_refuse_in_persian(app):
    form = _form(app, when="1401/12/31", nid="0499370898", mobile="0912", count="دوازده", lat="55")
    assert "اسفند" in form.when.errors[0]
    assert form.nid.errors == ["کد ملی معتبر نیست (رقم کنترل نادرست است)."]
    assert "۰۹" in form.mobile.errors[0]
    assert form.count.errors == ["یک عدد درست نیست."]
    assert "محدوده ایران" in form.lat.errors[0]


def test_date_field_redisplays_what_was_typed_and_formats_stored_dates(app):
    form = _form(app, when="1401/13/01")
    assert form.when._value() == "1401/13/01"
    with app.test_request_context():
        form = SampleForm(formdata=None, when=date(2022, 9, 16))
        assert form.when._value() == "۱۴۰۱/۰۶/۲۵"
