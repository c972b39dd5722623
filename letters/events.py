"""Which letter each event produces: its recipient, the template's fields and the record.

letters subscribes to core.events; the features only announce what happened.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.calendar import deadline_from, unit_label
from core.events import record_event
from core.persian import format_jalali, format_number, to_persian_digits
from core.settings import get_setting
from letters.models import Letter, LetterKind
from letters.operations import Draft, Recipient, produce_letter

# The events that produce a letter, by name (the name is the letter kind).
EVENTS = {kind.value for kind in LetterKind if kind != LetterKind.HANDWRITTEN}


@record_event.connect
def _on_event(event: str, *, record: Any, actor, **details: Any) -> None:
    if event in EVENTS:
        produce_letter(event, record, actor=actor, **details)


def _fa(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return format_jalali(value)
    return to_persian_digits(value)


def _holder(site, fallback=None):
    """The person a letter about an office goes to: its licence holder, else its operator."""
    from committees.operations import current_licence

    licence = current_licence(site) if site is not None else None
    if licence is not None:
        return licence.holder
    if site is not None and site.operator is not None:
        return site.operator
    return fallback


def _application_fields(application) -> dict[str, str]:
    licence = application.licence
    office = application.office_name or (licence.office_name if licence else "")
    return {
        "applicant": application.applicant.full_name,
        "application_number": _fa(application.number),
        "application_kind": application.kind.label,
        "office_name": office or "",
    }


def _application_draft(kind: LetterKind, application, fields: dict, **extra) -> Draft:
    return Draft(
        kind=kind,
        recipient=Recipient.of_person(application.applicant, site=application.site),
        fields={**_application_fields(application), **fields},
        record_type="application",
        record_id=application.id,
        **extra,
    )


def _missing_documents(application, documents=None, **_):
    from licensing import operations as licensing_ops

    documents = documents if documents is not None else licensing_ops.missing_documents(application)
    if not documents:
        return None
    titles = "\n".join(f"- {d.title}" for d in documents)
    return _application_draft(
        LetterKind.MISSING_DOCUMENTS,
        application,
        {
            "received_on": _fa(application.received_on),
            "documents": titles,
            "due_on": _fa(application.due_on),
        },
    )


def _inquiry_request(application, organisation: str, today: date | None = None, **_):
    from core.clock import today_tehran

    today = today or today_tehran()
    due = deadline_from(today, "licensing.inquiry_answer_days")
    person = application.applicant
    return Draft(
        kind=LetterKind.INQUIRY_REQUEST,
        recipient=Recipient.of_organisation(organisation),
        fields={
            **_application_fields(application),
            "organisation": organisation,
            "national_id": _fa(person.national_id),
            "father_name": person.father_name or "—",
            "answer_days": _fa(get_setting("licensing.inquiry_answer_days")),
            "answer_due": _fa(due),
        },
        record_type="application",
        record_id=application.id,
        due_on=due,
    )


def _wg_decision(item, **_):
    application = item.application
    return _application_draft(
        LetterKind.WG_DECISION,
        application,
        {
            "session_number": _fa(item.session.number),
            "session_date": _fa(item.session.held_on),
            "decision": item.decision.label,
            "reasons": item.reasons or "",
        },
    )


def royalty_due(application) -> int | None:
    """The royalty an approved application must pay: issuance by place, renewal a share of it;
    transfers and address changes pay none."""
    from licensing.models import ApplicationKind
    from registry.models import LocalityType

    if application.kind not in (ApplicationKind.NEW, ApplicationKind.RENEWAL):
        return None
    locality_type = application.locality_type or (
        application.site.locality_type if application.site else None
    )
    place = "village" if locality_type == LocalityType.VILLAGE else "city"
    amount = get_setting(f"licence.issuance_royalty_rials.{place}")
    if application.kind == ApplicationKind.RENEWAL:
        amount = round(amount * get_setting("licence.renewal_fee_ratio"))
    return amount


def _payment_due(application, today: date | None = None, **_):
    from core.clock import today_tehran

    amount = royalty_due(application)
    if not amount:
        return None
    due = deadline_from(today or today_tehran(), "licence.payment_days")
    return _application_draft(
        LetterKind.PAYMENT_DUE,
        application,
        {
            "amount": format_number(amount),
            "payment_days": _fa(get_setting("licence.payment_days")),
            "payment_due": _fa(due),
        },
        due_on=due,
    )


def _licence_fields(licence) -> dict[str, str]:
    return {
        "holder": licence.holder.full_name,
        "licence_number": licence.number,
        "office_name": licence.office_name,
        "expires_on": _fa(licence.expires_on),
    }


def _licence_issued(licence, **_):
    return Draft(
        kind=LetterKind.LICENCE_ISSUED,
        recipient=Recipient.of_person(licence.holder, site=licence.site),
        fields={**_licence_fields(licence), "address": licence.address, "issued_on": _fa(licence.issued_on)},
        record_type="licence",
        record_id=licence.id,
    )


def _expiry_reminder(licence, **_):
    min_days = get_setting("licence.renewal_request_min_days_before_expiry")
    last_day = licence.expires_on - timedelta(days=min_days)
    return Draft(
        kind=LetterKind.EXPIRY_REMINDER,
        recipient=Recipient.of_person(licence.holder, site=licence.site),
        fields={**_licence_fields(licence), "renewal_last_day": _fa(last_day), "min_days": _fa(min_days)},
        record_type="licence",
        # One reminder per term: a renewed licence (a later expiry) gets a new one.
        record_id=licence.id,
        due_on=last_day,
        once=True,
        extra={"expires_on": licence.expires_on},
    )


def _case_fields(case) -> dict[str, str]:
    site = case.site
    return {
        "office_name": site.name,
        "office_code": _fa(site.code),
        "case_number": _fa(case.number),
    }


def _office_recipient(site) -> Recipient:
    from core.persian import clean_text

    person = _holder(site)
    if person is not None:
        return Recipient.of_person(person, site=site)
    return Recipient(name=clean_text(site.name), site=site, address=site.address)


def _committee_summons(item, **_):
    case, session = item.case, item.session
    recipient = _office_recipient(case.site)
    return Draft(
        kind=LetterKind.COMMITTEE_SUMMONS,
        recipient=recipient,
        fields={
            **_case_fields(case),
            "holder": recipient.name,
            "summary": case.summary,
            "session_number": _fa(session.number),
            "session_date": _fa(session.held_on),
            "place": session.place or "محل اداره کل",
        },
        record_type="session_case",
        record_id=item.id,
        due_on=session.held_on,
    )


def _ruling_notice(ruling, **_):
    case = ruling.case
    recipient = _office_recipient(case.site)
    return Draft(
        kind=LetterKind.RULING_NOTICE,
        recipient=recipient,
        fields={
            **_case_fields(case),
            "holder": recipient.name,
            "ruling_number": _fa(ruling.number),
            "ruled_on": _fa(ruling.ruled_on),
            "penalty": ruling.penalty_text,
            "legal_basis": ruling.legal_basis,
            "reasoning": ruling.reasoning,
            "appeal_days": _fa(get_setting("committee.appeal_days")),
            "appeal_unit": unit_label("committee.appeal_days"),
        },
        record_type="ruling",
        record_id=ruling.id,
    )


def _appeal_decision(appeal, **_):
    ruling = appeal.ruling
    case = ruling.case
    in_force = appeal.new_ruling or ruling
    recipient = _office_recipient(case.site)
    return Draft(
        kind=LetterKind.APPEAL_DECISION,
        recipient=recipient,
        fields={
            **_case_fields(case),
            "holder": recipient.name,
            "ruling_number": _fa(ruling.number),
            "filed_on": _fa(appeal.filed_on),
            "decided_on": _fa(appeal.decided_on),
            "outcome": appeal.outcome.label,
            "reasoning": appeal.decision_reasoning or "",
            "ruling_in_force": f"{_fa(in_force.number)}: {in_force.penalty_text}",
        },
        record_type="appeal",
        record_id=appeal.id,
    )


def _bank_report(visit, **_):
    site = visit.site
    if site is None or not site.bank:
        return None
    failed = [a for a in visit.answers if a.failed]
    bank = site.bank if site.bank.startswith("بانک") else f"بانک {site.bank}"
    findings = "\n".join(f"- {a.item.text}" + (f" ({a.note})" if a.note else "") for a in failed)
    return Draft(
        kind=LetterKind.BANK_REPORT,
        recipient=Recipient.of_organisation(bank, site=site),
        fields={
            "bank": bank,
            "site_kind": site.kind.label,
            "site_name": site.name,
            "site_code": site.code,
            "terminal_id": site.terminal_id or "—",
            "address": site.address,
            "visit_date": _fa(visit.visited_on),
            "findings": findings or "—",
            "notes": visit.notes or "",
        },
        record_type="visit",
        record_id=visit.id,
        once=True,
    )


BUILDERS = {
    LetterKind.MISSING_DOCUMENTS: _missing_documents,
    LetterKind.INQUIRY_REQUEST: _inquiry_request,
    LetterKind.WG_DECISION: _wg_decision,
    LetterKind.PAYMENT_DUE: _payment_due,
    LetterKind.LICENCE_ISSUED: _licence_issued,
    LetterKind.EXPIRY_REMINDER: _expiry_reminder,
    LetterKind.COMMITTEE_SUMMONS: _committee_summons,
    LetterKind.RULING_NOTICE: _ruling_notice,
    LetterKind.APPEAL_DECISION: _appeal_decision,
    LetterKind.BANK_REPORT: _bank_report,
}


def draft_for(kind: LetterKind, record: Any, **details: Any) -> Draft | None:
    """The draft of the letter `kind` about `record` (None when there is nothing to say)."""
    return BUILDERS[kind](record, **details)


# ---------------------------------------------------------------- service


def on_served(letter: Letter, day: date, *, actor) -> None:
    """A ruling's notice reaching the office serves the ruling: the appeal window opens then."""
    if letter.kind != LetterKind.RULING_NOTICE or letter.record_id is None:
        return
    from committees import operations as committee_ops
    from committees.models import Ruling, RulingState
    from core.extensions import db

    ruling = db.session.get(Ruling, letter.record_id)
    if ruling is None or ruling.state != RulingState.ISSUED:
        return
    committee_ops.serve_ruling(ruling, day, actor=actor, today=max(day, _today()))


def _today() -> date:
    from core.clock import today_tehran

    return today_tehran()
