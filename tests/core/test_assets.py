"""A light page: answers compressed, static files fingerprinted and cached for good."""

from __future__ import annotations

import gzip
import re

import brotli
from flask import url_for

from core.assets import asset_hash


def test_static_urls_carry_the_files_fingerprint_and_are_cached_immutably(app, client):
    with app.test_request_context("/"):
        url = url_for("static", filename="js/app.js")
        digest = asset_hash("js/app.js")
    assert url == f"/static/js/app.js?v={digest}" and re.fullmatch(r"[0-9a-f]{12}", digest)
    fresh = client.get(url)
    fresh.close()
    assert (
        fresh.status_code == 200 and fresh.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    )
    # An old or missing fingerprint is revalidated, never kept for good.
    stale = client.get("/static/js/app.js?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"
    again = client.get("/static/js/app.js", headers={"If-None-Match": stale.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/static/js/no-such-file.js").status_code == 404
    assert client.get("/static/../config.py").status_code == 404


def test_style_sheets_name_their_fonts_by_fingerprint(app, client):
    with app.test_request_context("/"):
        css_url = url_for("static", filename="css/app.css")
        font = asset_hash("vendor/vazirmatn/Vazirmatn-Regular.woff2")
    css = client.get(css_url, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    assert f'url("../vendor/vazirmatn/Vazirmatn-Regular.woff2?v={font}")' in css
    font_answer = client.get(f"/static/vendor/vazirmatn/Vazirmatn-Regular.woff2?v={font}")
    font_answer.close()
    assert font_answer.headers["Cache-Control"].endswith("immutable")
    assert "Content-Encoding" not in font_answer.headers  # woff2 is compressed already


def test_pages_json_css_and_scripts_are_compressed(app, client):
    with app.test_request_context("/"):
        css_url = url_for("static", filename="vendor/bootstrap/bootstrap.rtl.min.css")
        js_url = url_for("static", filename="vendor/htmx/htmx.min.js")
    for url in (css_url, js_url, "/login"):
        plain = client.get(url, headers={"Accept-Encoding": "identity"}).get_data()
        br = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert br.headers.get("Content-Encoding") == "br" and brotli.decompress(br.get_data()) == plain
        assert len(br.get_data()) < len(plain) / 2
        gz = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.get_data()) == plain
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    if api.status_code == 200:
        assert api.headers["Content-Encoding"] == "gzip"
