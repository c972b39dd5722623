"""The base form and the fields every feature uses: Jalali dates, national IDs, digits in any script."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import iranian_national_code
from flask_wtf import FlaskForm
from wtforms import DecimalField, Field, IntegerField, PasswordField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from core.args import MAX_ID
from core.geo import IRAN_LAT, IRAN_LON
from core.persian import (
    JalaliDateError,
    clean_text,
    digits_only,
    format_jalali,
    parse_jalali,
    to_latin_digits,
)


def choices(pairs) -> list[SelectChoice]:
    """SelectField options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls, blank: str | None = None) -> list[SelectChoice]:
    """Options for a StrEnum with Persian labels, optionally led by a blank option."""
    pairs = [(m.value, m.label) for m in enum_cls]
    return choices([("", blank), *pairs] if blank is not None else pairs)


def _clean(value):
    return clean_text(value) if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Persian WTForms messages; every text input is cleaned (ي→ی, digits ASCII, spaces folded)."""

    class Meta:
        locales = ("fa",)

        def bind_field(self, form, unbound_field, options):
            cls = unbound_field.field_class
            if issubclass(cls, StringField) and not issubclass(cls, PasswordField):
                filters = [_clean, *unbound_field.kwargs.get("filters", ())]
                options["filters"] = filters
            return unbound_field.bind(form=form, **options)


class JalaliDateField(Field):
    """A date typed as a Jalali date (any digits, / or -); holds a Gregorian date.

    Pair it with InputRequired, not DataRequired: DataRequired would replace the parse error
    ("اسفند ۱۴۰۱ ۲۹ روز دارد") with a bare "required".
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {
            "placeholder": "سال/ماه/روز",
            "inputmode": "numeric",
            "dir": "ltr",
            "autocomplete": "off",
            # The Jalali date picker (static/vendor/jalalidatepicker) opens on these fields.
            "data-jdp": "",
            **kwargs.pop("render_kw", {}),
        }
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_jalali(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_jalali(valuelist[0])
        except JalaliDateError as exc:
            self.data = None
            raise ValueError(str(exc)) from exc


class LocalIntegerField(IntegerField):
    """An integer typed with Persian, Arabic-Indic or Latin digits.

    A text input (numeric keyboard): browsers refuse Persian digits in <input type="number">.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "dir": "ltr", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata([to_latin_digits(v).strip() for v in valuelist])
        if self.data is not None and not -MAX_ID <= self.data <= MAX_ID:  # beyond a database integer
            self.data = None
            raise ValueError("عدد وارد شده بیش از حد بزرگ است.")


class LocalDecimalField(DecimalField):
    """A decimal typed with any digits and '.' or the Persian decimal separator (text input)."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        cleaned = [to_latin_digits(v).replace("٫", ".").replace("/", ".").strip() for v in valuelist]
        super().process_formdata(cleaned)


class DigitsField(StringField):
    """A code made of a fixed number of digits (postal code, terminal id); stored as ASCII."""

    def __init__(
        self,
        label=None,
        validators=None,
        length: int | None = None,
        message: str | None = None,
        **kwargs,
    ):
        self.length = length
        self.message = message
        render_kw = {"inputmode": "numeric", "dir": "ltr", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        raw = to_latin_digits(self.data or "").replace(" ", "").replace("-", "")
        self.data = raw

    def pre_validate(self, form):
        if not self.data:
            return
        if not (self.data.isascii() and self.data.isdigit()):  # not "²" or other scripts
            raise ValidationError("فقط رقم وارد کنید.")
        if self.length and len(self.data) != self.length:
            raise ValidationError(self.message or f"باید {self.length} رقم باشد.")


def complete_national_id(first_nine: str) -> str:
    """The 10-digit national ID whose first nine digits are given (the check digit appended)."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    rest = total % 11
    return first_nine + str(rest if rest < 2 else 11 - rest)


def valid_company_id(code: str | None) -> bool:
    """Whether an 11-digit company national identifier (شناسه ملی اشخاص حقوقی) passes its check
    digit: the tenth digit plus 2 is added to each of the first ten digits, weighted
    29, 27, 23, 19, 17 in turn; the sum modulo 11 (10 counting as 0) is the last digit."""
    code = digits_only(code)
    if len(code) != 11 or int(code[3:9]) == 0:
        return False
    return complete_company_id(code[:10]) == code


def complete_company_id(first_ten: str) -> str:
    """The 11-digit company identifier whose first ten digits are given (check digit appended)."""
    shift = int(first_ten[9]) + 2
    weights = (29, 27, 23, 19, 17)
    rest = sum((int(d) + shift) * weights[i % 5] for i, d in enumerate(first_ten)) % 11
    return first_ten + str(0 if rest == 10 else rest)


def valid_national_id(code: str) -> bool:
    """Whether a 10-digit Iranian national ID (کد ملی) passes its checksum."""
    return iranian_national_code.validate(digits_only(code))


class NationalIdField(DigitsField):
    """کد ملی: ten digits with a valid checksum."""

    def __init__(self, label="کد ملی", validators=None, **kwargs):
        super().__init__(label, validators, length=10, message="کد ملی باید ۱۰ رقم باشد.", **kwargs)

    def pre_validate(self, form):
        super().pre_validate(form)
        if self.data and not iranian_national_code.validate(self.data):
            raise ValidationError("کد ملی معتبر نیست (رقم کنترل نادرست است).")


class MobileField(DigitsField):
    """A mobile number: 09xxxxxxxxx (also accepts +98 and 0098 prefixes)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        data = (self.data or "").replace("+", "")
        if data.startswith("0098"):
            data = "0" + data[4:]
        elif data.startswith("98") and len(data) == 12:
            data = "0" + data[2:]
        self.data = data

    def pre_validate(self, form):
        super().pre_validate(form)
        if self.data and (len(self.data) != 11 or not self.data.startswith("09")):
            raise ValidationError("شماره همراه باید ۱۱ رقم و با ۰۹ آغاز شود.")


class CoordinateField(LocalDecimalField):
    """Latitude or longitude in decimal degrees, inside Iran."""

    def __init__(self, label=None, validators=None, axis: str = "lat", **kwargs):
        self.axis = axis
        render_kw = {"inputmode": "decimal", "dir": "ltr", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, places=None, render_kw=render_kw, **kwargs)

    def pre_validate(self, form):
        if self.data is None:
            return
        low, high = IRAN_LAT if self.axis == "lat" else IRAN_LON
        try:
            value = Decimal(self.data)
        except InvalidOperation as exc:  # pragma: no cover - DecimalField already parsed it
            raise ValidationError("عدد معتبر نیست.") from exc
        if not value.is_finite():
            raise ValidationError("عدد معتبر نیست.")
        if not low <= value <= high:
            name = "عرض جغرافیایی" if self.axis == "lat" else "طول جغرافیایی"
            raise ValidationError(f"{name} باید در محدوده ایران باشد.")


def show_domain_error(form, error) -> None:
    """Put a DomainError's Persian message next to its field (or at the top of the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
