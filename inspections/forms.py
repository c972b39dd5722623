"""Forms for planning, referrals and the checklist editor (the tablet draws the visit form)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from committees.models import Severity
from core.args import coerce_id
from core.forms import (
    BaseForm,
    CoordinateField,
    JalaliDateField,
    LocalDecimalField,
    enum_choices,
)
from inspections.models import AnswerType, VisitPurpose
from registry.models import SiteKind

REQUIRED = "این فیلد اجباری است."


class AssignmentForm(BaseForm):
    inspector_id = SelectField("بازرس", coerce=coerce_id, validators=[DataRequired("بازرس را انتخاب کنید.")])
    planned_on = JalaliDateField("تاریخ بازدید", validators=[InputRequired(REQUIRED)])
    purpose = SelectField("هدف بازدید", choices=enum_choices(VisitPurpose))
    site_id = HiddenField()
    visit_request_id = HiddenField()
    note = StringField("یادداشت", validators=[Optional(), Length(max=500)])


class RouteForm(BaseForm):
    """The day's route: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    inspector_id = SelectField("بازرس", coerce=coerce_id, validators=[Optional()])
    day = JalaliDateField("روز", validators=[Optional()])
    start_lat = CoordinateField("عرض جغرافیایی نقطه شروع", validators=[Optional()], axis="lat")
    start_lon = CoordinateField("طول جغرافیایی نقطه شروع", validators=[Optional()], axis="lon")


class ReferralForm(BaseForm):
    answer_ids = SelectMultipleField(
        "بندهای ناموفق برای ارجاع",
        coerce=coerce_id,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validators=[DataRequired("دست‌کم یک بند را انتخاب کنید.")],
    )
    summary = TextAreaField(
        "شرح ارجاع (اختیاری)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )


class ItemForm(Form):
    """One row of the checklist editor; an empty text drops the row."""

    text = StringField("متن بند", validators=[Optional(), Length(max=300)])
    answer_type = SelectField("نوع پاسخ", choices=enum_choices(AnswerType))
    severity = SelectField("شدت", choices=enum_choices(Severity), default=Severity.MEDIUM.value)
    violation_type_id = SelectField("تخلف مرتبط", coerce=coerce_id, validate_choice=False)
    required = BooleanField("الزامی", default=True)
    min_value = LocalDecimalField("کمترین مقدار قابل قبول", validators=[Optional()], places=None)


class ChecklistEditForm(BaseForm):
    items = FieldList(FormField(ItemForm), min_entries=1)
    note = StringField("شرح تغییر", validators=[Optional(), Length(max=300)])


class ChecklistNewForm(ChecklistEditForm):
    purpose = SelectField("هدف بازدید", choices=enum_choices(VisitPurpose))
    site_kind = SelectField("نوع محل", choices=enum_choices(SiteKind))
    title = StringField("عنوان", validators=[DataRequired(REQUIRED), Length(max=200)])


class InspectorAreaForm(BaseForm):
    """The counties an inspector works in: every site there goes into the tablet's offline data."""

    counties = SelectMultipleField("شهرستان‌های حوزه کار", coerce=int, validators=[Optional()])
