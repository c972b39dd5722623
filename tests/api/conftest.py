"""Fixtures for the API tests: callers with a bearer token (one per role), JSON error checks."""

from __future__ import annotations

import re

import pytest
from flask import g

from accounts import tokens as token_ops
from core.security import Role
from tests import factories

API = "/api/v1"
PERSIAN = re.compile("[\u0600-\u06ff]")


_described: dict[int, object] = {}


def conforms(app, method: str, url: str, response) -> None:
    """Check an answer against the OpenAPI document (status, body schema), as Schemathesis does."""
    import schemathesis

    from api.docs import openapi_document

    schema = _described.get(id(app))
    if schema is None:
        schema = _described[id(app)] = schemathesis.openapi.from_dict(openapi_document(app))
    operation = schema.find_operation_by_path(method, url.split("?", 1)[0])
    if operation is not None and response.mimetype == "application/json":
        operation.validate_response(response)


class ApiCaller:
    """A test client calling /api/v1 with a bearer token (or none); every answer is checked against
    the OpenAPI document. Requests of one test share the test's app context, so the user
    Flask-Login cached in g is dropped before each call."""

    def __init__(self, client, user=None, token: str | None = None):
        self.client, self.user, self.token = client, user, token

    def call(self, method: str, path: str, json=None, headers=None, **kwargs):
        g.pop("_login_user", None)
        g.pop("api_token", None)
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        response = self.client.open(f"{API}{path}", method=method, json=json, headers=headers, **kwargs)
        conforms(self.client.application, method, f"{API}{path}", response)
        return response

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.call("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.call("PUT", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def caller(app, db):
    """caller(role) → an ApiCaller with a fresh user of that role and a token for them."""

    def make(role: Role | str, **kwargs) -> ApiCaller:
        user = factories.make_user(role=Role(role), **kwargs)
        issued = token_ops.issue_token(user, name="test", actor=None)
        db.session.commit()
        return ApiCaller(app.test_client(), user, issued.secret)

    return make


@pytest.fixture
def admin(caller):
    return caller(Role.ADMIN)


@pytest.fixture
def anonymous(app, db):
    return ApiCaller(app.test_client())


def assert_json_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """A JSON error of the API's one shape, with a Persian message (and a Persian field message)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert PERSIAN.search(error["message"]), error
    assert isinstance(error["fields"], dict)
    if code:
        assert error["code"] == code, error
    if field:
        assert field in error["fields"], error
        assert PERSIAN.search(error["fields"][field]), error
    return error


def assert_page(body: dict, total: int | None = None) -> list:
    """A list answer's envelope; returns its items."""
    assert set(body) == {"items", "total", "page", "per_page"}, body.keys()
    if total is not None:
        assert body["total"] == total, body
    return body["items"]
