"""Forms of the public pages and of the complaint desk."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from core.args import coerce_id
from core.forms import BaseForm, DigitsField, JalaliDateField, LocalIntegerField, MobileField


class ComplaintForm(BaseForm):
    office_code = StringField("کد دفتر", validators=[InputRequired("کد دفتر را وارد کنید."), Length(max=20)])
    happened_on = JalaliDateField("تاریخ رخداد", validators=[InputRequired("تاریخ رخداد را وارد کنید.")])
    description = TextAreaField(
        "چه رخ داد؟", validators=[InputRequired("آنچه رخ داده است را بنویسید."), Length(max=4000)]
    )
    complainant_name = StringField("نام و نام خانوادگی (اختیاری)", validators=[Optional(), Length(max=150)])
    complainant_mobile = MobileField("تلفن همراه (اختیاری)", validators=[Optional()])
    complainant_email = StringField(
        "پست الکترونیک (اختیاری)",
        validators=[
            Optional(),
            Length(max=200),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="نشانی پست الکترونیک درست نیست."),
        ],
        render_kw={"dir": "ltr"},
    )
    photo = FileField("عکس (اختیاری، JPEG یا PNG)")
    challenge_token = HiddenField()
    challenge_answer = DigitsField(
        "پاسخ پرسش امنیتی",
        validators=[InputRequired("به پرسش امنیتی پاسخ دهید.")],
        render_kw={"inputmode": "numeric"},
    )


class TrackForm(BaseForm):
    class Meta:
        csrf = False

    code = StringField("کد پیگیری", validators=[InputRequired("کد پیگیری را وارد کنید."), Length(max=20)])


class DismissForm(BaseForm):
    reason = TextAreaField(
        "دلیل رد", validators=[InputRequired("دلیل رد شکایت را بنویسید."), Length(max=2000)]
    )


class AskOfficeForm(BaseForm):
    due_on = JalaliDateField("مهلت پاسخ دفتر (خالی: مهلت پیش‌فرض)", validators=[Optional()])


class OfficeAnswerForm(BaseForm):
    answer = TextAreaField("پاسخ دفتر", validators=[InputRequired("پاسخ دفتر را بنویسید."), Length(max=4000)])


class ScheduleForm(BaseForm):
    inspector_id = SelectField("بازرس", coerce=coerce_id, validators=[InputRequired("بازرس را انتخاب کنید.")])
    planned_on = JalaliDateField("تاریخ بازدید", validators=[InputRequired("تاریخ بازدید را وارد کنید.")])


class ReferForm(BaseForm):
    violation_type_ids = SelectMultipleField(
        "تخلف", coerce=coerce_id, validators=[InputRequired("دست‌کم یک تخلف را انتخاب کنید.")]
    )
    summary = TextAreaField("شرح پرونده (خالی: متن شکایت)", validators=[Optional(), Length(max=4000)])


class ServiceTypeForm(BaseForm):
    name = StringField("نام خدمت", validators=[InputRequired("نام خدمت را بنویسید."), Length(max=150)])


class OfficeProfileForm(BaseForm):
    hours = StringField("ساعات کار", validators=[Optional(), Length(max=200)])
    service_ids = SelectMultipleField("خدمات", coerce=coerce_id, validators=[Optional()])


class FinderForm(BaseForm):
    class Meta:
        csrf = False

    county = LocalIntegerField("شهرستان", validators=[Optional()])
    q = StringField("شهر یا روستا", validators=[Optional(), Length(max=100)])
    service = LocalIntegerField("خدمت", validators=[Optional()])
