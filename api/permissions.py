"""Who may use the API's own resources (the others reuse each feature's permissions)."""

from __future__ import annotations

from core.security import ALL_ROLES, Role

# Every account may hold tokens for itself; the admin sees and revokes everyone's.
OWN_TOKENS = tuple(ALL_ROLES)


def can_revoke_token(user, token) -> bool:
    """A token's own user, or an admin."""
    return getattr(user, "role", None) == Role.ADMIN or token.user_id == getattr(user, "id", None)


def can_see_all_tokens(user) -> bool:
    return getattr(user, "role", None) == Role.ADMIN
