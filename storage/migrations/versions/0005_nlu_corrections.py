"""nlu corrections: the reading a person chose when the assistant was unsure

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 05:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import domain.models.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nlu_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('intent', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('offered', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('nlu_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nlu_corrections_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('nlu_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nlu_corrections_at'))
    op.drop_table('nlu_corrections')
