"""The two classes of rule and a check's result: statutory rules block and no reason waives them;
discretionary ones the working group may overrule with a written reason. The class of each check
is a setting (`rules.class.<code>`), so an admin can change it (audited)."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import definitions as setting_definitions
from core.settings import get_setting
from licensing.models import CheckOverride

STATUTORY = "statutory"
DISCRETIONARY = "discretionary"
# Checks that apply only when the licence is acted on (after the working group's approval).
AT_ISSUE = frozenset({"payment"})


def rule_class(code: str) -> str:
    """The class in force for a check: statutory (never waived) or discretionary (the working
    group may overrule it with a written reason). An admin sets it on the settings page."""
    return get_setting(f"rules.class.{code}")


def rule_basis(code: str) -> str:
    return setting_definitions()[f"rules.class.{code}"].basis


@dataclass
class CheckResult:
    code: str
    title: str
    passed: bool
    detail: str
    override: CheckOverride | None = None
    rule_class: str = STATUTORY
    basis: str = ""

    @property
    def overridable(self) -> bool:
        return self.rule_class == DISCRETIONARY

    @property
    def statutory(self) -> bool:
        return self.rule_class == STATUTORY

    @property
    def blocking(self) -> bool:
        return not self.passed and self.override is None

    @property
    def refusal(self) -> str:
        """Why a failed check blocks: a statutory rule says so, with its source."""
        if self.statutory:
            return f"«{self.title}» شرط قانونی است و نادیده گرفته نمی‌شود ({self.basis})."
        return f"«{self.title}» برقرار نیست؛ کارگروه می‌تواند با ذکر دلیل آن را نادیده بگیرد."
