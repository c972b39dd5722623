"""audit: the hash algorithm of each event (keyed HMAC from now on), TRUNCATE refused on PostgreSQL

Revision ID: 0007_audit_key
Revises: 0006_api_tokens
Create Date: 2026-11-30

Events written before this revision keep their plain SHA-256 hashes and are marked "sha256"; the
application hashes every new event with HMAC-SHA256 under the key outside the database and marks
it "hmac-sha256:<key id>". Nothing is re-chained: the old events verify as they were written.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_audit_key'
down_revision = '0006_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table rebuild on SQLite, so its append-only triggers stay).
    op.add_column(
        'audit_events',
        sa.Column('hash_alg', sa.String(length=40), server_default='sha256', nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The row triggers do not see TRUNCATE; a statement trigger refuses it (belt and braces: the
        # app's role has no TRUNCATE privilege after `flask audit lock-down`).
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.drop_column('audit_events', 'hash_alg')
    else:
        op.execute("ALTER TABLE audit_events DROP COLUMN hash_alg")
