"""The form of the "my API tokens" page (accounts.views): a name for the new token."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Length, Optional

from api.operations import NAME_MAX
from core.forms import BaseForm


class TokenForm(BaseForm):
    name = StringField(
        "نام توکن (برای شناختن آن، مثلاً «تبلت بازرسی ۳» یا «اسکریپت گزارش»)",
        validators=[Optional(), Length(max=NAME_MAX)],
    )
