"""Deny by default: every route has a policy, and every role is refused what it may not use."""

import pytest
from werkzeug.routing import Rule

from core.security import Role, route_policy
from tests import factories
from tests.conftest import DEFAULT_PASSWORD

PLACEHOLDERS = {
    "int": "1",
    "default": "x",
    "string": "x",
    "path": "x",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "float": "1.0",
}


def _url(rule: Rule) -> str:
    parts = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__.removesuffix("Converter").lower()
        parts[name] = PLACEHOLDERS.get(converter, "1")
    return rule.build(parts, append_unknown=False)[1]


# Routes that end the caller's own session (the admin's one ends it when the id is the caller's).
SESSION_ENDERS = ("accounts.logout", "accounts.own_sign_out_everywhere", "accounts.user_sign_out_everywhere")


def allowed_to(role, policy) -> bool:
    return policy == "public" or role in policy


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_has_a_policy(app):
    missing = [r.endpoint for r in _rules(app) if route_policy(app, r.endpoint) is None]
    assert missing == [], f"routes without a policy entry (refused to everyone): {missing}"


def test_a_route_without_policy_is_refused(app, client, login_as):
    login_as(Role.ADMIN)
    app.view_functions["registry.site_list"].__dict__.pop("allowed_roles")
    try:
        assert client.get("/sites").status_code == 403
    finally:
        from registry.permissions import VIEW_SITES

        app.view_functions["registry.site_list"].allowed_roles = frozenset(VIEW_SITES)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_every_route_it_may_not_use(app, db, role):
    user = factories.make_user(role=role)
    db.session.commit()
    client = app.test_client()
    assert (
        client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )
    checked = 0
    for rule in _rules(app):
        policy = route_policy(app, rule.endpoint)
        if rule.endpoint in SESSION_ENDERS and allowed_to(role, policy):
            continue  # would end this client's session; covered in tests/accounts/test_sessions.py
        allowed = policy == "public" or role in policy
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule), method=method)
            if allowed:
                assert response.status_code != 403, (role, rule.rule, method)
            else:
                assert response.status_code == 403, (role, rule.rule, method)
            checked += 1
    assert checked > 10


def test_anonymous_users_are_sent_to_login(app, client):
    for rule in _rules(app):
        if route_policy(app, rule.endpoint) == "public":
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(_url(rule), method=method)
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, rule.rule  # JSON clients are not redirected
            assert response.is_json and response.json["error"]["message"]
            continue
        assert response.status_code == 302, rule.rule
        assert "/login" in response.headers["Location"]
