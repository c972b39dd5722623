"""The licensing API: applications, their workflow, documents, overrides, payments and the licence."""

from __future__ import annotations

from flask_login import current_user
from werkzeug.datastructures import FileStorage

from api import ID, ApiError, bp
from api.schemas import Extended, page_schema, paginate
from core.db import get_or_404
from core.extensions import db
from core.security import allow
from licensing import operations as ops
from licensing.api.schemas import (
    API_STEPS,
    APPLICATIONS,
    DETAILS,
    PEOPLE_KEYS,
    ApplicationArgs,
    ApplicationDetail,
    ApplicationIn,
    ApplicationOut,
    DocumentIn,
    DocumentOut,
    IssueIn,
    LicenceDetailOut,
    OverrideIn,
    PaymentIn,
    TransitionIn,
    VisitRequestIn,
    VisitRequestOut,
)
from licensing.models import (
    TRANSITIONS,
    Application,
)
from licensing.permissions import EDIT, VIEW

# ---------------------------------------------------------------- applications


def _detail(application: Application) -> Extended:
    checklist = [
        {
            "document_type_id": t.id,
            "code": t.code,
            "title": t.title,
            "required": t.required,
            "uploaded": len(docs),
        }
        for t, docs in ops.document_checklist(application)
    ]
    return Extended(
        application,
        allowed_transitions=[s for s in API_STEPS if s in TRANSITIONS[application.state]],
        checks=ops.eligibility_checks(application),
        checklist=checklist,
        licences=ops.application_licences(application),
        fee=ops.fee_summary(application),
    )


@bp.route("/applications", methods=["GET"], tags=APPLICATIONS)
@allow(*VIEW)
@bp.arguments(ApplicationArgs, location="query")
@bp.response(200, page_schema(ApplicationOut, "ApplicationPage"))
def application_list(args):
    """کارتابل درخواست‌ها به ترتیب مهلت"""
    stmt = ops.inbox(
        state=args.get("state"), kind=args.get("kind"), q=args.get("q"), overdue_only=args["overdue"]
    )
    return paginate(stmt, args)


@bp.route(f"/applications/<{ID}:application_id>", methods=["GET"], tags=APPLICATIONS)
@allow(*VIEW)
@bp.response(200, ApplicationDetail)
def application_detail(application_id: int):
    """یک درخواست با شرط‌ها، مدارک، گام‌ها و گام‌های ممکن"""
    return _detail(get_or_404(Application, application_id))


@bp.route("/applications", methods=["POST"], tags=APPLICATIONS)
@allow(*EDIT)
@bp.arguments(ApplicationIn)
@bp.response(201, ApplicationDetail)
def application_create(data):
    """ثبت درخواست صدور، انتقال، تمدید یا تغییر نشانی"""
    kind = data["kind"]
    details = {key: data.get(key) for key in DETAILS[kind]}
    application = ops.create_application(
        kind,
        actor=current_user,
        applicant_national_id=data.get("applicant_national_id"),
        licence_number=data.get("licence_number"),
        office_kind=data.get("office_kind"),
        received_on=data.get("received_on"),
        notes=data.get("notes"),
        **{key: data.get(key) for key in PEOPLE_KEYS},
        **details,
    )
    db.session.commit()
    return _detail(application)


@bp.route(f"/applications/<{ID}:application_id>/transitions", methods=["POST"], tags=APPLICATIONS)
@allow(*EDIT)
@bp.arguments(TransitionIn)
@bp.response(200, ApplicationDetail)
def application_transition(data, application_id: int):
    """بردن درخواست به گام بعد: بررسی، آماده طرح در کارگروه یا مختومه"""
    application = get_or_404(Application, application_id)
    ops.transition(application, data["to_state"], actor=current_user, note=data.get("note"))
    db.session.commit()
    return _detail(application)


@bp.route(f"/applications/<{ID}:application_id>/documents", methods=["POST"], tags=APPLICATIONS)
@allow(*EDIT)
@bp.arguments(DocumentIn, location="multipart")
@bp.response(201, DocumentOut)
def application_document(data, application_id: int):
    """بارگذاری مدرک (PDF، JPEG یا PNG؛ نوع از محتوا تشخیص داده می‌شود)"""
    application = get_or_404(Application, application_id)
    upload = data["file"]
    if not isinstance(upload, FileStorage):
        raise ApiError(422, "validation", "فایل را بفرستید.", {"file": "فایل را بفرستید."})
    types = {t.id: t for t, _ in ops.document_checklist(application)}
    document_type = types.get(data["document_type_id"])
    if document_type is None:
        message = "این مدرک در فهرست مدارک این نوع درخواست نیست."
        raise ApiError(422, "validation", message, {"document_type_id": message})
    document = ops.add_document(
        application, document_type, upload.filename or "file", upload.read(), actor=current_user
    )
    db.session.commit()
    return document


@bp.route(f"/applications/<{ID}:application_id>/overrides", methods=["POST"], tags=APPLICATIONS)
@allow(*EDIT)
@bp.arguments(OverrideIn)
@bp.response(200, ApplicationDetail)
def application_override(data, application_id: int):
    """نادیده گرفتن شرط ناموفق با ذکر دلیل"""
    application = get_or_404(Application, application_id)
    ops.override_check(application, data["check_code"], data["reason"], actor=current_user)
    db.session.commit()
    return _detail(application)


@bp.route(f"/applications/<{ID}:application_id>/payments", methods=["POST"], tags=APPLICATIONS)
@allow(*EDIT)
@bp.arguments(PaymentIn)
@bp.response(201, ApplicationDetail)
def application_payment(data, application_id: int):
    """ثبت پرداخت حق امتیاز (ریال، شماره رسید، بانک، تاریخ)"""
    application = get_or_404(Application, application_id)
    ops.record_payment(application, **data, actor=current_user)
    db.session.commit()
    return _detail(application)


@bp.route(f"/applications/<{ID}:application_id>/visit-requests", methods=["POST"], tags=APPLICATIONS)
@allow(*EDIT)
@bp.arguments(VisitRequestIn)
@bp.response(201, VisitRequestOut)
def application_visit_request(data, application_id: int):
    """درخواست بازدید محل از بازرسان؛ درخواست در انتظار نتیجه می‌ماند"""
    application = get_or_404(Application, application_id)
    visit = ops.request_site_visit(
        application, actor=current_user, due_on=data.get("due_on"), note=data.get("note")
    )
    db.session.commit()
    return visit


@bp.route(f"/applications/<{ID}:application_id>/licence", methods=["POST"], tags=APPLICATIONS)
@allow(*EDIT)
@bp.arguments(IssueIn, required=False)
@bp.response(201, LicenceDetailOut)
def application_issue(data, application_id: int):
    """صدور پروانه برای درخواست تصویب‌شده (یا انتقال، تمدید، تغییر نشانی آن)، با تاریخ واقعی صدور"""
    application = get_or_404(Application, application_id)
    licence = ops.issue_licence(application, actor=current_user, issued_on=(data or {}).get("issued_on"))
    db.session.commit()
    return licence
