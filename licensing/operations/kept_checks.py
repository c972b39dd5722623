"""Checks kept as decided: when an application is put to the working group, decided or issued,
every check's result is stored with that step, so a closed application shows what was decided on."""

from __future__ import annotations

from core.extensions import db
from licensing.models import Application, CheckRecord
from licensing.operations.eligibility import eligibility_checks


def keep_check_results(application: Application, step) -> list[CheckRecord]:
    """Store every check's result as it stands with the step that rests on it."""
    records = []
    for check in eligibility_checks(application):
        record = CheckRecord(
            application=application,
            step=step,
            code=check.code,
            title=check.title,
            passed=check.passed,
            detail=check.detail,
            rule_class=check.rule_class,
            override_reason=check.override.reason if check.override else None,
            override_by=check.override.actor_name if check.override else None,
        )
        db.session.add(record)
        records.append(record)
    db.session.flush()
    return records


def kept_check_results(application: Application) -> list[tuple[object, list[CheckRecord]]]:
    """The stored results, grouped by the step they were kept with, latest step first."""
    groups: dict[int, tuple[object, list[CheckRecord]]] = {}
    for record in application.check_records:
        groups.setdefault(record.step_id, (record.step, []))[1].append(record)
    return sorted(groups.values(), key=lambda g: g[0].id, reverse=True)
