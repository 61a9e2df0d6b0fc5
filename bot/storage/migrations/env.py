"""Alembic's entry point, run only through `bot.storage.sqlstore.upgrade`, which passes the connection in."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `guidance-bot db upgrade`, which supplies the database")

context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
