"""Business rules for inspections, by sub-domain:

- checklists: the checklist of each purpose and site kind, edited as versions;
- intake: what the tablet sends (visits by UUID and payload hash, then their photos);
- referral: a visit's failed items to the violations committee;
- visits: reading visits (list filters, a site's visits);
- planning: sites due a visit, assignments, the day's route and the tablet's offline bundle.

The rest of the app calls only the names below (`from inspections import operations as ops`).
"""

from inspections.operations._validation import MAX_ANSWERS, SHA256_RE, TEXT_LIMITS, as_datetime
from inspections.operations.checklists import (
    checklist_for,
    checklists_in_order,
    create_checklist,
    save_checklist_version,
    set_checklist_active,
    version_items,
)
from inspections.operations.errors import InspectionError, InvalidVisit, VisitConflict
from inspections.operations.intake import (
    clock_check,
    find_visit,
    missing_photos,
    photo_max_bytes,
    photo_path,
    store_photo,
    submit_visit,
    valid_uuid,
)
from inspections.operations.planning import (
    assign_visit,
    assignments_for,
    bundle_etag,
    cancel_assignment,
    due_sites,
    last_visit_days,
    offline_bundle,
    plan_route,
    planned_assignments_for_sites,
    request_data,
    site_data,
)
from inspections.operations.referral import refer_to_committee, referable_answers, referral_site, visit_cases
from inspections.operations.visits import VisitFilters, inspectors, search_visits, visits_of_site

__all__ = [
    "MAX_ANSWERS",
    "SHA256_RE",
    "TEXT_LIMITS",
    "InspectionError",
    "InvalidVisit",
    "VisitConflict",
    "VisitFilters",
    "as_datetime",
    "assign_visit",
    "assignments_for",
    "bundle_etag",
    "cancel_assignment",
    "checklist_for",
    "checklists_in_order",
    "clock_check",
    "create_checklist",
    "due_sites",
    "find_visit",
    "inspectors",
    "last_visit_days",
    "missing_photos",
    "offline_bundle",
    "photo_max_bytes",
    "photo_path",
    "plan_route",
    "planned_assignments_for_sites",
    "refer_to_committee",
    "referable_answers",
    "referral_site",
    "request_data",
    "save_checklist_version",
    "search_visits",
    "set_checklist_active",
    "site_data",
    "store_photo",
    "submit_visit",
    "valid_uuid",
    "version_items",
    "visit_cases",
    "visits_of_site",
]
