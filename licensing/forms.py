"""Forms for applications, documents, checks, visits, working-group sessions."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.args import coerce_id
from core.forms import (
    BaseForm,
    CoordinateField,
    DigitsField,
    JalaliDateField,
    LocalIntegerField,
    NationalIdField,
    choices,
    enum_choices,
)
from licensing.models import WG_DECISIONS
from registry.models import LocalityType

REQUIRED = "این فیلد اجباری است."


class _ApplicationBase(BaseForm):
    received_on = JalaliDateField("تاریخ دریافت", validators=[InputRequired(REQUIRED)])
    notes = TextAreaField("یادداشت", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


COMPANY_ID = "شناسه ملی شرکت متقاضی (شخص حقوقی)"


def _company_fields(form_cls):
    """A company applies through its managing director and names the office's manager and deputy."""
    form_cls.applicant_company_national_id = DigitsField(
        COMPANY_ID, validators=[Optional()], length=11, message="شناسه ملی شرکت باید ۱۱ رقم باشد."
    )
    form_cls.manager_national_id = NationalIdField("کد ملی مدیر دفتر", validators=[Optional()])
    form_cls.deputy_national_id = NationalIdField("کد ملی جانشین مدیر دفتر", validators=[Optional()])
    return form_cls


def _premises_fields(form_cls):
    form_cls.premises_m2 = LocalIntegerField("مساحت محل (متر مربع)", validators=[Optional()])
    form_cls.premises_owned = BooleanField("محل ملکی است (سند مالکیت)")
    form_cls.lease_ends_on = JalaliDateField("پایان اجاره‌نامه محل", validators=[Optional()])
    return form_cls


@_premises_fields
@_company_fields
class NewApplicationForm(_ApplicationBase):
    office_kind = SelectField(
        "نوع دفتر",
        choices=choices(
            [
                ("counter_office", "دفتر پیشخوان خدمات دولت"),
                ("rural_ict_office", "دفتر ICT روستایی"),
            ]
        ),
    )
    applicant_national_id = NationalIdField(
        "کد ملی متقاضی حقیقی (برای شرکت خالی بماند: مدیرعامل شرکت درخواست می‌دهد)", validators=[Optional()]
    )
    office_name = StringField("نام پیشنهادی دفتر", validators=[DataRequired(REQUIRED), Length(max=200)])
    county_id = SelectField("شهرستان", coerce=coerce_id, validators=[DataRequired(REQUIRED)])
    locality_type = SelectField("شهر یا روستا", choices=enum_choices(LocalityType))
    locality = StringField("نام شهر یا روستا", validators=[DataRequired(REQUIRED), Length(max=100)])
    address = TextAreaField(
        "نشانی محل پیشنهادی",
        validators=[DataRequired(REQUIRED), Length(max=500)],
        render_kw={"rows": 2},
    )
    postal_code = DigitsField(
        "کد پستی", validators=[Optional()], length=10, message="کد پستی باید ۱۰ رقم باشد."
    )
    lat = CoordinateField("عرض جغرافیایی", validators=[InputRequired(REQUIRED)], axis="lat")
    lon = CoordinateField("طول جغرافیایی", validators=[InputRequired(REQUIRED)], axis="lon")


@_company_fields
class TransferForm(_ApplicationBase):
    licence_number = StringField(
        "شماره پروانه",
        validators=[DataRequired(REQUIRED), Length(max=30)],
        render_kw={"dir": "ltr"},
    )
    applicant_national_id = NationalIdField(
        "کد ملی انتقال‌گیرنده (برای شرکت: مدیرعامل)", validators=[Optional()]
    )
    via_power_of_attorney = BooleanField("انتقال با وکالت‌نامه درخواست شده است")


# Only the holder asks for a renewal or an address change: the national ID of whoever brings the
# request may be entered, and the operation refuses anyone else; left empty, the holder applies.
HOLDER_NATIONAL_ID = "کد ملی متقاضی (دارنده پروانه)"


class RenewalForm(_ApplicationBase):
    licence_number = StringField(
        "شماره پروانه",
        validators=[DataRequired(REQUIRED), Length(max=30)],
        render_kw={"dir": "ltr"},
    )
    applicant_national_id = NationalIdField(HOLDER_NATIONAL_ID, validators=[Optional()])


