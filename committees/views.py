"""Committee screens."""

from flask import Blueprint

import committees.models  # noqa: F401  (the blueprint's models are part of the schema)

bp = Blueprint("committees", __name__)
