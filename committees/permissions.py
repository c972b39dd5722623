"""Who may do what in the violations committee."""

from core.security import Role

# The admin and the committee's secretary run the committee: cases, sessions, members, and they
# record attendance, recusals, votes, rulings, service, appeals and corrections.
MANAGE = (Role.ADMIN, Role.COMMITTEE_SECRETARY)
# Members follow the cases and sessions (and may cast their own vote in a session they attend);
# the viewer sees everything read-only; licensing officers see the cases (a suspended or revoked
# licence comes from a ruling), not the committee's deliberations.
VIEW_CASES = (Role.ADMIN, Role.COMMITTEE_SECRETARY, Role.COMMITTEE_MEMBER, Role.VIEWER, Role.LICENSING)
VIEW_SESSIONS = (Role.ADMIN, Role.COMMITTEE_SECRETARY, Role.COMMITTEE_MEMBER, Role.VIEWER)
MEMBERS = MANAGE
CATALOGUE = (Role.ADMIN,)
OWN_VOTE = (Role.COMMITTEE_MEMBER,)
