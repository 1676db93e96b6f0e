"""evaluation loop: what visits measured, the day they count on, and run-time settings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.db.types


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'app_setting',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('value', backend.db.types.JSONType, nullable=False),
        sa.Column('updated_by', sa.Uuid(), nullable=True),
        sa.Column('updated_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], ),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('delay_days_sum', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('delay_samples', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('satisfaction_sum', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('satisfaction_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_visit_day_agency', ['visit_day', 'agency_id'], unique=False)
    # Visits already stored count on the day they were started (or submitted), as new ones do.
    op.execute("UPDATE visit SET visit_day = DATE(COALESCE(started_at, submitted_at)) WHERE visit_day IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_day_agency')
        batch_op.drop_column('satisfaction_count')
        batch_op.drop_column('satisfaction_sum')
        batch_op.drop_column('delay_samples')
        batch_op.drop_column('delay_days_sum')
        batch_op.drop_column('visit_day')
    op.drop_table('app_setting')
