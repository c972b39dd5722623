"""The API as a whole: every route is described in the OpenAPI document with its roles, refuses the
roles it does not allow and anonymous callers with JSON errors, validates its input with a 422
that names the field; the description and the Persian docs page are served without a CDN."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter, Rule

from api.docs import TAGS, openapi_document
from core.security import Role, route_policy
from tests import factories
from tests.api.conftest import API, ApiCaller, assert_json_error

DOC_ENDPOINTS = {"api.openapi_json", "api.docs"}
METHODS = ("GET", "POST", "PUT", "DELETE")


def api_rules(app) -> list[Rule]:
    return [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.") and r.endpoint not in DOC_ENDPOINTS
    ]


def openapi_path(rule: Rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def concrete(rule: Rule) -> str:
    """The rule's path with a value for each part (ids 1, strings x, uuids a valid-looking one)."""
    values = {}
    for name in rule.arguments:
        values[name] = 1 if isinstance(rule._converters[name], IntegerConverter) else "x"
    if "uuid" in rule.arguments:
        values["uuid"] = "00000000-0000-4000-8000-000000000000"
    return rule.build(values, append_unknown=False)[1].removeprefix(API)


@pytest.fixture
def callers(app, db):
    """One caller (with a token) per role."""
    from accounts import tokens as token_ops

    made = {}
    for role in Role:
        user = factories.make_user(role=role)
        made[role] = ApiCaller(
            app.test_client(), user, token_ops.issue_token(user, name="t", actor=None).secret
        )
    db.session.commit()
    return made


# ---------------------------------------------------------------- the description


def test_every_route_is_described_with_its_roles(app):
    spec = openapi_document(app)
    assert spec["openapi"] == "3.0.3"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    described = 0
    for rule in api_rules(app):
        path = spec["paths"].get(openapi_path(rule))
        assert path is not None, rule.rule
        policy = route_policy(app, rule.endpoint)
        for method in set(rule.methods) & set(METHODS):
            operation = path[method.lower()]
            assert operation["summary"] and operation["tags"][0] in TAGS, (rule.rule, method)
            assert "default" in operation["responses"], (rule.rule, method)
            if policy == "public":
                assert operation["security"] == [] and operation["x-roles"] == ["public"]
            else:
                assert operation["x-roles"] == sorted(r.value for r in policy), (rule.rule, method)
            described += 1
    assert described >= 60


def test_the_description_is_public_json_and_the_docs_page_is_persian_without_a_cdn(anonymous, app):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200 and response.is_json
    assert response.get_json()["paths"]["/api/v1/tokens"]["post"]["operationId"] == "token_create"
    page = anonymous.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'lang="fa" dir="rtl"' in html and "راهنمای API" in html
    for title in TAGS.values():
        assert title in html, title
    assert "/api/v1/sites/{site_id}/status" in html and "کارشناس صدور پروانه" in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "assets must come from our own static files"


def test_the_cli_prints_the_same_document(app):
    import json

    result = app.test_cli_runner().invoke(args=["api", "openapi"])
    assert result.exit_code == 0
    assert json.loads(result.output)["paths"].keys() == openapi_document(app)["paths"].keys()


# ---------------------------------------------------------------- who may call


def test_every_endpoint_refuses_the_roles_it_does_not_allow_with_a_json_403(app, callers):
    refused = 0
    for rule in api_rules(app):
        policy = route_policy(app, rule.endpoint)
        if policy == "public":
            continue
        for method in set(rule.methods) & set(METHODS):
            for role in set(Role) - set(policy):
                response = callers[role].call(method, concrete(rule), json={})
                assert_json_error(response, 403)
                refused += 1
    assert refused > 100


def test_every_endpoint_asks_anonymous_callers_for_credentials_with_a_json_401(app, anonymous):
    for rule in api_rules(app):
        if route_policy(app, rule.endpoint) == "public":
            continue
        for method in set(rule.methods) & set(METHODS):
            assert_json_error(anonymous.call(method, concrete(rule), json={}), 401)


