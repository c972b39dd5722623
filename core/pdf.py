"""Render templates to PDF with WeasyPrint: Vazirmatn, A4, Persian page numbers.

Fonts, the base stylesheet and the URL fetcher are built once per process (per static folder) and
reused: building them costs far more than a one-page render. WeasyPrint itself is imported on
first use so that the app starts fast. The fetcher serves files from our own static folder only;
any other URL (http, data:, a file elsewhere on disk) is refused, so a value printed into a
document can never make the server fetch something.
"""

from __future__ import annotations

import atexit
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template

# Fonts are read as TrueType (WeasyPrint would also decode the WOFF2 copies).
FONT_DIR = "vendor/vazirmatn"
FONT_FILES = {400: "Vazirmatn-Regular.ttf", 700: "Vazirmatn-Bold.ttf"}

PAGE_CSS = """
@page {
  size: A4;
  margin: 16mm 15mm 18mm 15mm;
  @bottom-center {
    content: "صفحه " counter(page, persian) " از " counter(pages, persian);
    font-family: Vazirmatn; font-size: 8pt; color: #555;
  }
}
html { font-family: Vazirmatn, sans-serif; font-size: 10.5pt; line-height: 1.65; color: #111; }
"""

# Shared look of every printed document (tables, headings, signature boxes), read once if present.
SHARED_STYLESHEET = "css/pdf.css"


class PdfFetchRefused(ValueError):
    """A document asked for a resource outside our static folder."""


def static_path_for(url: str, static_dir: Path, static_url_path: str = "/static") -> Path | None:
    """The file in our static folder that a URL names, or None when it names anything else.

    Accepted: file: URLs inside the static folder, and file:/static/... (what a root-relative
    "/static/..." becomes against our file: base URL). Never http(s), data: or other files.
    """
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    raw = Path(url2pathname(unquote(parts.path)))
    static_dir = static_dir.resolve()
    prefix = static_url_path.rstrip("/") + "/"
    candidates = [raw]
    if raw.as_posix().startswith(prefix):
        candidates.append(static_dir / raw.as_posix()[len(prefix) :])
    for candidate in candidates:
        try:
            resolved = candidate.resolve()
        except OSError:
            continue
        if resolved.is_relative_to(static_dir) and resolved.is_file():
            return resolved
    return None


@dataclass
class _Resources:
    base_url: str
    fetcher: Any
    font_config: Any
    stylesheets: list


_resources: dict[str, _Resources] = {}
# Drop WeasyPrint's font configuration before interpreter teardown (its __del__ needs modules).
atexit.register(_resources.clear)
_build_lock = threading.Lock()
# Pango's font map is not safe to share between threads: one render at a time per process.
_render_lock = threading.Lock()


def _fetcher(static_dir: Path, static_url_path: str):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve files under the static folder from disk; refuse every other URL."""

        def fetch(self, url, headers=None):
            path = static_path_for(url, static_dir, static_url_path)
            if path is None:
                raise PdfFetchRefused(f"only our static files may be used in a PDF: {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher(allowed_protocols=("file",))


def _font_faces(static_dir: Path) -> str:
    rules = []
    for weight, name in FONT_FILES.items():
        path = static_dir / FONT_DIR / name
        if not path.is_file():  # fall back to the WOFF2 copy of the same face
            path = path.with_suffix(".woff2")
        rules.append(
            f"@font-face {{ font-family: Vazirmatn; font-weight: {weight}; "
            f'src: url("{path.resolve().as_uri()}"); }}'
        )
    return "\n".join(rules)


def _build(static_dir: Path, static_url_path: str) -> _Resources:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher(static_dir, static_url_path)
    font_config = FontConfiguration()
    base_url = static_dir.resolve().as_uri() + "/"
    stylesheets = [
        CSS(
            string=_font_faces(static_dir) + PAGE_CSS,
            base_url=base_url,
            url_fetcher=fetcher,
            font_config=font_config,
        )
    ]
    shared = static_dir / SHARED_STYLESHEET
    if shared.is_file():
        stylesheets.append(
            CSS(
                string=shared.read_text(encoding="utf-8"),
                base_url=shared.as_uri(),
                url_fetcher=fetcher,
                font_config=font_config,
            )
        )
    return _Resources(base_url, fetcher, font_config, stylesheets)


def _get_resources() -> _Resources:
    static_dir = Path(current_app.static_folder)
    key = str(static_dir)
    if key not in _resources:
        with _build_lock:
            if key not in _resources:
                _resources[key] = _build(static_dir, current_app.static_url_path or "/static")
    return _resources[key]


def file_path_of(url: str) -> Path | None:
    """The local path a file:// URL names, resolved; None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    try:
        return Path(url2pathname(unquote(parts.path))).resolve()
    except OSError:
        return None


def _with_extra_files(extra: dict[Path, str], fallback):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = {Path(path).resolve(): mime for path, mime in extra.items()}

    class ExtraFilesFetcher(URLFetcher):
        """Exactly these files (by resolved path), then whatever the static-only fetcher allows."""

        def fetch(self, url, headers=None):
            path = file_path_of(url)
            if path is not None and path in allowed:
                return URLFetcherResponse(
                    path.as_uri(), body=path.read_bytes(), headers={"Content-Type": allowed[path]}
                )
            return fallback.fetch(url, headers)

    return ExtraFilesFetcher(allowed_protocols=("file",))


def html_to_pdf(html: str, *, extra_files: dict[Path, str] | None = None) -> bytes:
    """Turn an HTML string into PDF bytes with our fonts, page setup and static-only fetcher.

    extra_files: {path: mime type} of other files the document may embed (e.g. uploaded photos,
    referenced by their file:// URI); nothing else outside the static folder is ever read.
    """
    from weasyprint import HTML

    res = _get_resources()
    fetcher = _with_extra_files(extra_files, res.fetcher) if extra_files else res.fetcher
    with _render_lock:
        document = HTML(string=html, base_url=res.base_url, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=res.stylesheets, font_config=res.font_config)


def pdf_response(content: bytes, filename: str):
    """Send a PDF to open in the browser (inline), under a download name."""
    from flask import Response

    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def render_pdf(template_name: str, *, extra_files: dict[Path, str] | None = None, **context) -> bytes:
    """Render a Jinja template to PDF bytes (inside an app context)."""
    return html_to_pdf(render_template(template_name, **context), extra_files=extra_files)
