"""Numbers in query strings and paths: one parser (core.args) that takes ASCII, Persian and
Arabic-Indic digits within range, and every list route answers odd values with a page, never a 500."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from core.args import MAX_ID, parse_int
from core.security import Role, route_policy

HUGE = "9" * 23  # beyond 64 bits
ODD_NUMBERS = ["²", "①", HUGE, "-1", "0", "1e3", " ", "١٢٣٤" * 6, "٣\u00b2", "12\x00"]
NUMERIC_ARGS = (
    "page",
    "county",
    "inspector",
    "inspector_id",
    "site",
    "site_id",
    "assignment",
    "request",
    "version",
    "user_id",
    "county_id",
    "case_id",
    "per_page",
    "year",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("۱۲", 12),
        ("١٢", 12),
        (" 7 ", 7),
        ("²", None),
        ("①", None),
        ("௧", None),  # Tamil one: a decimal digit to str.isdigit(), not one of ours
        (HUGE, None),
        ("0", None),
        ("-3", None),
        ("+3", None),
        ("", None),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
    ],
)
def test_parse_int_takes_only_our_digits_within_range(text, expected):
    assert parse_int(text) == expected


def test_parse_int_range_is_the_callers():
    assert parse_int("0", minimum=0) == 0
    assert parse_int("50", maximum=40) is None


def _list_rules(app):
    """Every GET route without path arguments: the lists, searches, dashboards and exports."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.arguments or "GET" not in rule.methods:
            continue
        yield rule


@pytest.mark.parametrize("role", [Role.ADMIN, Role.INSPECTOR, Role.COMMITTEE_MEMBER, Role.VIEWER])
def test_every_list_route_answers_odd_numbers_without_a_server_error(app, client, login_as, role):
    user = login_as(role)
    checked = 0
    for rule in _list_rules(app):
        policy = route_policy(app, rule.endpoint)
        if policy != "public" and role not in policy:
            continue
        for value in ODD_NUMBERS:
            response = client.get(rule.rule, query_string={name: value for name in NUMERIC_ARGS})
            response.close()
            assert response.status_code < 500, (rule.rule, value, response.status_code)
            checked += 1
    assert checked > 20, user


def test_a_list_with_a_superscript_page_shows_the_first_page(client, login_as):
    login_as(Role.ADMIN)
    for url in ("/sites", "/people", "/admin/audit", "/admin/users", "/admin/api-tokens"):
        first = client.get(url)
        odd = client.get(url, query_string={"page": "²"})
        assert odd.status_code == first.status_code == 200, url


def test_path_ids_beyond_the_database_range_are_not_found(app, client, login_as):
    login_as(Role.ADMIN)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments:
            continue
        if not all(isinstance(conv, IntegerConverter) for conv in rule._converters.values()):
            continue
        for value in (HUGE, str(MAX_ID + 1), "9" * 5000):
            url = re.sub(r"<[^>]+>", value, rule.rule)
            response = client.get(url)
            response.close()
            assert response.status_code == 404, (rule.rule, len(value), response.status_code)
            checked += 1
    assert checked > 20


def test_a_digits_field_refuses_superscripts_and_other_scripts(app):
    from werkzeug.datastructures import MultiDict

    from core.forms import BaseForm, NationalIdField

    class Form(BaseForm):
        class Meta:
            csrf = False

        national_id = NationalIdField()

    with app.test_request_context():
        for value in ("²" * 10, "௧" * 10):
            form = Form(MultiDict({"national_id": value}))
            assert not form.validate()
            assert form.national_id.errors == ["فقط رقم وارد کنید."]
        assert Form(MultiDict({"national_id": "۰۰۸۴۵۷۵۹۴۸"})).validate() is True
