"""Alembic environment of the gateway database.

Run through :mod:`trio2o_core.db.migration`, which passes the connection to
migrate in ``config.attributes['connection']``.
"""

from alembic import context

from trio2o_core.db import models

config = context.config

context.configure(connection=config.attributes['connection'],
                  target_metadata=models.Base.metadata,
                  render_as_batch=True,
                  compare_type=True)

with context.begin_transaction():
    context.run_migrations()
