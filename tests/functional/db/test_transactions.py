"""A failed transaction leaves nothing behind; errors are translated."""

import pytest
import sqlalchemy as sa

from tests.functional.db.conftest import backend_id
from trio2o_core.db import api
from trio2o_core.db import engine
from trio2o_core.db import exceptions
from trio2o_core.db import models


def _count(model: type[models.Base]) -> int:
    with api.session_scope() as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(model)) or 0


def test_constraint_failure_rolls_back_earlier_writes(db: str) -> None:
    with pytest.raises(exceptions.Duplicate):
        with api.session_scope() as session:
            session.add(models.Pod(name='Pod1', az_name='az1'))
            session.flush()
            session.add(models.Pod(name='Pod1', az_name='az2'))
    assert _count(models.Pod) == 0


def test_failure_at_commit_rolls_back(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    with pytest.raises(exceptions.InvalidReference):
        with api.session_scope() as session:
            session.add(models.ResourceRouting(
                top_id='vm-1', resource_type='server', pod_id=pod.id,
                project_id='p1'))
            session.add(models.ResourceRouting(
                top_id='vm-2', resource_type='server',
                pod_id='no-such-pod', project_id='p1'))
    assert _count(models.ResourceRouting) == 0


def test_application_error_rolls_back(db: str) -> None:
    with pytest.raises(RuntimeError):
        with api.session_scope() as session:
            session.add(models.Pod(name='Pod1', az_name='az1'))
            session.flush()
            raise RuntimeError('boom')
    assert _count(models.Pod) == 0


def test_foreign_keys_enforced_on_delete(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    api.create_routing('vm-1', 'server', pod.id, 'p1')
    with pytest.raises(exceptions.InvalidReference):
        with api.session_scope() as session:
            session.execute(sa.delete(models.Pod))
    assert api.get_pod(pod.id)


def test_sqlalchemy_errors_do_not_escape(db: str) -> None:
    with pytest.raises(exceptions.DBError) as caught:
        with api.session_scope() as session:
            session.execute(sa.text('SELECT * FROM no_such_table'))
    assert not isinstance(caught.value, sa.exc.SQLAlchemyError)


def test_connection_dead_after_idle_is_replaced(
        killed_session: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, 'PING_AFTER_IDLE', 0.0)

    with api.get_engine().connect() as connection:
        assert backend_id(connection) != killed_session
    assert api.list_pods() == []
