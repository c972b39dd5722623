"""Who may do what in the registry."""

from core.security import Role

VIEW_SITES = (
    Role.ADMIN,
    Role.LICENSING,
    Role.INSPECTOR,
    Role.COMMITTEE_SECRETARY,
    Role.COMMITTEE_MEMBER,
    Role.VIEWER,
)
EDIT_SITES = (Role.ADMIN, Role.LICENSING)
# People carry personal data: only the staff who decide on them see the list.
VIEW_PEOPLE = (Role.ADMIN, Role.LICENSING, Role.COMMITTEE_SECRETARY)
EDIT_PEOPLE = (Role.ADMIN, Role.LICENSING)
