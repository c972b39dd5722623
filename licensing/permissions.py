"""Who may do what in licensing."""

from core.security import Role

VIEW = (Role.ADMIN, Role.LICENSING, Role.VIEWER)
EDIT = (Role.ADMIN, Role.LICENSING)
# Inspectors see the visits asked of them and record their result.
VISITS = (Role.ADMIN, Role.LICENSING, Role.INSPECTOR)
