"""Pods carry what scheduling needs: an operator ``weight`` (the
``weighted`` policy) and a ``draining`` flag (no new resources).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pods') as batch:
        batch.add_column(sa.Column('weight', sa.Integer(), nullable=False,
                                   server_default='1'))
        batch.add_column(sa.Column('draining', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.create_check_constraint(op.f('ck_pods_weight'), 'weight >= 0')


def downgrade() -> None:
    with op.batch_alter_table('pods') as batch:
        batch.drop_constraint(op.f('ck_pods_weight'), type_='check')
        batch.drop_column('draining')
        batch.drop_column('weight')
