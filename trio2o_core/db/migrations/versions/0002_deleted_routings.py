"""Routing rows may be ``deleted``: kept for a while after their resource
is gone (a deleted server's instance actions), then pruned.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _status_check(statuses: str) -> None:
    # batch mode: SQLite changes a constraint by copying the table
    with op.batch_alter_table('resource_routings') as batch:
        batch.drop_constraint(op.f('ck_resource_routings_status'),
                              type_='check')
        batch.create_check_constraint(op.f('ck_resource_routings_status'),
                                      f'status IN ({statuses})')


def upgrade() -> None:
    _status_check("'creating', 'active', 'deleting', 'deleted'")


def downgrade() -> None:
    op.execute("DELETE FROM resource_routings WHERE status = 'deleted'")
    _status_check("'creating', 'active', 'deleting'")
