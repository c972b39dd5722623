"""Static files fingerprinted and cached for good: a light page on rural mobile data.

Every `url_for("static", filename=...)` carries `?v=<hash of the file's content>`. A request whose
`v` is the file's current hash is cached by the browser for a year, immutably (a changed file gets
a new URL); any other request for a static file is revalidated (ETag). Style sheets are served with
their relative `url(...)` references (fonts, images) fingerprinted the same way, so the fonts a
style sheet names are cached for good too. Compression (brotli or gzip) is flask-compress's, for
pages, JSON, style sheets, scripts and SVG.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from functools import cache
from pathlib import Path, PurePosixPath

from flask import Flask, Response, current_app, request, send_from_directory
from flask_compress import Compress
from werkzeug.exceptions import NotFound

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSED_TYPES = [
    "text/html",
    "application/json",
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "text/plain",
    "application/geo+json",
]
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?!data:|https?:|/|#)([^'")?#]+)([?#][^'")]*)?\1\s*\)""")

compress = Compress()


@cache
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_hash(filename: str) -> str | None:
    """The fingerprint of a static file (None when there is no such file)."""
    folder = Path(current_app.static_folder)
    path = (folder / filename).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        return None
    return _digest(str(path), path.stat().st_mtime_ns)


@cache
def _css_with_fingerprints(path: str, mtime_ns: int, filename: str) -> bytes:
    base = PurePosixPath(filename).parent
    text = Path(path).read_text(encoding="utf-8")

    def fingerprint(match: re.Match) -> str:
        quote, target, _suffix = match.group(1), match.group(2), match.group(3)
        resolved = str(PurePosixPath(*(base / target).parts))
        parts: list[str] = []
        for part in resolved.split("/"):
            if part == "..":
                if parts:
                    parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        digest = asset_hash("/".join(parts))
        if digest is None:
            return match.group(0)
        return f"url({quote}{target}?v={digest}{quote})"

    return CSS_URL.sub(fingerprint, text).encode("utf-8")


def serve_static(filename: str) -> Response:
    """The static route: fingerprinted files cached for good, the rest revalidated."""
    digest = asset_hash(filename)
    if digest is None:
        raise NotFound()
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if mimetype in COMPRESSED_TYPES:
        # Text is read whole (it is small): compressed in one piece, with brotli or gzip.
        path = Path(current_app.static_folder) / filename
        if mimetype == "text/css":
            body = _css_with_fingerprints(str(path.resolve()), path.stat().st_mtime_ns, filename)
        else:
            body = path.read_bytes()
        response = Response(body, mimetype=mimetype)
        response.set_etag(digest)
        response.make_conditional(request)
    else:
        response = send_from_directory(current_app.static_folder, filename, max_age=0, etag=True)
    response.headers["Cache-Control"] = IMMUTABLE if request.args.get("v") == digest else REVALIDATE
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress.init_app(app)
    # The ?v= fingerprint itself is added by core.app.register_static_fingerprints (the same hash).
    app.view_functions["static"] = serve_static
