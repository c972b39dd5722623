"""The printed visit report (گزارش بازدید): Persian, Jalali, with the GPS check and the photos.

core.pdf's fetcher serves our static files only; the report also needs the visit's own photos,
from the upload folder, so it passes exactly those files as extra_files.
"""

from __future__ import annotations

from core import pdf as core_pdf
from inspections import operations as ops
from inspections.models import Visit


def _province(visit: Visit) -> str | None:
    site = visit.site
    if site is not None and site.county is not None:
        return site.county.province.name
    application = visit.visit_request.application if visit.visit_request else None
    if application is not None and application.county is not None:
        return application.county.province.name
    return None


def report_context(visit: Visit) -> dict:
    from licensing.pdf import issuer_name

    province = _province(visit)
    photos = [(p, ops.photo_path(p)) for p in visit.photos if p.arrived]
    return {
        "visit": visit,
        "province": province,
        "issuer": issuer_name(province),
        "answers": sorted(visit.answers, key=lambda a: a.item.position),
        "photos": [(p, path.resolve().as_uri()) for p, path in photos if path.is_file()],
        "missing_photos": [p for p in visit.photos if not p.arrived],
        "failed": [a for a in visit.answers if a.failed],
        "cases": ops.visit_cases(visit),
    }


def visit_report_pdf(visit: Visit) -> bytes:
    """The A4 visit report with answers, flags, photos and signature lines."""
    context = report_context(visit)
    photos = {
        core_pdf.file_path_of(uri): photo.content_type or "image/jpeg" for photo, uri in context["photos"]
    }
    return core_pdf.render_pdf("pdf/visit_report.html", extra_files=photos, **context)


def report_filename(visit: Visit) -> str:
    return f"visit-{visit.visited_on.isoformat()}-{visit.uuid[:8]}.pdf"
