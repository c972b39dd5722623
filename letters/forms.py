"""Forms of the letter screens."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.forms import BaseForm, JalaliDateField, MobileField, choices
from letters.models import DeliveryChannel


class LetterForm(BaseForm):
    recipient_name = StringField("گیرنده (شخص یا سمت)", validators=[Optional(), Length(max=200)])
    recipient_company = StringField("شرکت", validators=[Optional(), Length(max=200)])
    recipient_organisation = StringField("سازمان یا بانک", validators=[Optional(), Length(max=200)])
    recipient_mobile = MobileField("تلفن همراه گیرنده (برای پیامک)", validators=[Optional()])
    recipient_email = StringField(
        "رایانامه گیرنده", validators=[Optional(), Length(max=200)], render_kw={"dir": "ltr"}
    )
    recipient_address = StringField("نشانی پستی گیرنده", validators=[Optional(), Length(max=2000)])
    letter_date = JalaliDateField("تاریخ نامه", validators=[InputRequired("تاریخ نامه را وارد کنید.")])
    subject = StringField("موضوع", validators=[DataRequired("موضوع نامه را بنویسید."), Length(max=300)])
    body = TextAreaField("متن", validators=[DataRequired("متن نامه را بنویسید.")], render_kw={"rows": 10})
    signer_name = StringField("امضاکننده", validators=[Optional(), Length(max=150)])
    signer_title = StringField("سمت امضاکننده", validators=[Optional(), Length(max=150)])


class DeliveryForm(BaseForm):
    channel = SelectField(
        "روش تحویل",
        choices=choices([(c.value, c.label) for c in DeliveryChannel if not c.automatic]),
    )
    served_on = JalaliDateField(
        "تاریخ تحویل به گیرنده", validators=[InputRequired("تاریخ تحویل را وارد کنید.")]
    )
    note = StringField("توضیح (نام تحویل‌گیرنده، شماره مرسوله)", validators=[Optional(), Length(max=500)])


class ContactForm(BaseForm):
    recipient_mobile = MobileField("تلفن همراه", validators=[Optional()])
    recipient_email = StringField(
        "رایانامه", validators=[Optional(), Length(max=200)], render_kw={"dir": "ltr"}
    )


class AttachmentForm(BaseForm):
    file = FileField("فایل پیوست (PDF، JPEG یا PNG)", validators=[FileRequired("فایل را انتخاب کنید.")])


class TemplateForm(BaseForm):
    subject = StringField("موضوع", validators=[DataRequired("موضوع را بنویسید.")])
    body = TextAreaField("متن نامه", validators=[DataRequired("متن را بنویسید.")], render_kw={"rows": 12})
    sms_text = TextAreaField(
        "متن پیامک", validators=[DataRequired("متن پیامک را بنویسید.")], render_kw={"rows": 3}
    )


class CorrespondentForm(BaseForm):
    name = StringField("نام سازمان", validators=[DataRequired("نام سازمان را بنویسید."), Length(max=200)])
    email = StringField("رایانامه", validators=[Optional(), Length(max=200)], render_kw={"dir": "ltr"})
    mobile = MobileField("تلفن همراه (پیامک)", validators=[Optional()])
    address = StringField("نشانی پستی", validators=[Optional(), Length(max=2000)])
