"""Who may do what in licensing."""

from core.security import Role

VIEW = (Role.ADMIN, Role.LICENSING, Role.VIEWER)
EDIT = (Role.ADMIN, Role.LICENSING)
# The printed certificate carries the holder's national ID: it is printed by those who issue it.
# The viewer oversees licences on screen and has no duty that needs the ID, so no PDF.
PRINT = (Role.ADMIN, Role.LICENSING)
# Inspectors see the visits asked of them and record their result.
VISITS = (Role.ADMIN, Role.LICENSING, Role.INSPECTOR)
