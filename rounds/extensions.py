"""Flask extensions, created unbound and bound to an app in ``create_app``."""

from flask import current_app, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints from the first migration on: SQLite batch migrations need them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
compress = Compress()
socketio = SocketIO()
# Storage from RATELIMIT_STORAGE_URI: memory in the embedded default, Redis in production.
limiter = Limiter(key_func=get_remote_address)


def configure_sqlite(dbapi_connection, _record) -> None:
    """Foreign keys on, WAL for readers beside a writer, and a patient wait for the lock."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def runs_without_transaction(view):
    """Mark a view whose requests only read, or write one statement at the end: they run
    without a transaction (``without_transaction``) on every database.

    ``drop_transaction_where_marked`` acts on the mark before anything else of the request,
    the sign-in check's query included.
    """
    view.runs_without_transaction = True
    return view


def drop_transaction_where_marked() -> None:
    """Before each request (the app's hook, ahead of the blueprints' sign-in checks)."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "runs_without_transaction", False):
        without_transaction()


def without_transaction() -> None:
    """Run this request's statements each on its own: no BEGIN and COMMIT around them.

    For the hot paths that only read, or write one statement at the end (an events fetch
    after a push, a socket connect): two round trips to the database fewer each. It must come
    before the request's first query; the pool restores the usual isolation when the
    connection goes back.
    """
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
