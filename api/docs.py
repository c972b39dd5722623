"""The API's description: /api/v1/openapi.json (generated from the routes' schemas by
flask-smorest/apispec, then annotated with each operation's roles from the route policy) and a
Persian page, /api/v1/docs, rendered from that same document."""

from __future__ import annotations

import copy
import re

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, jsonify, render_template

from api import bp
from core.security import ROLE_LABELS, Role, public, route_policy

# The tags in the order of the docs page, with their Persian titles.
TAGS = {
    "tokens": "توکن دسترسی",
    "sites": "دفاتر، خودپردازها و باجه‌ها",
    "people": "اشخاص",
    "applications": "درخواست‌های پروانه",
    "wg-sessions": "جلسات کارگروه",
    "licences": "پروانه‌ها",
    "inspections": "بازرسی‌ها",
    "cases": "پرونده‌های تخلف",
    "committee-sessions": "جلسات کمیته تخلفات",
    "rulings": "آرای کمیته",
    "reports": "گزارش‌ها",
    "letters": "نامه‌های صادره",
    "reference": "استان‌ها، شهرستان‌ها، شهرها و روستاها",
}
METHODS = ("get", "post", "put", "patch", "delete")
_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_document(app: Flask) -> dict:
    """The OpenAPI 3 document of the API (built once per app)."""
    cached = app.extensions.get("pishkhan_openapi")
    if cached is not None:
        return cached
    spec = copy.deepcopy(app.extensions["pishkhan_api"].spec.to_dict())
    spec["tags"] = [{"name": name, "description": title} for name, title in TAGS.items()]
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(f"{bp.name}."):
            continue
        operations = spec["paths"].get(_RULE_ARG.sub(r"{\1}", rule.rule))
        if operations is None:
            continue  # the description and its page are not operations of the API
        policy = route_policy(app, rule.endpoint)
        for method in rule.methods:
            operation = operations.get(method.lower())
            if operation is None:
                continue
            operation["operationId"] = rule.endpoint.removeprefix(f"{bp.name}.")
            if policy == "public":
                operation["security"] = []
                operation["x-roles"] = ["public"]
            else:
                operation["x-roles"] = sorted(role.value for role in policy or ())
    app.extensions["pishkhan_openapi"] = spec
    return spec


def _openapi_json():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document(current_app))


def _resolve(spec: dict, schema: dict | None) -> dict:
    """A schema with its top-level $ref (or allOf/anyOf of one $ref) looked up."""
    schema = schema or {}
    for key in ("allOf", "anyOf"):
        if key in schema:
            refs = [s for s in schema[key] if "$ref" in s]
            if refs:
                schema = refs[0]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return spec["components"]["schemas"].get(name, {})
    return schema


def _response(spec: dict, response: dict) -> dict:
    """A response with its $ref looked up."""
    if "$ref" in response:
        return spec["components"]["responses"].get(response["$ref"].rsplit("/", 1)[-1], {})
    return response


def _type_of(spec: dict, prop: dict) -> str:
    prop = prop or {}
    for key in ("allOf", "anyOf"):
        if key in prop:
            inner = [s for s in prop[key] if "$ref" in s or s.get("type") not in (None, "null")]
            if inner:
                prop = inner[0]
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    kind = prop.get("type", "")
    if kind == "array":
        return f"[{_type_of(spec, prop.get('items', {}))}]"
    if prop.get("enum"):
        return " | ".join(str(v) for v in prop["enum"] if v is not None)
    return kind + (f" ({prop['format']})" if prop.get("format") else "")


def _fields(spec: dict, schema: dict) -> list[dict]:
    schema = _resolve(spec, schema)
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "type": _type_of(spec, prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "max_length": prop.get("maxLength"),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def docs_sections(spec: dict) -> list[dict]:
    """The document arranged for the Persian page: tags, their operations and fields."""
    sections = {name: {"name": name, "title": title, "operations": []} for name, title in TAGS.items()}
    for path, operations in spec["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            content_type, media = next(iter(body.items()), (None, {}))
            roles = operation.get("x-roles", [])
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "type": _type_of(spec, p.get("schema", {})),
                    "description": p.get("description", "") or p.get("schema", {}).get("description", ""),
                }
                for p in [*operations.get("parameters", []), *operation.get("parameters", [])]
            ]
            responses = [
                (code, _response(spec, response).get("description", ""))
                for code, response in operation.get("responses", {}).items()
            ]
            tag = (operation.get("tags") or ["reports"])[0]
            sections.setdefault(tag, {"name": tag, "title": tag, "operations": []})["operations"].append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "roles": [
                        "همه (بی‌نیاز به ورود)" if r == "public" else ROLE_LABELS[Role(r)] for r in roles
                    ],
                    "params": params,
                    "content_type": content_type,
                    "body": _fields(spec, media.get("schema")) if media.get("schema") else [],
                    "responses": [r for r in responses if r[0] != "default"],
                }
            )
    return [section for section in sections.values() if section["operations"]]


def _docs_page():
    """The Persian documentation page."""
    spec = openapi_document(current_app)
    return render_template("api/docs.html", spec=spec, sections=docs_sections(spec))


# Registered with Flask's own add_url_rule: they serve the description, they are not part of it.
FlaskBlueprint.add_url_rule(bp, "/openapi.json", "openapi_json", public(_openapi_json), methods=["GET"])
FlaskBlueprint.add_url_rule(bp, "/docs", "docs", public(_docs_page), methods=["GET"])
