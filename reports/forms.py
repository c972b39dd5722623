"""The report's period: a Jalali year, or a range of Jalali dates."""

from __future__ import annotations

from wtforms import Field
from wtforms.validators import Optional
from wtforms.widgets import TextInput

from core.errors import DomainError
from core.forms import BaseForm, JalaliDateField
from core.persian import to_latin_digits, to_persian_digits
from reports.operations import FIRST_YEAR, LAST_YEAR, Period, current_year

# A range covers at most ten years (its charts have a bar per month).
MAX_RANGE_DAYS = 3660


class YearField(Field):
    """A Jalali year in any digits (the page offers a select; a URL may carry ۱۴۰۱)."""

    widget = TextInput()

    def _value(self):
        return str(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        raw = to_latin_digits(valuelist[0]).strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
            self.data = None
            raise ValueError(
                f"سال را به شکل چهاررقمی بین {to_persian_digits(FIRST_YEAR)} و "
                f"{to_persian_digits(LAST_YEAR)} وارد کنید؛ مثلاً ۱۴۰۱."
            )
        self.data = int(raw)


class PeriodForm(BaseForm):
    """Read from the query string: ?year=1401, or ?start=1401-01-01&end=1401-06-31."""

    class Meta:
        csrf = False

    year = YearField("سال")
    start = JalaliDateField("از تاریخ", validators=[Optional()])
    end = JalaliDateField("تا تاریخ", validators=[Optional()])

    period: Period | None = None

    def validate(self, extra_validators=None) -> bool:
        """Check the fields and build self.period; a range, when given, wins over the year."""
        if not super().validate(extra_validators):
            return False
        start_raw = bool(self.start.raw_data and self.start.raw_data[0].strip())
        end_raw = bool(self.end.raw_data and self.end.raw_data[0].strip())
        try:
            if start_raw or end_raw:
                if not (start_raw and end_raw):
                    missing = self.end if start_raw else self.start
                    missing.errors = [
                        *missing.errors,
                        "برای گزارش یک بازه، هر دو تاریخ آغاز و پایان را وارد کنید.",
                    ]
                    return False
                self.period = Period.between(self.start.data, self.end.data)
                if (self.period.end - self.period.start).days > MAX_RANGE_DAYS:
                    self.end.errors = [*self.end.errors, "بازه گزارش حداکثر ده سال است."]
                    return False
            else:
                self.period = Period.jalali_year(self.year.data or current_year())
        except DomainError as error:
            field = getattr(self, error.field or "", None) or self.end
            field.errors = [*field.errors, error.message]
            return False
        return True

    @property
    def messages(self) -> list[str]:
        """Every error, prefixed by its field's label (for a page that shows them together)."""
        return [f"{field.label.text}: {message}" for field in self for message in field.errors]
