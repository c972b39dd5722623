"""Users, roles, login and logout, user administration."""
