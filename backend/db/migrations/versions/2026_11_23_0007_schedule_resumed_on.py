"""the day a paused schedule was resumed

A schedule that is paused and resumed generates again from the day it is resumed: the occurrences
that fell while it was paused are not made up (they would all arrive late at once). That day is the
schedule's state, kept on it; NULL for a schedule never paused, which generates from its first day.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resumed_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_column('resumed_on')
