"""Settings tell the truth: every regulation an admin sees on the settings page is read by code,
and every rule class belongs to a check that exists."""

import re
from pathlib import Path

from core.settings import definitions

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"tests", "migrations", "node_modules", "static", "bench", "test-artifacts", "instance"}
SOURCES = [
    p
    for p in ROOT.rglob("*")
    if p.suffix in (".py", ".html")
    and not any(part in SKIP or part.startswith(".") for part in p.relative_to(ROOT).parts)
]


def _code() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)


def _read_by(code: str, key: str) -> bool:
    """The key is named whole, or built from its prefix in an f-string (e.g. f"fees.royalty_rials.{tier}")."""
    if f'"{key}"' in code or f"'{key}'" in code:
        return True
    prefix = key.rsplit(".", 1)[0] + "."
    return re.search(r'f"' + re.escape(prefix) + r"\{", code) is not None


def test_every_regulations_key_is_read_by_code():
    code = _code()
    unread = [key for key in definitions() if not _read_by(code, key)]
    assert unread == [], f"settings no code reads: {unread}"


def test_the_unread_key_check_catches_an_unread_key():
    assert not _read_by('get_setting("licence.renewal_fee_ratio")', "relocation.temp_booth_max_days_per_year")
    assert _read_by('get_setting(f"licence.validity_years.{kind}")', "licence.validity_years.counter_office")


def test_every_rule_class_names_a_check_of_the_rule_book():
    rule_book = "\n".join(
        (ROOT / "licensing/operations" / name).read_text(encoding="utf-8")
        for name in ("eligibility.py", "holders.py", "fees.py")
    )
    codes = set(re.findall(r'CheckResult\(\s*"([a-z_]+)"', rule_book))
    classes = {key.removeprefix("rules.class.") for key in definitions() if key.startswith("rules.class.")}
    assert classes == codes, (classes - codes, codes - classes)
