"""Initial schema: pods, pod_bindings, resource_routings.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql',
                                      'mariadb')


def upgrade() -> None:
    op.create_table(
        'pods',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('az_name', sa.String(255), nullable=False),
        sa.Column('pod_az_name', sa.String(255), nullable=True),
        sa.Column('dc_name', sa.String(255), nullable=True),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', DATETIME, nullable=False),
        sa.Column('updated_at', DATETIME, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pods')),
        sa.UniqueConstraint('name', name=op.f('uq_pods_name')),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_table(
        'pod_bindings',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(64), nullable=False),
        sa.Column('az_name', sa.String(255), nullable=False),
        sa.Column('pod_id', sa.String(36), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('active_key', sa.Boolean(), nullable=True),
        sa.Column('created_at', DATETIME, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pod_bindings')),
        sa.ForeignKeyConstraint(['pod_id'], ['pods.id'], ondelete='CASCADE',
                                name=op.f('fk_pod_bindings_pod_id_pods')),
        sa.UniqueConstraint(
            'project_id', 'az_name', 'active_key',
            name=op.f('uq_pod_bindings_project_id_az_name_active_key')),
        sa.CheckConstraint(
            '(is_active AND active_key IS NOT NULL) OR '
            '(NOT is_active AND active_key IS NULL)',
            name=op.f('ck_pod_bindings_active_key')),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index(op.f('ix_pod_bindings_pod_id'), 'pod_bindings', ['pod_id'])
    op.create_table(
        'resource_routings',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('top_id', sa.String(255), nullable=False),
        sa.Column('resource_type', sa.String(64), nullable=False),
        sa.Column('bottom_id', sa.String(255), nullable=True),
        sa.Column('pod_id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('created_at', DATETIME, nullable=False),
        sa.Column('updated_at', DATETIME, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_routings')),
        sa.ForeignKeyConstraint(['pod_id'], ['pods.id'],
                                name=op.f('fk_resource_routings_pod_id_pods')),
        sa.UniqueConstraint(
            'top_id', 'resource_type',
            name=op.f('uq_resource_routings_top_id_resource_type')),
        sa.CheckConstraint(
            "status IN ('creating', 'active', 'deleting')",
            name=op.f('ck_resource_routings_status')),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index(op.f('ix_resource_routings_project_id_resource_type'),
                    'resource_routings', ['project_id', 'resource_type'])
    op.create_index(op.f('ix_resource_routings_pod_id'), 'resource_routings',
                    ['pod_id'])
