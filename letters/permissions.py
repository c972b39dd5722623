"""Who may do what with letters."""

from core.security import Role

# The register is read by every office that writes letters, and by the read-only viewer.
VIEW = (Role.ADMIN, Role.LICENSING, Role.COMMITTEE_SECRETARY, Role.INSPECTOR, Role.VIEWER)
# Writing by hand, attaching files, recording a delivery, sending again.
WRITE = (Role.ADMIN, Role.LICENSING, Role.COMMITTEE_SECRETARY, Role.INSPECTOR)
# The wording of the letters, the correspondents list and the holiday calendar.
ADMIN = (Role.ADMIN,)


def can_write(user) -> bool:
    """Whether the user writes letters and records their delivery."""
    return bool(user and user.is_authenticated and user.role in WRITE)