# ---------------------------------------------------------------- what they accept


def _allowed(app, rule: Rule, callers) -> ApiCaller:
    policy = route_policy(app, rule.endpoint)
    if policy == "public":
        return callers[Role.VIEWER]
    return callers[Role.ADMIN] if Role.ADMIN in policy else callers[sorted(policy)[0]]


def test_every_json_body_is_validated_with_a_422_naming_the_field(app, callers):
    spec = openapi_document(app)
    checked = 0
    for rule in api_rules(app):
        for method in set(rule.methods) & {"POST", "PUT"}:
            body = spec["paths"][openapi_path(rule)][method.lower()].get("requestBody")
            if not body or "application/json" not in body["content"]:
                continue
            response = _allowed(app, rule, callers).call(method, concrete(rule), json={"unexpected": [1, 2]})
            error = assert_json_error(response, 422)
            assert error["fields"], (rule.rule, error)
            for name, message in error["fields"].items():
                assert re.search("[\u0600-\u06ff]", message), (rule.rule, name, message)
            checked += 1
    assert checked >= 30


def test_every_list_validates_its_query_with_a_422(app, callers):
    spec = openapi_document(app)
    checked = 0
    for rule in api_rules(app):
        if "GET" not in rule.methods:
            continue
        parameters = spec["paths"][openapi_path(rule)]["get"].get("parameters", [])
        if not any(p["name"] == "page" for p in parameters):
            continue
        assert_json_error(_allowed(app, rule, callers).get(f"{concrete(rule)}?page=0"), 422, field="page")
        body = _allowed(app, rule, callers).get(f"{concrete(rule)}?per_page=1").get_json()
        assert set(body) == {"items", "total", "page", "per_page"} and body["per_page"] == 1, rule.rule
        checked += 1
    assert checked >= 12


def test_a_body_that_is_not_json_or_too_big_is_refused_in_json(callers):
    admin = callers[Role.ADMIN]
    assert_json_error(
        admin.call("POST", "/people", data="<x/>", content_type="application/xml"), 415, "content_type"
    )
    assert_json_error(
        admin.call("POST", "/people", data='{"a": NaN}', content_type="application/json"), 400, "bad_json"
    )
    assert_json_error(admin.call("POST", "/people", data="[" * 50_000, content_type="application/json"), 400)
    huge = {"national_id": "0", "first_name": "ب" * (1024 * 1024), "last_name": "x"}
    assert_json_error(admin.post("/people", json=huge), 413, "too_large")
    assert_json_error(admin.post("/people", json=[1, 2]), 422, "validation")


def test_unknown_paths_and_methods_answer_in_json(callers):
    admin = callers[Role.ADMIN]
    assert_json_error(admin.get("/no-such-thing"), 404)
    assert_json_error(admin.call("PATCH", "/sites"), 405)
    assert_json_error(admin.get("/sites/0"), 404)
    assert_json_error(admin.get("/sites/x"), 404)


def test_answers_are_checked_against_the_document_in_these_tests(app):
    """ApiCaller validates every answer with Schemathesis; a wrong body would fail the test."""
    from werkzeug.test import EnvironBuilder, TestResponse
    from werkzeug.wrappers import Request

    from tests.api.conftest import conforms

    request = Request(EnvironBuilder(path=f"{API}/sites", method="GET").get_environ())
    wrong = TestResponse(
        [b'{"items": "none"}'], "200 OK", {"Content-Type": "application/json"}, request=request
    )
    try:
        conforms(app, "GET", f"{API}/sites", wrong)
    except BaseExceptionGroup as group:  # Schemathesis' FailureGroup
        assert "violates schema" in repr(group.exceptions), group
    else:
        pytest.fail("a body that contradicts the document passed the check")
