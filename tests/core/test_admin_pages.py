import pytest
from sqlalchemy import select

from config import ProductionConfig
from core.app import create_app
from core.audit import AuditEvent
from core.security import Role
from core.settings import definitions, get_setting


def test_settings_page_lists_every_regulation_with_its_basis(client, login_as):
    login_as(Role.ADMIN)
    body = client.get("/admin/settings").get_data(as_text=True)
    for definition in definitions().values():
        assert definition.label in body
    assert "کمترین اعتبار باقی‌مانده پروانه برای انتقال" in body


def test_admin_changes_a_setting_with_persian_digits_and_it_is_audited(client, login_as, db):
    login_as(Role.ADMIN)
    key = "transfer.min_remaining_validity_months"
    assert get_setting(key) == 6
    response = client.post(f"/admin/settings/{key}", data={"value": "۸"})
    assert response.status_code == 302
    assert get_setting(key) == 8
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "settings")).one()
    assert (event.after["key"], event.after["value"]) == (key, 8)


@pytest.mark.parametrize("value", ["", "abc", "-3", "۱۲٫۵"])
def test_bad_setting_value_is_refused_in_persian(client, login_as, value):
    login_as(Role.ADMIN)
    key = "committee.appeal_days"
    response = client.post(f"/admin/settings/{key}", data={"value": value})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "مقدار" in body and "invalid-feedback" in body
    assert get_setting(key) == 20


def test_float_setting_accepts_persian_decimal_separator(client, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/settings/licence.renewal_fee_ratio", data={"value": "۰٫۱۵"})
    assert response.status_code == 302
    assert get_setting("licence.renewal_fee_ratio") == pytest.approx(0.15)


def test_unknown_setting_is_404(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/settings/nope").status_code == 404


def test_audit_page_shows_events_and_verifies_the_chain(client, login_as):
    login_as(Role.ADMIN)
    body = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "زنجیره رویدادها سالم است" in body
    assert "ورود" in body  # the admin's own login is an event


def test_production_needs_a_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError):
        create_app(ProductionConfig)


def test_demo_data_is_refused_in_production(app):
    app.config["ALLOW_DEMO_DATA"] = False
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["ALLOW_DEMO_DATA"] = True
    assert result.exit_code != 0 and "refused" in result.output


def test_health_check_is_public(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
