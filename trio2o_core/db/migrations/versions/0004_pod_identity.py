"""A pod's identity mode (``shared`` or ``k2k``) and service provider;
the pod-side project of a routed resource.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    op.add_column('pods', sa.Column('identity', sa.String(16),
                                    nullable=False, server_default='shared'))
    op.add_column('pods', sa.Column('service_provider', sa.String(255),
                                    nullable=True))
    # SQLite adds a check constraint only by copying the table, which the
    # routings' foreign key forbids: there the database API alone checks
    if not _sqlite():
        op.create_check_constraint(op.f('ck_pods_identity'), 'pods',
                                   "identity IN ('shared', 'k2k')")
    op.add_column('resource_routings',
                  sa.Column('pod_project_id', sa.String(64), nullable=True))


def downgrade() -> None:
    if not _sqlite():
        op.drop_constraint(op.f('ck_pods_identity'), 'pods', type_='check')
    for table, column in (('resource_routings', 'pod_project_id'),
                          ('pods', 'service_provider'),
                          ('pods', 'identity')):
        op.drop_column(table, column)
