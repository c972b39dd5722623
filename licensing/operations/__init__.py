"""Business rules for licensing, one module per sub-domain; this names what the rest of the app
may call (`from licensing import operations as ops; ops.issue_licence(...)`).

    lookups        a person by national ID, a licence by number (the keys users type)
    applications   registering a request, its workflow steps, the officer's inbox
    documents      the checklist of each kind and the uploaded files
    eligibility    every check and its result: the rule book a regulations reviewer reads
    visits         site visits asked of inspectors and their finding
    working_group  sessions, attendees, agenda, decisions
    licences       issue, suspend, revoke, reinstate, expire; licence look-ups
    fees           the royalty by tier, the renewal fee, payments
    temp_booths    temporary booths at events, days counted per Jalali year
"""

from licensing.models import TRANSITIONS
from licensing.operations.applications import (
    APPLICATION_FIELDS,
    HOLDER_ONLY,
    create_application,
    inbox,
    is_overdue,
    start_review,
    transition,
)
from licensing.operations.documents import (
    add_document,
    document_checklist,
    document_path,
    missing_documents,
)
from licensing.operations.eligibility import eligibility_checks, override_check
from licensing.operations.fees import fee_due, fee_summary, issuance_royalty, record_payment, royalty_tier
from licensing.operations.holders import renewal_blocker, responsible_people
from licensing.operations.kept_checks import kept_check_results

# Licences recorded outside the workflow (the demo's offices and test factories make licences
# that predate the system); not for screens or the API.
from licensing.operations.licences import _new_licence as _new_licence
from licensing.operations.licences import _validity as _validity
from licensing.operations.licences import (
    application_licences,
    expire_licences,
    expiring_licences,
    issue_licence,
    licence_history,
    lift_ended_suspensions,
    next_licence_number,
    open_renewal_windows,
    reinstate_licence,
    revoke_licence,
    search_licences,
    suspend_licence,
)
from licensing.operations.lookups import (
    company_by_national_id,
    find_licence,
    licence_by_number,
    person_by_national_id,
)
from licensing.operations.rules import AT_ISSUE, DISCRETIONARY, STATUTORY, CheckResult, rule_class
from licensing.operations.temp_booths import booth_days_in_year, record_temp_booth
from licensing.operations.terms import (
    cache_disagreements,
    derive_state,
    entered_late,
    licence_terms,
    record_term,
)
from licensing.operations.visits import open_visit_requests, record_visit_result, request_site_visit
from licensing.operations.working_group import (
    add_attendee,
    add_to_agenda,
    close_session,
    ready_applications,
    record_decision,
    remove_from_agenda,
    schedule_session,
    sessions_newest_first,
)

__all__ = [
    "APPLICATION_FIELDS",
    "AT_ISSUE",
    "DISCRETIONARY",
    "HOLDER_ONLY",
    "STATUTORY",
    "TRANSITIONS",
    "CheckResult",
    "add_attendee",
    "add_document",
    "add_to_agenda",
    "application_licences",
    "booth_days_in_year",
    "cache_disagreements",
    "close_session",
    "company_by_national_id",
    "create_application",
    "derive_state",
    "document_checklist",
    "document_path",
    "eligibility_checks",
    "entered_late",
    "expire_licences",
    "expiring_licences",
    "fee_due",
    "fee_summary",
    "find_licence",
    "inbox",
    "is_overdue",
    "issuance_royalty",
    "issue_licence",
    "kept_check_results",
    "licence_by_number",
    "licence_history",
    "licence_terms",
    "lift_ended_suspensions",
    "missing_documents",
    "next_licence_number",
    "open_renewal_windows",
    "open_visit_requests",
    "override_check",
    "person_by_national_id",
    "ready_applications",
    "record_decision",
    "record_payment",
    "record_temp_booth",
    "record_term",
    "record_visit_result",
    "reinstate_licence",
    "remove_from_agenda",
    "renewal_blocker",
    "request_site_visit",
    "responsible_people",
    "revoke_licence",
    "royalty_tier",
    "rule_class",
    "schedule_session",
    "search_licences",
    "sessions_newest_first",
    "start_review",
    "suspend_licence",
    "transition",
]
