"""The licence import screen: upload, dry run, line-numbered errors, template; only licensing and admin."""

import io

import pytest

from core.security import Role
from licensing.models import Licence
from tests import factories
from tests.history.test_licence_import import NOW, _rows, _write


def test_the_screen_loads_the_good_rows_and_names_the_bad_lines(client, login_as, db, frozen_at, tmp_path):
    frozen_at(NOW)
    for code in ("S1", "S2", "S3", "S4", "S5"):
        factories.make_site(code=code)
    db.session.commit()
    login_as(Role.LICENSING)
    data = _write(tmp_path / "l.csv", _rows()).read_bytes()
    dry = client.post(
        "/licences/import",
        data={"file": (io.BytesIO(data), "l.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    assert "اجرای آزمایشی بود" in dry.get_data(as_text=True) and db.session.query(Licence).count() == 0
    page = client.post(
        "/licences/import", data={"file": (io.BytesIO(data), "l.csv")}, content_type="multipart/form-data"
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and db.session.query(Licence).count() == 4
    assert "<td>۶</td><td>کد ملی دارنده: «123» کد ملی ده‌رقمی نیست.</td>" in text
    assert "<td>۷</td><td>کد محل: محلی با کد «NOPE» در دفتر ثبت نیست" in text
    assert "<strong>۶</strong> از ۶" in text
    wrong = client.post(
        "/licences/import", data={"file": (io.BytesIO(b"x"), "l.pdf")}, content_type="multipart/form-data"
    )
    assert "فقط فایل‌های CSV و اکسل (xlsx) پذیرفته می‌شوند." in wrong.get_data(as_text=True)
    template = client.get("/licences/import/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.VIEWER])
def test_other_roles_may_not_import(client, login_as, db, role):
    login_as(role)
    assert client.get("/licences/import").status_code == 403
    assert client.post("/licences/import").status_code == 403
