"""Model behaviour that needs no database."""

import datetime

import sqlalchemy as sa

from trio2o_core.db import models


def test_utc_datetime_stores_naive_utc_and_returns_aware() -> None:
    column_type = models.UTCDateTime()
    dialect = sa.create_engine('sqlite://').dialect
    paris = datetime.timezone(datetime.timedelta(hours=1))
    stored = column_type.process_bind_param(
        datetime.datetime(2024, 1, 1, 13, 0, tzinfo=paris), dialect)
    assert stored == datetime.datetime(2024, 1, 1, 12, 0)
    assert column_type.process_result_value(stored, dialect) == (
        datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.UTC))
    assert column_type.process_bind_param(None, dialect) is None


def test_active_key_follows_is_active() -> None:
    binding = models.PodBinding(project_id='p', az_name='az', pod_id='pod',
                                is_active=True)
    assert binding.active_key is True
    binding.is_active = False
    assert binding.active_key is None


def test_constraint_names_fit_mysql_identifiers() -> None:
    names: list[object] = []
    for table in models.Base.metadata.sorted_tables:
        names += [c.name for c in table.constraints]
        names += [i.name for i in table.indexes]
    assert all(isinstance(name, str) and len(name) <= 64 for name in names)


def test_as_dict_uses_attribute_names() -> None:
    pod = models.Pod(id='x', name='Pod1', az_name='az1', enabled=True)
    assert pod.as_dict()['name'] == 'Pod1'
    assert set(pod.as_dict()) == {c.name for c in models.Pod.__table__.c}
