"""Bad input never gives a 500: every route, for the roles that may use it, answers garbage
query strings and garbage form posts with a page or a Persian message, on a realistic database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.security import Role, route_policy
from tests.conftest import DEFAULT_PASSWORD
from tests.core.test_policy import SESSION_ENDERS, _url

GARBAGE = "ي" * 300 + "'; DROP TABLE sites; --" + "١٢٣٤" + "<script>x</script>" + "\u200c\u200f"
QUERY = {
    name: GARBAGE
    for name in (
        "q",
        "kind",
        "status",
        "county",
        "state",
        "source",
        "page",
        "year",
        "start",
        "end",
        "format",
        "expiring",
        "overdue",
        "figure",
        "office_kind",
        "purpose",
        "site",
        "assignment",
        "request",
        "lat",
        "lon",
        "near",
        "radius_m",
        "verify",
        "object_type",
        "date",
        "inspector",
        "sort",
    )
}
QUERY["page"] = "-5"
FORM = {
    name: GARBAGE
    for name in (
        "name",
        "code",
        "kind",
        "county_id",
        "locality",
        "locality_type",
        "address",
        "postal_code",
        "phone",
        "lat",
        "lon",
        "established_on",
        "operator_national_id",
        "bank",
        "terminal_id",
        "host_site_code",
        "notes",
        "status",
        "effective_on",
        "reason",
        "national_id",
        "first_name",
        "last_name",
        "father_name",
        "birth_date",
        "mobile",
        "education",
        "field_of_study",
        "username",
        "full_name",
        "role",
        "organisation",
        "password",
        "confirm",
        "value",
        "to_state",
        "note",
        "document_type_id",
        "check_code",
        "due_on",
        "passed",
        "held_on",
        "place",
        "title",
        "application_id",
        "decision",
        "reasons",
        "received_on",
        "office_kind",
        "applicant_national_id",
        "office_name",
        "premises_m2",
        "licence_number",
        "summary",
        "offence_on",
        "complainant",
        "violation_type_ids",
        "case_id",
        "member_id",
        "choice",
        "penalty",
        "suspension_days",
        "fine_amount",
        "legal_basis",
        "reasoning",
        "served_on",
        "filed_on",
        "grounds",
        "outcome",
        "text",
        "defence_text",
        "defence_on",
        "severity",
        "lookback_days",
        "description",
        "inspector_id",
        "planned_on",
        "site_id",
        "visit_request_id",
        "start_lat",
        "start_lon",
        "answer_type",
        "items",
        "position",
        "required",
        "min_value",
        "violation_type_id",
    )
}

ROLES = [Role.ADMIN, Role.LICENSING, Role.INSPECTOR, Role.COMMITTEE_SECRETARY, Role.COMMITTEE_MEMBER]


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_garbage_with_a_server_error(app, db, role):
    from accounts.models import User
    from demo.cli import seed_demo_command

    result = app.test_cli_runner().invoke(seed_demo_command, ["--password", DEFAULT_PASSWORD])
    assert result.exit_code == 0, result.output
    username = db.session.scalar(select(User.username).where(User.role == role).limit(1))
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": DEFAULT_PASSWORD}).status_code == 302
    checked = 0
    for rule in app.url_map.iter_rules():
        policy = route_policy(app, rule.endpoint)
        if rule.endpoint in ("static", *SESSION_ENDERS) or rule.rule.startswith("/api/"):
            continue
        if policy != "public" and role not in policy:
            continue
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url, query_string=QUERY)
            else:
                response = client.open(url, method=method, data=FORM)
            response.close()  # file downloads stream from an open file
            assert response.status_code < 500, (role, method, rule.rule, response.status_code)
            checked += 1
    assert checked > 10
