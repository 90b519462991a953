"""The index of a project's routings also holds their pod: which pods
hold a project's resources (asked by every list page) is one index seek
per pod, not a scan of all the project's routings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_TABLE = 'resource_routings'
_BEFORE = ['project_id', 'resource_type']
_AFTER = ['project_id', 'resource_type', 'pod_id']


def _name(columns: list[str]) -> str:
    return op.f(f'ix_{_TABLE}_{"_".join(columns)}')


def upgrade() -> None:
    op.create_index(_name(_AFTER), _TABLE, _AFTER)
    op.drop_index(_name(_BEFORE), table_name=_TABLE)


def downgrade() -> None:
    op.create_index(_name(_BEFORE), _TABLE, _BEFORE)
    op.drop_index(_name(_AFTER), table_name=_TABLE)
