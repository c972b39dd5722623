"""The one boundary every text passes on its way in: query strings, form fields, file names and
JSON bodies.

Two kinds of character are refused, with a Persian message that names the field: NUL (PostgreSQL
cannot store it) and lone UTF-16 surrogates (a JSON "\\ud800" escape: no encoding can write them,
so they would fail later, in a hash or in the database, as a 500). The directional overrides and
embeddings (U+202A–U+202E), which can make a file name or a person's name read differently from
what it is (U+202E before "fdp.exe" shows "exe.pdf"), are removed from every stored text by
core.persian.clean_text and here from uploaded file names. The isolates (U+2066–U+2069) are left
alone: our own pages wrap codes in them.
"""

from __future__ import annotations

import re
from typing import Any

from flask import request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_REFUSED = re.compile("[\x00\ud800-\udfff]")
BIDI_OVERRIDES = re.compile("[\u202a-\u202e]")

BAD_TEXT_MESSAGE = (
    "متن «{field}» نویسه‌ای نامعتبر دارد (نویسه تهی یا نیمه‌ای از یک نویسه یونیکد) که پذیرفته نیست؛ "
    "آن را پاک یا دوباره تایپ کنید و از نو بفرستید."
)


class BadText(Exception):
    """A text that carries NUL or a lone surrogate; field names where it was found."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field
        self.message = BAD_TEXT_MESSAGE.format(field=field)


def strip_bidi_overrides(text: str) -> str:
    """The text without directional overrides and embeddings (U+202A–U+202E)."""
    return BIDI_OVERRIDES.sub("", text)


def check_text(value: str, field: str) -> None:
    """Raise BadText when the value holds NUL or a lone surrogate."""
    if _REFUSED.search(value):
        raise BadText(field)


def check_document(doc: Any, path: str = "") -> None:
    """Check every key and string of a decoded JSON document; the error names the field's path."""
    if isinstance(doc, str):
        check_text(doc, path or "_")
    elif isinstance(doc, dict):
        for key, value in doc.items():
            name = f"{path}.{key}" if path else str(key)
            check_text(str(key), path or "_")
            check_document(value, name)
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            check_document(value, f"{path}[{index}]")


def check_request() -> None:
    """The path, query string, form fields and uploaded files' names of the current request
    (before_request); file names also lose their directional overrides."""
    check_text(request.path, "path")  # a NUL in a path segment would reach a query (/verify/<token>)
    for key, value in request.args.items(multi=True):
        check_text(key, "?")
        check_text(value, key)
    if request.mimetype not in FORM_TYPES:
        return
    for key, value in request.form.items(multi=True):
        check_text(key, "?")
        check_text(value, key)
    for key, upload in request.files.items(multi=True):
        if upload.filename:
            check_text(upload.filename, key)
            upload.filename = strip_bidi_overrides(upload.filename)


def refuse_bad_text():
    """before_request: answer a request that carries NUL or a lone surrogate with a Persian error:
    422 JSON under /api/ (the tablet shows the message and keeps the visit), 400 page elsewhere."""
    from core.errors import error_response, wants_json

    try:
        check_request()
    except BadText as exc:
        if wants_json():
            return error_response(422, exc.message, code="validation", fields={exc.field: exc.message})
        return error_response(400, exc.message, code="validation")
    return None