@_premises_fields
class AddressChangeForm(_ApplicationBase):
    licence_number = StringField(
        "شماره پروانه",
        validators=[DataRequired(REQUIRED), Length(max=30)],
        render_kw={"dir": "ltr"},
    )
    applicant_national_id = NationalIdField(HOLDER_NATIONAL_ID, validators=[Optional()])
    locality = StringField("شهر یا روستا", validators=[Optional(), Length(max=100)])
    address = TextAreaField(
        "نشانی جدید", validators=[DataRequired(REQUIRED), Length(max=500)], render_kw={"rows": 2}
    )
    postal_code = DigitsField(
        "کد پستی جدید", validators=[Optional()], length=10, message="کد پستی باید ۱۰ رقم باشد."
    )
    lat = CoordinateField("عرض جغرافیایی", validators=[InputRequired(REQUIRED)], axis="lat")
    lon = CoordinateField("طول جغرافیایی", validators=[InputRequired(REQUIRED)], axis="lon")
    old_lease_ends_on = JalaliDateField("پایان اجاره‌نامه محل فعلی", validators=[Optional()])


class NoteForm(BaseForm):
    to_state = HiddenField()
    note = TextAreaField("توضیح", validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})


class UploadForm(BaseForm):
    document_type_id = SelectField("مدرک", coerce=coerce_id, validators=[DataRequired(REQUIRED)])
    file = FileField("فایل (PDF، JPEG یا PNG)", validators=[FileRequired("فایل را انتخاب کنید.")])


class OverrideForm(BaseForm):
    check_code = HiddenField(validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(
        "دلیل نادیده گرفتن شرط",
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"rows": 2},
    )


class IssueForm(BaseForm):
    issued_on = JalaliDateField("تاریخ صدور", validators=[Optional()])


class PaymentForm(BaseForm):
    amount_rials = LocalIntegerField("مبلغ (ریال)", validators=[InputRequired(REQUIRED)])
    receipt_number = StringField(
        "شماره رسید", validators=[DataRequired(REQUIRED), Length(max=40)], render_kw={"dir": "ltr"}
    )
    bank = StringField("بانک", validators=[DataRequired(REQUIRED), Length(max=60)])
    paid_on = JalaliDateField("تاریخ پرداخت", validators=[InputRequired(REQUIRED)])


class VisitRequestForm(BaseForm):
    due_on = JalaliDateField("مهلت بازدید", validators=[Optional()])
    note = TextAreaField("توضیح برای بازرس", validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})


class VisitResultForm(BaseForm):
    passed = RadioField(
        "نتیجه",
        choices=choices([("yes", "محل تأیید شد"), ("no", "محل تأیید نشد")]),
        validators=[InputRequired("نتیجه را انتخاب کنید.")],
    )
    notes = TextAreaField(
        "شرح بازدید", validators=[DataRequired(REQUIRED), Length(max=2000)], render_kw={"rows": 3}
    )


class SessionForm(BaseForm):
    held_on = JalaliDateField("تاریخ جلسه", validators=[InputRequired(REQUIRED)])
    place = StringField("محل جلسه", validators=[Optional(), Length(max=200)])


class AttendeeForm(BaseForm):
    full_name = StringField("نام و نام خانوادگی", validators=[DataRequired(REQUIRED), Length(max=150)])
    title = StringField("سمت", validators=[Optional(), Length(max=150)])
    organisation = StringField("سازمان", validators=[DataRequired(REQUIRED), Length(max=200)])


class AgendaForm(BaseForm):
    application_id = SelectField(
        "درخواست آماده", coerce=coerce_id, validators=[DataRequired("درخواستی انتخاب کنید.")]
    )


class DecisionForm(BaseForm):
    decision = SelectField(
        "تصمیم",
        choices=choices((s.value, s.label) for s in WG_DECISIONS),
        validators=[DataRequired(REQUIRED)],
    )
    reasons = TextAreaField(
        "دلایل", validators=[DataRequired(REQUIRED), Length(max=2000)], render_kw={"rows": 2}
    )
