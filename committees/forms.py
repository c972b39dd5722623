"""Forms of the violations committee: catalogue, cases, members, sessions, rulings, appeals."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from committees.models import AppealOutcome, CaseSource, PenaltyKind, Severity, VoteChoice
from committees.operations import LADDER_PENALTIES, MAX_LADDER_STEPS, MAX_LOOKBACK_DAYS
from core.args import coerce_id
from core.forms import BaseForm, JalaliDateField, LocalIntegerField, NationalIdField, choices, enum_choices
from core.persian import format_number, to_latin_digits, to_persian_digits

REQUIRED = "این فیلد اجباری است."


def _max(limit: int) -> Length:
    return Length(max=limit, message=f"این فیلد حداکثر {format_number(limit)} نویسه است.")


def _text(label: str, limit: int = 4000, rows: int = 3, required: bool = True, **kwargs):
    validators = [DataRequired(REQUIRED) if required else Optional(), _max(limit)]
    return TextAreaField(label, validators=validators, render_kw={"rows": rows}, **kwargs)


class CountField(LocalIntegerField):
    """A whole number (days) typed with any digits and shown with Persian digits."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "dir": "ltr", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return to_persian_digits(self.data) if self.data is not None else ""


class RialField(CountField):
    """An amount in rials typed with any digits and thousands separators (۲۰٬۰۰۰٬۰۰۰)."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist):
        cleaned = [to_latin_digits(v).replace("٬", "").replace(",", "").replace(" ", "") for v in valuelist]
        super().process_formdata(cleaned)


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes; an unknown value gets a Persian message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", "گزینه انتخاب‌شده در فهرست نیست.")
        super().__init__(label, validators, **kwargs)


# ---------------------------------------------------------------- the catalogue


class LadderStepForm(Form):
    """One step of a penalty ladder (a sub-form: the outer form carries the CSRF token)."""

    class Meta:
        locales = ("fa",)

    penalty = SelectField(
        "مجازات",
        choices=choices([("", "—"), *((p.value, p.label) for p in LADDER_PENALTIES)]),
        validators=[Optional()],
    )
    days = CountField(
        "روز تعلیق", validators=[Optional(), NumberRange(min=1, message="روزهای تعلیق باید دست‌کم ۱ باشد.")]
    )
    amount = RialField(
        "مبلغ جریمه (ریال)",
        validators=[Optional(), NumberRange(min=1, message="مبلغ جریمه باید بیش از صفر باشد.")],
    )


class ViolationTypeForm(BaseForm):
    code = StringField("کد", validators=[DataRequired(REQUIRED), _max(20)], render_kw={"dir": "ltr"})
    title = StringField("عنوان تخلف", validators=[DataRequired(REQUIRED), _max(200)])
    description = _text("شرح", required=False, rows=2)
    severity = SelectField("شدت", choices=enum_choices(Severity))
    lookback_days = CountField(
        "دوره بازنگری سوابق (روز)",
        validators=[
            InputRequired(REQUIRED),
            NumberRange(
                min=1,
                max=MAX_LOOKBACK_DAYS,
                message=f"دوره بازنگری باید از ۱ تا {format_number(MAX_LOOKBACK_DAYS)} روز باشد.",
            ),
        ],
    )
    legal_basis = _text("مستند قانونی", required=False, rows=2)
    active = BooleanField("فعال (در فهرست تخلفات پرونده‌های تازه)", default=True)
    steps = FieldList(FormField(LadderStepForm), min_entries=MAX_LADDER_STEPS, max_entries=MAX_LADDER_STEPS)

    def ladder_steps(self) -> list[dict]:
        return [{"penalty": s.penalty.data, "days": s.days.data, "amount": s.amount.data} for s in self.steps]


# ---------------------------------------------------------------- cases


class CaseForm(BaseForm):
    office_code = StringField(
        "کد دفتر",
        validators=[DataRequired(REQUIRED), _max(20)],
        render_kw={"dir": "ltr", "inputmode": "numeric"},
    )
    source = SelectField(
        "منشأ", choices=choices((s.value, s.label) for s in (CaseSource.COMPLAINT, CaseSource.MANUAL))
    )
    violation_type_ids = MultiCheckboxField("تخلفات", coerce=coerce_id)
    offence_on = JalaliDateField("تاریخ وقوع تخلف", validators=[InputRequired(REQUIRED)])
    opened_on = JalaliDateField("تاریخ تشکیل پرونده", validators=[InputRequired(REQUIRED)])
    complainant = StringField("شاکی", validators=[Optional(), _max(200)])
    summary = _text("شرح پرونده", limit=2000)


class DefenceRequestForm(BaseForm):
    requested_on = JalaliDateField("تاریخ درخواست دفاعیه", validators=[InputRequired(REQUIRED)])


class DefenceForm(BaseForm):
    defence_on = JalaliDateField("تاریخ دریافت دفاعیه", validators=[InputRequired(REQUIRED)])
    defence_text = _text("متن دفاعیه", rows=4)


class ReasonForm(BaseForm):
    reason = _text("دلیل", limit=1000, rows=2)


class EvidenceForm(BaseForm):
    description = StringField("شرح مدرک", validators=[DataRequired(REQUIRED), _max(500)])
    file = FileField("فایل (PDF، JPEG یا PNG)", validators=[FileRequired("فایل را انتخاب کنید.")])


# ---------------------------------------------------------------- members


class MemberForm(BaseForm):
    full_name = StringField("نام و نام خانوادگی", validators=[DataRequired(REQUIRED), _max(150)])
    title = StringField("سمت", validators=[Optional(), _max(150)])
    organisation = StringField(
        "سازمان (برای علی‌البدل: همان سازمان عضو اصلی)", validators=[Optional(), _max(200)]
    )
    national_id = NationalIdField("کد ملی (برای هشدار تعارض منافع)", validators=[Optional()])
    alternate_for_id = SelectField("علی‌البدلِ", coerce=coerce_id)
    user_id = SelectField("حساب کاربری", coerce=coerce_id)
    active = BooleanField("فعال", default=True)


# ---------------------------------------------------------------- sessions


class SessionForm(BaseForm):
    held_on = JalaliDateField("تاریخ جلسه", validators=[InputRequired(REQUIRED)])
    place = StringField("محل جلسه", validators=[Optional(), _max(200)])


class AgendaForm(BaseForm):
    case_id = SelectField(
        "پرونده آماده رسیدگی", coerce=coerce_id, validators=[DataRequired("پرونده‌ای انتخاب کنید.")]
    )


class AttendanceForm(BaseForm):
    member_ids = MultiCheckboxField("حاضران", coerce=coerce_id)


class RecusalForm(BaseForm):
    member_id = SelectField("عضو", coerce=coerce_id, validators=[DataRequired("عضو را انتخاب کنید.")])
    reason = _text("دلیل تعارض منافع", limit=1000, rows=2)


class ConflictAnswerForm(BaseForm):
    """A flagged member's answer before voting (the member is named in the URL)."""

    answer = SelectField(
        "پاسخ",
        choices=choices([("recused", "کناره‌گیری از رأی"), ("no_conflict", "اعلام نبود تعارض")]),
        validators=[DataRequired("پاسخ را انتخاب کنید.")],
    )
    note = _text("توضیح (برای اعلام نبود تعارض لازم است)", limit=1000, rows=2, required=False)


