"""Fixtures: a fresh, migrated database per test on SQLite and PostgreSQL, factories, sign-in.

Schemas are only ever made by the migrations: each test gets a copy of a database that
``flask db upgrade`` built once per run (a file copy on SQLite, ``CREATE DATABASE ...
TEMPLATE`` on PostgreSQL). With CI=true a skipped or xfailed test is a failure.
"""

import os
import shutil
import uuid

import psycopg
import psycopg.conninfo
import pytest
import redis
from flask_migrate import upgrade

from rounds import create_app
from rounds.extensions import db
from tests.support.factories import Factory

PG_ADMIN_DSN = os.environ.get(
    "ROUNDS_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres password=postgres dbname=test"
)
_PG = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_DSN)
PG_URL = (
    f"postgresql+psycopg://{_PG.get('user', 'postgres')}:{_PG.get('password', '')}"
    f"@{_PG.get('host', '127.0.0.1')}:{_PG.get('port', 5432)}/{{name}}"
)
BACKENDS = ["sqlite", "postgresql"]
RUN_ID = uuid.uuid4().hex[:8]

pytest_plugins = [
    "tests.support.live",
    "tests.support.browser",
    "tests.support.ci_rules",
    "pytester",
]


def pg_admin():
    """An autocommit connection for creating and dropping test databases; fails loudly."""
    try:
        return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable ({PG_ADMIN_DSN}): {error}")


def migrate_to_head(url: str) -> None:
    """Build a schema the only way Rounds does: the migrations."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated to head, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template():
    """A PostgreSQL database migrated to head, the template each test's database is cloned from."""
    name = f"rounds_tpl_{RUN_ID}"
    with pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    migrate_to_head(PG_URL.format(name=name))
    yield name
    with pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TestDatabases:
    """Makes and drops one fresh database per test."""

    def __init__(self, request, tmp_path):
        self.request = request
        self.tmp_path = tmp_path
        self.dropped: list[str] = []
        self.count = 0

    def new(self, backend: str) -> str:
        """A fresh migrated database URL on ``backend``."""
        self.count += 1
        if backend == "sqlite":
            path = self.tmp_path / f"rounds-{self.count}.db"
            shutil.copy(self.request.getfixturevalue("sqlite_template"), path)
            return f"sqlite:///{path}"
        template = self.request.getfixturevalue("pg_template")
        name = f"rounds_t_{RUN_ID}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.dropped.append(name)
        return PG_URL.format(name=name)

    def drop_all(self) -> None:
        """Drop this test's PostgreSQL databases (their connections are closed by force)."""
        if not self.dropped:
            return
        with pg_admin() as conn:
            for name in self.dropped:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases(request, tmp_path):
    """Fresh migrated databases on demand."""
    made = TestDatabases(request, tmp_path)
    yield made
    made.drop_all()


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Run the test on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def database_url(databases, backend):
    """A fresh, migrated database for this test."""
    return databases.new(backend)


@pytest.fixture
def app(database_url):
    """The app on this test's database."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A browser-like client for the app."""
    return app.test_client()


@pytest.fixture
def make(app):
    """Factories that write through the services, as the app does."""
    return Factory(app)


@pytest.fixture
def world(make):
    """Two units, staff of every role, three children, three families (see Factory.world)."""
    return make.world()


@pytest.fixture
def ward(live_make):
    """A fictional unit with two children and their parents."""
    unit = live_make.unit("Pediatric ICU (test)")
    ward = type("Ward", (), {})()
    ward.unit_id = unit
    ward.clinician = live_make.person("clinician", (unit,), name="Sam Rivera")
    ward.noah = live_make.patient(unit, "Noah Chen", "1")
    ward.leo = live_make.patient(unit, "Leo Lopez", "2")
    ward.james = live_make.person(name="James Chen")
    ward.maria = live_make.person(name="Maria Lopez")
    live_make.grant(ward.james, ward.noah)
    live_make.grant(ward.maria, ward.leo)
    live_make.post(
        ward.clinician,
        ward.noah,
        "Noah had a steady night on ECMO. His body is getting enough oxygen.",
        status="critical",
        plan="Let his lungs rest. Check his blood every few hours.",
        milestones="ECMO day 2",
    )
    return ward


# scripts/test.sh points this at a private Redis when none runs on 6379.
SHARED_REDIS = os.environ.get("ROUNDS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def shared_redis():
    """The machine's Redis (production-mode tests give each cluster a channel of its own)."""
    try:
        redis.Redis.from_url(SHARED_REDIS, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {SHARED_REDIS}: {error}")
    return SHARED_REDIS
