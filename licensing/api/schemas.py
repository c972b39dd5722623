"""The licensing API's request and response schemas, and the fields each kind of request takes."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields

from api.fields import (
    Bool,
    Choice,
    DateIn,
    Enum,
    Int,
    JalaliOf,
    Label,
    Nested,
    QueryInt,
    Schema,
    Str,
    UtcDateTime,
    latitude,
    longitude,
)
from api.schemas import PageArgs, PersonBrief
from core.security import has_role
from licensing import operations as ops
from licensing.models import (
    WG_DECISIONS,
    ApplicationKind,
    ApplicationState,
    LicenceStatus,
    TermKind,
    VisitRequestState,
)
from registry.api import SiteBrief
from registry.models import OFFICE_KINDS, LocalityType, SiteKind
from registry.permissions import VIEW_PEOPLE

APPLICATIONS, SESSIONS, LICENCES = ["applications"], ["wg-sessions"], ["licences"]
S = ApplicationState
# The steps /transitions takes; decisions come from a session, issuing from …/licence, and a site
# visit is asked for through …/visit-requests (which also creates the request for inspectors).
API_STEPS = (S.UNDER_REVIEW, S.READY_FOR_WG, S.CLOSED)
# The fields each kind of request takes from the body (the others are ignored, as on the screens).
DETAILS = {
    ApplicationKind.NEW: tuple(
        key
        for key in ops.APPLICATION_FIELDS
        if key not in ("notes", "via_power_of_attorney", "old_lease_ends_on")
    ),
    ApplicationKind.TRANSFER: ("via_power_of_attorney",),
    ApplicationKind.RENEWAL: (),
    ApplicationKind.ADDRESS_CHANGE: (
        "address",
        "locality",
        "postal_code",
        "lat",
        "lon",
        "premises_m2",
        "premises_owned",
        "lease_ends_on",
        "old_lease_ends_on",
    ),
}
# Who answers for a new office or a transferee: a company (by its 11-digit identifier) and the
# office's manager and deputy.
PEOPLE_KEYS = ("applicant_company_national_id", "manager_national_id", "deputy_national_id")


# ---------------------------------------------------------------- schemas


class NumberOnly(Schema):
    id = fields.Integer()
    number = fields.String()


class ApplicantBrief(PersonBrief):
    # Personal data: only for the roles that see people (as on the screens); null for the others.
    national_id = fields.Function(
        lambda person: person.national_id if has_role(*VIEW_PEOPLE) else None,
        metadata={"type": "string", "nullable": True, "description": "فقط برای نقش‌هایی که اشخاص را می‌بینند"},
    )


class StepOut(Schema):
    from_state = fields.Enum(ApplicationState, by_value=True, allow_none=True)
    to_state = fields.Enum(ApplicationState, by_value=True)
    to_state_label = Label("to_state")
    at = UtcDateTime()
    at_jalali = JalaliOf("at")
    actor_name = fields.String()
    note = fields.String(allow_none=True)


class DocumentOut(Schema):
    id = fields.Integer()
    document_type_id = fields.Integer()
    document_type_code = fields.String(attribute="document_type.code")
    title = fields.String(attribute="document_type.title")
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = UtcDateTime()
    uploaded_at_jalali = JalaliOf("uploaded_at")


class ChecklistItemOut(Schema):
    document_type_id = fields.Integer()
    code = fields.String()
    title = fields.String()
    required = fields.Boolean()
    uploaded = fields.Integer(metadata={"description": "تعداد فایل‌های بارگذاری‌شده"})


class CheckOut(Schema):
    code = fields.String()
    title = fields.String()
    passed = fields.Boolean()
    detail = fields.String()
    rule_class = fields.String(
        metadata={"description": "statutory: نادیده گرفته نمی‌شود؛ discretionary: با دلیل"}
    )
    basis = fields.String()
    overridable = fields.Boolean()
    blocking = fields.Boolean()
    overridden = fields.Function(lambda check: check.override is not None, metadata={"type": "boolean"})
    override_by = fields.Function(
        lambda check: check.override.actor_name if check.override else None,
        metadata={"type": "string", "nullable": True},
    )


class CompanyBrief(Schema):
    id = fields.Integer()
    name = fields.String()
    national_id = fields.String()


class FeeOut(Schema):
    tier = fields.String()
    tier_label = fields.String()
    due = fields.Integer(metadata={"description": "ریال"})
    paid = fields.Integer(metadata={"description": "ریال"})
    outstanding = fields.Integer(metadata={"description": "ریال"})


class PaymentIn(Schema):
    amount_rials = Int(required=True, minimum=1)
    receipt_number = Str(required=True, max_length=40)
    bank = Str(required=True, max_length=60)
    paid_on = DateIn(required=True)


class VisitRequestOut(Schema):
    id = fields.Integer()
    purpose = fields.String()
    state = fields.Enum(VisitRequestState, by_value=True)
    state_label = Label("state")
    due_on = fields.Date()
    due_on_jalali = JalaliOf("due_on")
    passed = fields.Boolean(allow_none=True)
    result_notes = fields.String(allow_none=True)
    completed_at = UtcDateTime(allow_none=True)


class ApplicationOut(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.Enum(ApplicationKind, by_value=True)
    kind_label = Label("kind")
    office_kind = fields.Enum(SiteKind, by_value=True)
    state = fields.Enum(ApplicationState, by_value=True)
    state_label = Label("state")
    applicant = Nested(ApplicantBrief)
    applicant_company = Nested(CompanyBrief, allow_none=True)
    licence_number = fields.Pluck(NumberOnly, "number", attribute="licence", allow_none=True)
    site = Nested(SiteBrief, allow_none=True)
    received_on = fields.Date()
    received_on_jalali = JalaliOf("received_on")
    due_on = fields.Date()
    due_on_jalali = JalaliOf("due_on")
    overdue = fields.Function(ops.is_overdue, metadata={"type": "boolean"})
    office_name = fields.String(allow_none=True)
    county_id = fields.Integer(allow_none=True)
    locality = fields.String(allow_none=True)
    locality_type = fields.Enum(LocalityType, by_value=True, allow_none=True)
    address = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    premises_m2 = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    decided_on_jalali = JalaliOf("decided_on")
    decision_reason = fields.String(allow_none=True)
    closed_reason = fields.String(allow_none=True)
    version = fields.Integer()


class ApplicationDetail(ApplicationOut):
    allowed_transitions = fields.List(
        fields.Enum(ApplicationState, by_value=True),
        metadata={"description": "گام‌هایی که از وضعیت کنونی با /transitions می‌شود رفت"},
    )
    checks = fields.List(Nested(CheckOut))
    checklist = fields.List(Nested(ChecklistItemOut))
    documents = fields.List(Nested(DocumentOut))
    steps = fields.List(Nested(StepOut))
    visit_requests = fields.List(Nested(VisitRequestOut))
    licences = fields.List(fields.Pluck(NumberOnly, "number"))
    fee = Nested(FeeOut)


class ApplicationArgs(PageArgs):
    state = Enum(ApplicationState, metadata={"description": "بی‌آن: همه درخواست‌های باز"})
    kind = Enum(ApplicationKind)
    q = Str(max_length=100, metadata={"description": "نام یا کد ملی متقاضی، یا شماره درخواست"})
    overdue = Bool(load_default=False, metadata={"description": "فقط درخواست‌های گذشته از مهلت"})


class ApplicationIn(Schema):
    kind = Enum(ApplicationKind, required=True)
    received_on = DateIn(load_default=None, allow_none=True, metadata={"description": "پیش‌فرض: امروز"})
    notes = Str(max_length=2000, load_default=None, allow_none=True)
    applicant_national_id = Str(
        max_length=20,
        load_default=None,
        allow_none=True,
        metadata={"description": "صدور و انتقال؛ در تمدید و تغییر نشانی فقط کد ملی دارنده پروانه"},
    )
    licence_number = Str(
        max_length=30,
        load_default=None,
        allow_none=True,
        metadata={"description": "انتقال، تمدید و تغییر نشانی", "example": "15-P-1401-00001"},
    )
    office_kind = Choice(OFFICE_KINDS, load_default=None, allow_none=True)
    office_name = Str(max_length=200, load_default=None, allow_none=True)
    county_id = Int(load_default=None, allow_none=True)
    locality_type = Enum(LocalityType, load_default=None, allow_none=True)
    locality = Str(max_length=100, load_default=None, allow_none=True)
    address = Str(max_length=500, load_default=None, allow_none=True)
    postal_code = Str(max_length=20, load_default=None, allow_none=True)
    lat = latitude(load_default=None, allow_none=True)
    lon = longitude(load_default=None, allow_none=True)
    premises_m2 = Int(load_default=None, allow_none=True, maximum=1_000_000)
    premises_owned = Bool(load_default=False)
    lease_ends_on = DateIn(load_default=None, allow_none=True)
    old_lease_ends_on = DateIn(load_default=None, allow_none=True)
    via_power_of_attorney = Bool(load_default=False)
    applicant_company_national_id = Str(
        max_length=20, load_default=None, allow_none=True, metadata={"description": "شناسه ملی ۱۱ رقمی شرکت"}
    )
    manager_national_id = Str(max_length=20, load_default=None, allow_none=True)
    deputy_national_id = Str(max_length=20, load_default=None, allow_none=True)


class TransitionIn(Schema):
    to_state = Choice(API_STEPS, required=True)
    note = Str(max_length=1000, load_default=None, allow_none=True)


class DocumentIn(Schema):
    document_type_id = QueryInt(required=True)
    file = Upload(required=True, error_messages={"required": "فایل را بفرستید."})


class OverrideIn(Schema):
    check_code = Str(required=True, max_length=40)
    reason = Str(required=True, max_length=1000)


class VisitRequestIn(Schema):
    due_on = DateIn(load_default=None, allow_none=True)
    note = Str(max_length=1000, load_default=None, allow_none=True)


class AttendeeOut(Schema):
    id = fields.Integer()
    full_name = fields.String()
    title = fields.String(allow_none=True)
    organisation = fields.String()


class AgendaApplication(NumberOnly):
    kind = fields.Enum(ApplicationKind, by_value=True)
    state = fields.Enum(ApplicationState, by_value=True)
    applicant = Nested(PersonBrief)


class AgendaItemOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    application = Nested(AgendaApplication)
    decision = fields.Enum(ApplicationState, by_value=True, allow_none=True)
    decision_label = Label("decision")
    reasons = fields.String(allow_none=True)


class WgSessionOut(Schema):
    id = fields.Integer()
    number = fields.String()
    held_on = fields.Date()
    held_on_jalali = JalaliOf("held_on")
    place = fields.String(allow_none=True)
    closed = fields.Boolean()
    attendees = fields.List(Nested(AttendeeOut))
    items = fields.List(Nested(AgendaItemOut))
    version = fields.Integer()


class WgSessionIn(Schema):
    held_on = DateIn(required=True)
    place = Str(max_length=200, load_default=None, allow_none=True)


class AttendeeIn(Schema):
    full_name = Str(required=True, max_length=150)
    title = Str(max_length=150, load_default=None, allow_none=True)
    organisation = Str(required=True, max_length=200)


class AgendaIn(Schema):
    application_id = Int(required=True)


class DecisionIn(Schema):
    decision = Choice(WG_DECISIONS, required=True)
    reasons = Str(required=True, max_length=2000)


class LicenceOut(Schema):
    id = fields.Integer()
    number = fields.String()
    office_kind = fields.Enum(SiteKind, by_value=True)
    office_kind_label = Label("office_kind")
    status = fields.Enum(LicenceStatus, by_value=True)
    status_label = Label("status")
    status_reason = fields.String(allow_none=True)
    issued_on = fields.Date()
    issued_on_jalali = JalaliOf("issued_on")
    expires_on = fields.Date()
    expires_on_jalali = JalaliOf("expires_on")
    suspended_until = fields.Date(allow_none=True)
    suspended_until_jalali = JalaliOf("suspended_until")
    renewed_on = fields.Date(allow_none=True)
    renewed_on_jalali = JalaliOf("renewed_on")
    office_name = fields.String()
    address = fields.String()
    site = Nested(SiteBrief)
    holder = Nested(PersonBrief)
    application_number = fields.Pluck(NumberOnly, "number", attribute="application", allow_none=True)
    previous_licence_number = fields.Pluck(
        NumberOnly, "number", attribute="previous_licence", allow_none=True
    )
    version = fields.Integer()


class TermOut(Schema):
    kind = fields.Enum(TermKind, by_value=True)
    kind_label = Label("kind")
    effective_on = fields.Date(metadata={"description": "روزی که رویداد رخ داد"})
    effective_on_jalali = JalaliOf("effective_on")
    valid_from = fields.Date(allow_none=True)
    valid_from_jalali = JalaliOf("valid_from")
    valid_to = fields.Date(allow_none=True)
    valid_to_jalali = JalaliOf("valid_to")
    from_holder = Nested(PersonBrief, allow_none=True)
    to_holder = Nested(PersonBrief, allow_none=True)
    application_number = fields.Pluck(NumberOnly, "number", attribute="application", allow_none=True)
    ruling_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    entered_at = fields.DateTime(metadata={"description": "زمان ثبت در سامانه"})
    entered_late = fields.Function(
        lambda term: ops.entered_late(term),
        metadata={"description": "ثبت با تأخیر: روز ثبت با روز رویداد فرق دارد"},
    )
    actor_name = fields.String()


class LicenceDetailOut(LicenceOut):
    terms = fields.Function(
        lambda licence: TermOut(many=True).dump(ops.licence_terms(licence)),
        metadata={"description": "سابقه پروانه (و پروانه‌هایی که جایگزین کرد)، قدیمی‌ترین نخست"},
    )


class IssueIn(Schema):
    issued_on = DateIn(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "روز صدور (پیش‌فرض: امروز). صدور با تاریخ گذشته: شماره از سال و شمارنده همان روز، "
            "انقضا از همان روز؛ پیش از تصمیم کارگروه یا پس از امروز پذیرفته نمی‌شود."
        },
    )


class LicenceArgs(PageArgs):
    status = Enum(LicenceStatus)
    q = Str(max_length=40, metadata={"description": "بخشی از شماره پروانه"})
    expiring = Bool(load_default=False, metadata={"description": "پروانه‌های فعالی که به‌زودی منقضی می‌شوند"})
