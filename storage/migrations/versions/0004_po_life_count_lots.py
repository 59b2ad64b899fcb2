"""purchase order life (sent, confirmed, closed) and lots not seen by a count

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 04:40:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import domain.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', domain.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sent_via', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', domain.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', domain.models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('count_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('count_lines', schema=None) as batch_op:
        batch_op.drop_column('seen')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('confirmed_date')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('sent_via')
        batch_op.drop_column('sent_at')
