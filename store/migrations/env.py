"""Alembic environment.

From code (`store.migrate.upgrade`) it runs on the connection handed over in the config's
attributes; from the Alembic command line (`alembic -c store/alembic.ini revision
--autogenerate -m "..."`) it connects to `TAILOR_DATABASE_URL`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from store.models import Base


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    from settings import load_settings
    from store.db import create_store_engine

    with create_store_engine(load_settings().database_url).connect() as connection:
        run(connection)
        connection.commit()
