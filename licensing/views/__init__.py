"""Licensing screens."""

from licensing.views.applications import bp as bp
