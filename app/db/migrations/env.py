"""Alembic environment: runs against the engine handed over in ``config.attributes``."""

from alembic import context
from sqlalchemy import Engine

from app.db.engine import make_engine
from app.db.models import Base
from app.settings import get_settings

config = context.config
engine: Engine = config.attributes.get("engine") or make_engine(get_settings().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
