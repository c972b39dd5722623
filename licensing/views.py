"""Licensing screens."""

from flask import Blueprint

import licensing.models  # noqa: F401  (the blueprint's models are part of the schema)

bp = Blueprint("licensing", __name__)
