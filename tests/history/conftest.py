"""The API fixtures for the history and reference tests."""

from tests.api.conftest import admin, anonymous, caller  # noqa: F401
