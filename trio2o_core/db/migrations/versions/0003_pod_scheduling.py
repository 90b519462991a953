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
    # plain ADD COLUMN on every backend: SQLite copying the table would
    # have to drop ``pods``, which routings and bindings refer to
    op.add_column('pods', sa.Column('weight', sa.Integer(), nullable=False,
                                    server_default='1'))
    op.add_column('pods', sa.Column('draining', sa.Boolean(),
                                    nullable=False,
                                    server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('pods', 'draining')
    op.drop_column('pods', 'weight')
