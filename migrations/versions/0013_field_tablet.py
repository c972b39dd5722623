"""field tablet: the inspector's counties; device clock beside the server's on each visit

Revision ID: 0013_field_tablet
Revises: 0010_letters
Create Date: 2026-11-30 01:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_field_tablet"
down_revision = "0010_letters"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_counties",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_id"], ["counties.id"], name=op.f("fk_user_counties_county_id_counties")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_counties_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "county_id", name=op.f("pk_user_counties")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("clock_skew_s", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("gps_skew_s", sa.Double(), nullable=True))


def downgrade():
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("gps_skew_s")
        batch_op.drop_column("clock_skew_s")
        batch_op.drop_column("device_sent_at")

    op.drop_table("user_counties")
