"""Migrations build, from an empty database, exactly the models' schema."""

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import autogenerate
from alembic import command
from alembic import config
from alembic.runtime import migration as alembic_migration

from trio2o_core.db import api
from trio2o_core.db import migration
from trio2o_core.db import models


def _schema_diffs() -> list[Any]:
    def include_name(name: str | None, type_: str,
                     parent_names: object) -> bool:
        return not (type_ == 'table' and name == migration.VERSION_TABLE)

    with api.get_engine().connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'compare_type': True,
                              'include_name': include_name})
        diffs: list[Any] = autogenerate.compare_metadata(
            context, models.Base.metadata)
        return diffs


def test_upgrade_from_empty_reaches_head(configured: str) -> None:
    assert migration.current_version() is None
    assert {diff[0] for diff in _schema_diffs()} == {'add_table',
                                                     'add_index'}
    migration.upgrade()
    assert migration.current_version() == migration.head_version()
    migration.upgrade()  # already at head: nothing to do
    assert migration.current_version() == migration.head_version()


def test_migrated_schema_matches_models(configured: str) -> None:
    migration.upgrade()
    assert _schema_diffs() == []


def test_migrated_schema_has_named_constraints(configured: str) -> None:
    migration.upgrade()
    inspector = sa.inspect(api.get_engine())
    unique: list[list[Any]] = [c['column_names']
              for c in inspector.get_unique_constraints('pod_bindings')]
    unique += [i['column_names']
               for i in inspector.get_indexes('pod_bindings') if i['unique']]
    assert ['project_id', 'az_name', 'active_key'] in unique
    fks = inspector.get_foreign_keys('resource_routings')
    assert [(fk['constrained_columns'], fk['referred_table'])
            for fk in fks] == [(['pod_id'], 'pods')]


def _empty_at(revision: str) -> None:
    """Empty the module's database of what the tests before made, then
    migrate it to ``revision``."""
    models.Base.metadata.drop_all(api.get_engine())
    with api.get_engine().begin() as connection:
        connection.execute(sa.text(f'DROP TABLE {migration.VERSION_TABLE}'))
    migration.upgrade(revision)


def _downgrade(revision: str) -> None:
    with api.get_engine().begin() as connection:
        alembic_config = config.Config()
        alembic_config.set_main_option('script_location',
                                       migration.MIGRATIONS_DIR)
        alembic_config.attributes['connection'] = connection
        command.downgrade(alembic_config, revision)


def test_upgrade_keeps_routings_and_allows_deleted(configured: str) -> None:
    _empty_at('0001')
    pod_id = _old_pod('Pod1')
    with api.get_engine().begin() as connection:
        # the columns of 0001 only
        connection.execute(sa.text(
            "INSERT INTO resource_routings (top_id, resource_type, pod_id, "
            "project_id, status, created_at) VALUES ('vm-1', 'server', "
            ":pod, 'p1', 'active', :now)"),
            {'pod': pod_id, 'now': models.utcnow().replace(tzinfo=None)})
        # IntegrityError, or OperationalError on MariaDB
        with pytest.raises(sa.exc.DBAPIError):
            with connection.begin_nested():
                connection.execute(
                    models.ResourceRouting.__table__.update().values(
                        status='deleted'))

    migration.upgrade()

    routing = api.get_routing_by_top_id('vm-1', 'server')
    assert routing.status == 'active'
    assert api.mark_routing_deleted(routing.id).status == 'deleted'
    assert _schema_diffs() == []


def _old_pod(name: str) -> str:
    """Insert a pod with the columns of revision 0001; return its id."""
    pod_id = models.new_uuid()
    with api.get_engine().begin() as connection:
        connection.execute(sa.text(
            'INSERT INTO pods (id, name, az_name, enabled, created_at) '
            'VALUES (:id, :name, :az, :enabled, :created)'), {
                'id': pod_id, 'name': name, 'az': 'az1', 'enabled': True,
                'created': models.utcnow().replace(tzinfo=None)})
    return pod_id


def test_upgrade_to_0003_weighs_pods_1_and_drains_none(
        configured: str) -> None:
    _empty_at('0002')
    pod_id = _old_pod('Pod1')

    migration.upgrade()

    pod = api.get_pod(pod_id)
    assert (pod.weight, pod.draining) == (1, False)
    with pytest.raises(api.exceptions.InvalidValue):
        api.update_pod(pod_id, weight=-1)
    assert api.update_pod(pod_id, weight=0, draining=True).weight == 0
    assert _schema_diffs() == []


def test_pod_identity_upgrade_defaults_to_shared_and_downgrades(
        configured: str) -> None:
    _empty_at('0002')
    with api.get_engine().begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO pods (id, name, az_name, enabled, created_at) "
            "VALUES ('p-1', 'Pod1', 'az1', :yes, :now)"),
            {'yes': True, 'now': models.utcnow().replace(tzinfo=None)})
    migration.upgrade('0004')
    pod = api.get_pod('p-1')
    assert (pod.identity, pod.service_provider) == ('shared', None)
    api.update_pod('p-1', identity='k2k', service_provider='sp1')
    api.create_routing('vm-1', 'server', 'p-1', 'top-project',
                       pod_project_id='pod-project')
    assert api.get_routing_by_top_id(
        'vm-1', 'server').pod_project_id == 'pod-project'
    if not configured.startswith('sqlite'):
        # the database itself refuses an unknown mode (on SQLite, only
        # the API does: test_pods.test_identity_mode)
        with pytest.raises(sa.exc.DBAPIError), \
                api.get_engine().begin() as connection:
            connection.execute(models.Pod.__table__.update().values(
                identity='other'))
    _downgrade('0002')
    columns = {c['name'] for c in sa.inspect(api.get_engine()).get_columns(
        'pods')}
    assert 'identity' not in columns and 'name' in columns


def _routing_indexes() -> dict[str, list[str]]:
    return {index['name']: index['column_names'] for index in
            sa.inspect(api.get_engine()).get_indexes('resource_routings')}


def test_routings_pod_index_upgrade_keeps_routings_and_downgrades(
        configured: str) -> None:
    _empty_at('0004')
    pod = api.create_pod('Pod1', 'az1')
    api.create_routing('vm-1', 'server', pod.id, 'p1')
    before = 'ix_resource_routings_project_id_resource_type'
    after = 'ix_resource_routings_project_id_resource_type_pod_id'
    assert before in _routing_indexes()

    migration.upgrade('0005')
    indexes = _routing_indexes()
    assert indexes[after] == ['project_id', 'resource_type', 'pod_id']
    assert before not in indexes
    assert api.routed_pod_ids('p1', 'server') == {pod.id}

    _downgrade('0004')
    indexes = _routing_indexes()
    assert indexes[before] == ['project_id', 'resource_type']
    assert after not in indexes
    assert api.routed_pod_ids('p1', 'server') == {pod.id}
