"""report indexes

Revision ID: 0005_report_indexes
Revises: 0004_inspections
Create Date: 2026-11-23 17:00:00.000000

The annual report counts a year's visits by site kind, purpose and county; on the national
benchmark (1,000,000 visits, `make bench`) reading the wide visits rows took most of its time.
This covering index lets both engines count from the index alone. Declared in reports/models.py.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_report_indexes'
down_revision = '0004_inspections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index(
            'ix_visits_report', ['visited_on', 'site_id', 'purpose', 'visit_request_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_report')
