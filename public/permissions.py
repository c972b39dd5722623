"""Who handles citizens' complaints, and who sees the complainant's contact details."""

from core.security import Role

# The directorate's complaint desk: triage, ask the office, plan a visit, refer to the committee.
HANDLE_COMPLAINTS = (Role.ADMIN, Role.LICENSING, Role.COMMITTEE_SECRETARY)
# Read the complaints (without the complainant's contact details).
VIEW_COMPLAINTS = (*HANDLE_COMPLAINTS, Role.VIEWER)
# The service catalogue and an office's hours and services.
EDIT_CATALOGUE = (Role.ADMIN,)
EDIT_OFFICE_PROFILE = (Role.ADMIN, Role.LICENSING)


def can_see_contact(user) -> bool:
    """Only the roles that handle complaints read who complained and how to reach them."""
    return getattr(user, "role", None) in HANDLE_COMPLAINTS
