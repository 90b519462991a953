"""Prepared reads give what Core gives, on every backend, and fail as
the other scopes do."""

import pathlib

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from trio2o_core.conf import CONF
from trio2o_core.db import api
from trio2o_core.db import compiled
from trio2o_core.db import engine
from trio2o_core.db import exceptions
from trio2o_core.db import migration
from trio2o_core.db import models

ROUTINGS = models.ResourceRouting.__table__
PODS = models.Pod.__table__
#: a routing with its pod's columns, filtered on a string and a boolean
JOINED = sa.select(
    ROUTINGS, *[column.label(f'pod__{column.name}') for column in PODS.c],
).join_from(ROUTINGS, PODS, ROUTINGS.c.pod_id == PODS.c.id).where(
    ROUTINGS.c.project_id == sa.bindparam('project_id'),
    PODS.c.enabled == sa.bindparam('enabled'),
).order_by(ROUTINGS.c.top_id)


def _core_rows(statement: sa.Select, **params: object) -> list[dict]:
    with api.get_engine().connect() as connection:
        return [dict(row) for row in
                connection.execute(statement, params).mappings()]


def test_rows_are_what_core_reads(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1', dc_name='dc1')
    off = api.create_pod('Pod2', 'az1')
    api.update_pod(off.id, enabled=False)
    for n in range(3):
        api.create_routing(f'top-{n}', 'server', pod.id, 'project',
                           bottom_id=f'bottom-{n}')
    api.create_routing('top-off', 'server', off.id, 'project')

    for enabled in (True, False):
        found = engine.PreparedRead(JOINED).rows(project_id='project',
                                                 enabled=enabled)
        assert found == _core_rows(JOINED, project_id='project',
                                   enabled=enabled)
    found = engine.PreparedRead(JOINED).rows(project_id='project',
                                             enabled=True)
    assert [row['top_id'] for row in found] == ['top-0', 'top-1', 'top-2']
    row = found[0]
    assert row['pod__enabled'] is True
    assert row['pod__dc_name'] == 'dc1' and row['updated_at'] is None
    assert row['created_at'].utcoffset() is not None


def test_an_expanding_parameter_takes_a_list(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    for n in range(5):
        api.create_routing(f'top-{n}', 'server', pod.id, 'project')
    by_ids = sa.select(ROUTINGS.c.top_id, ROUTINGS.c.created_at).where(
        ROUTINGS.c.top_id.in_(sa.bindparam('ids', expanding=True)),
        ROUTINGS.c.project_id == sa.bindparam('project_id'),
    ).order_by(ROUTINGS.c.top_id)
    prepared = engine.PreparedRead(by_ids)
    for ids in (['top-1'], ['top-4', 'top-0', 'absent'], []):
        assert prepared.rows(ids=ids, project_id='project') == _core_rows(
            by_ids, ids=ids, project_id='project')
    assert [row['top_id'] for row in prepared.rows(
        ids=['top-3', 'top-2', 'nope'], project_id='project')] == [
            'top-2', 'top-3']


#: ids to pick lists from: routed ones, absent ones, and repeats
IDS = st.lists(st.sampled_from(['top-0', 'top-1', 'top-2', 'top-3', 'absent',
                                'gone']), max_size=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(IDS, st.lists(st.booleans(), max_size=3)),
                      min_size=1, max_size=6))
def test_expanding_lists_of_every_length_read_what_core_reads(
        db: str, calls: list) -> None:
    # the SQL of each length of the lists is rendered once and reused
    # with other values: each call reads the rows Core reads
    if not api.list_pods():
        on = api.create_pod('Pod1', 'az1')
        off = api.create_pod('Pod2', 'az1')
        api.update_pod(off.id, enabled=False)
        for n in range(4):
            api.create_routing(f'top-{n}', 'server',
                               (on if n % 2 else off).id, 'project')
    statement = sa.select(ROUTINGS.c.top_id, PODS.c.enabled).join_from(
        ROUTINGS, PODS, ROUTINGS.c.pod_id == PODS.c.id).where(
        ROUTINGS.c.top_id.in_(sa.bindparam('ids', expanding=True)),
        PODS.c.enabled.in_(sa.bindparam('flags', expanding=True)),
        ROUTINGS.c.project_id == sa.bindparam('project_id'),
    ).order_by(ROUTINGS.c.top_id)
    prepared = engine.PreparedRead(statement)
    for ids, flags in calls:
        assert prepared.rows(ids=ids, flags=flags,
                             project_id='project') == _core_rows(
            statement, ids=ids, flags=flags, project_id='project')


def test_the_lists_renderings_kept_are_bounded(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    api.create_routing('top-0', 'server', pod.id, 'project')
    statement = sa.select(ROUTINGS.c.top_id).where(
        ROUTINGS.c.top_id.in_(sa.bindparam('ids', expanding=True)))
    prepared = engine.PreparedRead(statement)
    lengths = range(1, compiled.MAX_SHAPES + 9)

    for length in lengths:
        ids = ['top-0'] + [f'absent-{n}' for n in range(length - 1)]
        assert prepared.rows(ids=ids) == [{'top_id': 'top-0'}]

    assert len(prepared._prepare().shapes) == compiled.MAX_SHAPES


def test_a_bad_value_in_a_list_is_a_database_error(db: str) -> None:
    statement = sa.select(PODS.c.name).where(
        PODS.c.enabled.in_(sa.bindparam('flags', expanding=True)))
    prepared = engine.PreparedRead(statement)
    assert prepared.rows(flags=[True, False]) == []
    # the same length again, now with a value the column cannot take
    with pytest.raises(exceptions.InvalidValue) as caught:
        prepared.rows(flags=[True, 'yes'])
    assert caught.value.field.startswith('flags')


def test_first_is_the_first_row_or_none(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    api.create_routing('top-1', 'server', pod.id, 'project')
    prepared = engine.PreparedRead(JOINED)
    assert prepared.first(project_id='project', enabled=True)['top_id'] == (
        'top-1')
    assert prepared.first(project_id='other', enabled=True) is None


def test_a_new_engine_gets_the_statement_compiled_for_it(
        db: str, tmp_path: pathlib.Path) -> None:
    pod = api.create_pod('Pod1', 'az1')
    prepared = engine.PreparedRead(
        sa.select(PODS.c.name).where(PODS.c.id == sa.bindparam('id')))
    assert prepared.rows(id=pod.id) == [{'name': 'Pod1'}]
    # another database (of another dialect, but on SQLite) behind a new
    # engine: the statement read there, compiled for it
    CONF.set_override('connection', f'sqlite:///{tmp_path}/other.sqlite',
                      group='database')
    api.reset_engine()
    try:
        migration.upgrade()
        api.create_pod('Other', 'az1', pod_id=pod.id)
        assert prepared.rows(id=pod.id) == [{'name': 'Other'}]
    finally:
        CONF.set_override('connection', db, group='database')
        api.reset_engine()
    assert prepared.rows(id=pod.id) == [{'name': 'Pod1'}]


def test_errors_are_translated(db: str) -> None:
    missing = sa.table('no_such_table', sa.column('x'))
    with pytest.raises(exceptions.DBError) as caught:
        engine.PreparedRead(sa.select(missing.c.x)).rows()
    assert not isinstance(caught.value, sa.exc.SQLAlchemyError)
    # the connection went back to the pool usable
    assert api.list_pods() == []


@pytest.mark.parametrize('params', [
    {'project_id': 'project', 'enabled': 'yes'},   # not a boolean
    {'project_id': 'project'},                      # one missing
])
def test_bad_parameters_are_database_errors(db: str, params: dict) -> None:
    with pytest.raises(exceptions.DBError) as caught:
        engine.PreparedRead(JOINED).rows(**params)
    assert not isinstance(caught.value, sa.exc.SQLAlchemyError)
    if 'enabled' in params:
        assert isinstance(caught.value, exceptions.InvalidValue)
        assert caught.value.field == 'enabled'


def test_connection_lost_mid_call_is_replaced(
        db: str, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    pod = api.create_pod('Pod1', 'az1')
    prepared = engine.PreparedRead(
        sa.select(PODS.c.name).where(PODS.c.id == sa.bindparam('id')))
    request.getfixturevalue('killed_session')
    # no ping before use: the dead connection is the one the call gets
    monkeypatch.setattr(engine, 'PING_AFTER_IDLE', float('inf'))

    with pytest.raises(exceptions.DBConnectionError):
        prepared.rows(id=pod.id)
    assert prepared.rows(id=pod.id) == [{'name': 'Pod1'}]
