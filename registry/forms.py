"""Forms for sites, people and status changes."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.args import coerce_id
from core.forms import (
    BaseForm,
    CoordinateField,
    DigitsField,
    JalaliDateField,
    MobileField,
    NationalIdField,
    choices,
    enum_choices,
)
from registry.models import CompanyRole, Education, LocalityType, SiteKind, SiteStatus
from registry.reference import BANKS

REQUIRED = "این فیلد اجباری است."


class SiteForm(BaseForm):
    version = HiddenField()
    kind = SelectField("نوع", choices=enum_choices(SiteKind), validators=[DataRequired(REQUIRED)])
    code = StringField("کد", validators=[DataRequired(REQUIRED), Length(max=20)], render_kw={"dir": "ltr"})
    name = StringField("نام", validators=[DataRequired(REQUIRED), Length(max=200)])
    county_id = SelectField("شهرستان", coerce=coerce_id, validators=[DataRequired(REQUIRED)])
    locality_type = SelectField("شهر یا روستا", choices=enum_choices(LocalityType))
    locality = StringField("نام شهر یا روستا", validators=[DataRequired(REQUIRED), Length(max=100)])
    address = TextAreaField(
        "نشانی", validators=[DataRequired(REQUIRED), Length(max=500)], render_kw={"rows": 2}
    )
    postal_code = DigitsField(
        "کد پستی", validators=[Optional()], length=10, message="کد پستی باید ۱۰ رقم باشد."
    )
    phone = DigitsField("تلفن", validators=[Optional(), Length(max=20)])
    lat = CoordinateField("عرض جغرافیایی", validators=[Optional()], axis="lat")
    lon = CoordinateField("طول جغرافیایی", validators=[Optional()], axis="lon")
    established_on = JalaliDateField("تاریخ آغاز فعالیت", validators=[Optional()])
    operator_national_id = NationalIdField("کد ملی متصدی (مدیر دفتر)", validators=[Optional()])
    bank = SelectField(
        "بانک", choices=choices([("", "—"), *[(b, b) for b in BANKS]]), validators=[Optional()]
    )
    terminal_id = DigitsField("شماره پایانه", validators=[Optional(), Length(max=20)])
    host_site_code = StringField(
        "کد دفتر میزبان", validators=[Optional(), Length(max=20)], render_kw={"dir": "ltr"}
    )
    notes = TextAreaField("یادداشت", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class StatusForm(BaseForm):
    status = SelectField("وضعیت جدید", choices=enum_choices(SiteStatus), validators=[DataRequired(REQUIRED)])
    effective_on = JalaliDateField("از تاریخ", validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(
        "دلیل", validators=[DataRequired(REQUIRED), Length(max=1000)], render_kw={"rows": 2}
    )


class CompanyForm(BaseForm):
    version = HiddenField()
    name = StringField("نام شرکت", validators=[DataRequired(REQUIRED), Length(max=200)])
    national_id = DigitsField(
        "شناسه ملی (۱۱ رقم)",
        validators=[DataRequired(REQUIRED)],
        length=11,
        message="شناسه ملی شرکت باید ۱۱ رقم باشد.",
    )
    registration_number = DigitsField("شماره ثبت", validators=[DataRequired(REQUIRED)])
    registered_on = JalaliDateField("تاریخ ثبت", validators=[Optional()])
    registration_office = StringField("محل ثبت", validators=[Optional(), Length(max=120)])
    managing_director_national_id = NationalIdField("کد ملی مدیرعامل", validators=[DataRequired(REQUIRED)])


class CompanyMemberForm(BaseForm):
    national_id = NationalIdField("کد ملی", validators=[DataRequired(REQUIRED)])
    role = SelectField("سمت", choices=enum_choices(CompanyRole))
    share_percent = StringField(
        "سهم (درصد)", validators=[Optional(), Length(max=6)], render_kw={"dir": "ltr"}
    )


class PersonForm(BaseForm):
    version = HiddenField()
    national_id = NationalIdField(validators=[DataRequired(REQUIRED)])
    first_name = StringField("نام", validators=[DataRequired(REQUIRED), Length(max=80)])
    last_name = StringField("نام خانوادگی", validators=[DataRequired(REQUIRED), Length(max=80)])
    father_name = StringField("نام پدر", validators=[Optional(), Length(max=80)])
    birth_date = JalaliDateField("تاریخ تولد", validators=[Optional()])
    mobile = MobileField("تلفن همراه", validators=[Optional()])
    education = SelectField("تحصیلات", choices=enum_choices(Education, "—"), validators=[Optional()])
    field_of_study = StringField("رشته تحصیلی", validators=[Optional(), Length(max=120)])
    state_employee = BooleanField("کارمند دولت است")
