"""Indexes the reports need on other features' tables (the reports own no table).

Declared here, on the tables' metadata, so that the models and the migrations agree (`flask db
check`); created by migrations/versions/0005_report_indexes.py. Measured with `make bench`.
"""

from __future__ import annotations

from sqlalchemy import Index

from inspections.models import Visit

# A year's visits by site kind, purpose and county (~200,000 rows nationally) are counted from
# this index alone: the visits table itself, wide with GPS and device fields, is not read.
VISITS_REPORT = Index(
    "ix_visits_report", Visit.visited_on, Visit.site_id, Visit.purpose, Visit.visit_request_id
)
