"""The public licence verification page (the QR code's target): no login needed."""

from flask import Blueprint

bp = Blueprint("verify", __name__)
