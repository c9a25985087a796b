"""Flask extensions, created unbound and bound to an app in ``create_app``."""

import psycopg
from flask import current_app, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.exc import DisconnectionError
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


def drop_closed_postgres_connection(dbapi_connection, _record, _proxy) -> None:
    """Before the pool hands out a PostgreSQL connection: has the server closed it (a restart,
    a failover, an idle timeout)? If so the pool drops it and connects anew, and the request
    never sees it (SQLAlchemy's documented pessimistic check on checkout, DisconnectionError).

    A server that closes a connection sends its last words, then end of file: the first
    non-blocking read takes the words, the second meets the end. (A checkout in the instant
    between the words and the end still gets the dying connection: that request answers 503,
    try again.) No round trip, where ``pool_pre_ping`` sent a query before every request
    (0.4 ms of each post's path to its push, bench/request_cost.py with a trace).
    """
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:  # not psycopg: SQLite's connections live in this process
        return
    try:
        pgconn.consume_input()
        pgconn.consume_input()
    except psycopg.OperationalError as error:
        raise DisconnectionError("the server closed this connection") from error


def configure_sqlite(dbapi_connection, _record) -> None:
    """Foreign keys on, WAL for readers beside a writer, and a patient wait for the lock."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def on_postgresql() -> bool:
    """Whether this app's database is PostgreSQL (production), not SQLite (the default)."""
    return db.engine.dialect.name == "postgresql"


def runs_without_transaction(only_on_postgresql: bool = False):
    """Mark a view whose requests run without a transaction (``without_transaction``).

    ``drop_transaction_where_marked`` acts on the mark before anything else of the request,
    the sign-in check's query included. ``only_on_postgresql``: the view's writes are one
    statement there, several in turn on SQLite.
    """

    def mark(view):
        view.runs_without_transaction = "postgresql" if only_on_postgresql else "always"
        return view

    return mark


def drop_transaction_where_marked() -> None:
    """Before each request (the app's hook, ahead of the blueprints' sign-in checks)."""
    view = current_app.view_functions.get(request.endpoint)
    mark = getattr(view, "runs_without_transaction", None)
    if mark == "always" or (mark == "postgresql" and on_postgresql()):
        without_transaction()


def without_transaction() -> None:
    """Run this request's statements each on its own: no BEGIN and COMMIT around them.

    For the hot paths that only read, or write one statement at the end (an events fetch
    after a push, a socket connect): two round trips to the database fewer each. It must come
    before the request's first query; the pool restores the usual isolation when the
    connection goes back.
    """
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
