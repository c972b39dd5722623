"""Login and user administration forms."""

from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from accounts.tokens import NAME_MAX as TOKEN_NAME_MAX
from core.forms import BaseForm, MobileField, choices
from core.security import Role

REQUIRED = "این فیلد اجباری است."
ROLE_CHOICES = choices((r.value, r.label) for r in Role)


class LoginForm(BaseForm):
    username = StringField(
        "نام کاربری",
        validators=[DataRequired(REQUIRED), Length(max=64)],
        render_kw={"dir": "ltr", "autocomplete": "username"},
    )
    password = PasswordField(
        "گذرواژه",
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    # A remember-me cookie with its own lifetime (security.remember_me_hours): the inspector's
    # tablet stays signed in through the field day, across browser restarts.
    remember = BooleanField("این دستگاه را تا پایان روز کاری به خاطر بسپار", default=False)


class UserForm(BaseForm):
    username = StringField(
        "نام کاربری",
        validators=[
            DataRequired(REQUIRED),
            Length(min=3, max=64),
            Regexp(r"^[A-Za-z0-9._-]+$", message="نام کاربری فقط از حروف لاتین، رقم، نقطه و خط تیره."),
        ],
        render_kw={"dir": "ltr"},
    )
    full_name = StringField("نام و نام خانوادگی", validators=[DataRequired(REQUIRED), Length(max=150)])
    role = SelectField("نقش", choices=ROLE_CHOICES, validators=[DataRequired(REQUIRED)])
    organisation = StringField("سازمانی که نمایندگی می‌کند", validators=[Optional(), Length(max=150)])
    mobile = MobileField("تلفن همراه", validators=[Optional()])
    active = BooleanField("حساب فعال است", default=True)
    password = PasswordField(
        "گذرواژه",
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordForm(BaseForm):
    password = PasswordField(
        "گذرواژه جدید",
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "تکرار گذرواژه",
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message="تکرار گذرواژه یکسان نیست."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class TokenForm(BaseForm):
    """The "my API tokens" page: a name for the new token."""

    name = StringField(
        "نام توکن (برای شناختن آن، مثلاً «تبلت بازرسی ۳» یا «اسکریپت گزارش»)",
        validators=[Optional(), Length(max=TOKEN_NAME_MAX)],
    )