class VoteForm(BaseForm):
    """Carries the CSRF token; the votes come as vote-<member id> = for / against / abstain."""


class OwnVoteForm(BaseForm):
    choice = RadioField(
        "رأی شما", choices=enum_choices(VoteChoice), validators=[InputRequired("رأی خود را انتخاب کنید.")]
    )


class _RulingFields(BaseForm):
    penalty = SelectField("مجازات", choices=enum_choices(PenaltyKind))
    violations_found = MultiCheckboxField("تخلفات احرازشده")
    suspension_days = CountField(
        "روزهای تعلیق", validators=[Optional(), NumberRange(min=1, message="روزهای تعلیق باید دست‌کم ۱ باشد.")]
    )
    fine_amount = RialField(
        "مبلغ جریمه (ریال)",
        validators=[Optional(), NumberRange(min=1, message="مبلغ جریمه باید بیش از صفر باشد.")],
    )
    legal_basis = _text("مستند قانونی", limit=2000, rows=2)
    reasoning = _text("استدلال و دلایل رأی", rows=4)

    def ruling_data(self) -> dict:
        return {
            "penalty": self.penalty.data,
            "violations_found": self.violations_found.data,
            "suspension_days": self.suspension_days.data,
            "fine_amount": self.fine_amount.data,
            "legal_basis": self.legal_basis.data,
            "reasoning": self.reasoning.data,
        }


class RulingForm(_RulingFields):
    pass


class ActionForm(BaseForm):
    """A button's form: only the CSRF token (ready for hearing, remove from agenda, close)."""


class CorrectionForm(BaseForm):
    text = _text("متن اصلاحیه", limit=2000, rows=3)


# ---------------------------------------------------------------- service, fine, appeal


class ServeForm(BaseForm):
    served_on = JalaliDateField("تاریخ ابلاغ به دفتر", validators=[InputRequired(REQUIRED)])


class FinePaidForm(BaseForm):
    paid_on = JalaliDateField("تاریخ پرداخت", validators=[InputRequired(REQUIRED)])


class AppealForm(BaseForm):
    filed_on = JalaliDateField("تاریخ ثبت اعتراض", validators=[InputRequired(REQUIRED)])
    grounds = _text("دلایل اعتراض", limit=2000)


class AppealDecisionForm(_RulingFields):
    outcome = RadioField(
        "نتیجه", choices=enum_choices(AppealOutcome), validators=[InputRequired("نتیجه را انتخاب کنید.")]
    )
    decided_on = JalaliDateField("تاریخ تصمیم", validators=[InputRequired(REQUIRED)])
    decision_reasoning = _text("دلایل تصمیم درباره اعتراض", limit=2000, rows=3)

    def validate(self, extra_validators=None):
        # The new ruling's fields matter only when the appeal replaces the ruling.
        if self.outcome.data != AppealOutcome.REPLACED.value:
            for name in ("legal_basis", "reasoning"):
                self[name].validators = [Optional()]
        return super().validate(extra_validators)
