"""Settings for Rounds, read from the environment.

Embedded default (``DevelopmentConfig``): SQLite in ``instance/``, one process, threading.
Production (``ProductionConfig``): PostgreSQL, Redis message queue, gevent workers; it refuses
to start without the settings a hospital must choose itself.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("ROUNDS_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _embedded_secret_key() -> str:
    """A random key kept in ``instance/secret_key`` so sign-ins survive a restart.

    Never a constant in the repository: each clone makes its own on first run.
    """
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Settings shared by every mode."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # hide_parameters: an error logged by SQLAlchemy never carries what someone typed.
    # pool_pre_ping: a pooled connection the database closed (a restart, a failover, an idle
    # timeout) is found by a ping when handed out and replaced, so no request meets it.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True, "pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    SOCKETIO_ASYNC_MODE = "threading"
    SOCKETIO_MESSAGE_QUEUE = None
    SOCKETIO_ALLOWED_ORIGINS = _env_list("SOCKETIO_ALLOWED_ORIGINS")
    # The Redis pub/sub channel (and key prefix) of one deployment: two deployments, or a
    # test run beside a real one, can share a Redis server without hearing each other.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "rounds")

    # Pages stay open for days at the bedside: a CSRF token must not expire under the user.
    # It stays bound to the session, so signing in again still invalidates it.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_NAME = "rounds_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A family member's session is permanent, and Flask would sign and send it again on every
    # answer, each events fetch after a push included. It changes (and goes out again, with a
    # new expiry) when it does: at sign-in, and when "seen" moves on (rounds/auth/sessions.py).
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 64 * 1024
    # Send the Content-Security-Policy header (rounds/security.py). Only tests switch it off,
    # to show that escaping alone keeps typed text from running; never read from the environment.
    CONTENT_SECURITY_POLICY = True
    # Session limits (rounds/auth/sessions.py). Anyone with a staff role: 30 minutes without
    # activity, 12 hours in all. Family members: days without activity (their cookie lasts
    # that long too; see create_app).
    STAFF_IDLE_MINUTES = 30
    STAFF_ABSOLUTE_HOURS = 12
    FAMILY_IDLE_DAYS = int(os.environ.get("ROUNDS_FAMILY_IDLE_DAYS", "14"))

    # Rate limits (Flask-Limiter): kept in this process unless production points them at Redis.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # How many proxies in front set X-Forwarded-For (0: none, the embedded default).
    PROXY_COUNT = int(os.environ.get("ROUNDS_PROXY_COUNT", "0"))

    # How long an invitation (QR code, link, short code) can be used.
    INVITATION_HOURS = int(os.environ.get("ROUNDS_INVITATION_HOURS", "72"))
    # Guessing invitation codes: a few tries per client, and a ceiling for everyone together.
    INVITATION_CODE_LIMIT_PER_CLIENT = "10 per minute;40 per hour"
    INVITATION_CODE_LIMIT_GLOBAL = "300 per hour"
    # Failed sign-ins: a few per account from one address (an attacker elsewhere cannot lock
    # a parent out, and a whole hospital's Wi-Fi behind one address is not locked out by
    # one person's typos), and a ceiling per address across all accounts.
    SIGN_IN_LIMIT_PER_ACCOUNT = "5 per minute;20 per hour"
    SIGN_IN_LIMIT_PER_ADDRESS = "100 per hour"
    # Joining: an address already in use is refused by name, so tries are few per client.
    ADDRESS_IN_USE_LIMIT = "5 per hour"
    # Socket connections per account, counted in each process (rounds/sockets.py): a page
    # reconnects after a network change, not more.
    SOCKET_CONNECT_LIMIT = "30 per minute;300 per hour"
    # A discharged child's family keeps read-only access this long, then it closes.
    DISCHARGE_ACCESS_DAYS = int(os.environ.get("ROUNDS_DISCHARGE_ACCESS_DAYS", "7"))

    # A machine translation to start a translator's form from: the dotted path of a callable
    # ``draft(fields: dict, source: str, target: str) -> dict``. Off (None) by default; the
    # family only ever reads what a person sends. Nothing ships that calls a service.
    TRANSLATION_DRAFTER = os.environ.get("ROUNDS_TRANSLATION_DRAFTER") or None

    # argon2id cost; lowered only in tests.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "application/javascript",
        "text/javascript",
        "application/json",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["gzip"]
    COMPRESS_MIN_SIZE = 500

    # Refuse permessage-deflate on websockets (see rounds.refuse_websocket_compression).
    WEBSOCKET_COMPRESSION = os.environ.get("WEBSOCKET_COMPRESSION", "0") == "1"

    # A server process identifies itself in a response header, so tests behind a proxy
    # can tell which process answered.
    PROCESS_NAME = os.environ.get("ROUNDS_PROCESS_NAME", "")

    @classmethod
    def init_app(cls, app) -> None:
        """Finish settings that need the app; the base has nothing to add."""


class DevelopmentConfig(Config):
    """The embedded default: one process, SQLite, no other server."""

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{INSTANCE_DIR / 'rounds.db'}"
    )
    _PORT = os.environ.get("PORT", "5000")
    SOCKETIO_ALLOWED_ORIGINS = _env_list(
        "SOCKETIO_ALLOWED_ORIGINS", f"http://127.0.0.1:{_PORT},http://localhost:{_PORT}"
    )

    @classmethod
    def init_app(cls, app) -> None:
        """Make the instance folder, and a per-clone secret key on first run unless given."""
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _embedded_secret_key()


class ProductionConfig(Config):
    """PostgreSQL, Redis and gevent workers behind a TLS proxy."""

    SOCKETIO_ASYNC_MODE = "gevent"
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("REDIS_URL")
    SESSION_COOKIE_SECURE = True
    # nginx in front (deploy/nginx): the client's own address for rate limits.
    PROXY_COUNT = int(os.environ.get("ROUNDS_PROXY_COUNT", "1"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {
        **Config.SQLALCHEMY_ENGINE_OPTIONS,
        # An unreachable database host fails a request in seconds ("Not saved, try again"),
        # not after the operating system's TCP timeout.
        "connect_args": {"connect_timeout": 5},
        # Greenlets share the pool: room for bursts, bounded so N processes fit PostgreSQL's
        # default 100 connections.
        "pool_size": int(os.environ.get("ROUNDS_DB_POOL_SIZE", "10")),
        "max_overflow": 10,
        # The connection returned last is handed out first: a post or fetch finds a database
        # process that has just run (and prepared) its statements, not the coldest of the
        # pool. The rest stay idle, and are checked when next handed out.
        "pool_use_lifo": True,
        # During a reconnect storm a thousand sockets queue for a connection at once.
        "pool_timeout": 30,
    }
    REQUIRED = {
        "SECRET_KEY": "SECRET_KEY",
        "SQLALCHEMY_DATABASE_URI": "DATABASE_URL",
        "REDIS_URL": "REDIS_URL",
        "SOCKETIO_ALLOWED_ORIGINS": "SOCKETIO_ALLOWED_ORIGINS",
    }

    @classmethod
    def init_app(cls, app) -> None:
        """Refuse to start without the settings a hospital must choose itself."""
        missing = [env for key, env in cls.REQUIRED.items() if not app.config.get(key)]
        if missing:
            raise SystemExit(
                "Rounds production mode needs these environment variables: "
                + ", ".join(missing)
                + " (see README, 'Production mode')."
            )
        if len(app.config["SECRET_KEY"]) < 32:
            raise SystemExit("SECRET_KEY must be at least 32 characters of random text.")
        app.config["SQLALCHEMY_DATABASE_URI"] = postgres_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if not app.config["REDIS_URL"].startswith(("redis://", "rediss://", "unix://")):
            raise SystemExit("REDIS_URL must start with redis://, rediss:// or unix://")
        # Every process counts against the same limits; while Redis is away, each on its own.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
        app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
        # Counted under this deployment's prefix, as its sockets are: two deployments (or a
        # test run beside a real one) sharing a Redis server never share their counters.
        app.config["RATELIMIT_KEY_PREFIX"] = app.config["SOCKETIO_CHANNEL"]
        for origin in app.config["SOCKETIO_ALLOWED_ORIGINS"]:
            if not origin.startswith(("https://", "http://")) or origin.endswith("/"):
                raise SystemExit(
                    f"SOCKETIO_ALLOWED_ORIGINS holds {origin!r}: write each origin as the "
                    "browser sends it, such as https://rounds.example.org (no path, no slash)"
                )


def postgres_url(url: str) -> str:
    """``url`` for SQLAlchemy with psycopg 3; refuse anything that is not PostgreSQL.

    ``postgres://`` and ``postgresql://`` (as hosting panels write them) would pick psycopg2,
    which Rounds does not install.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise SystemExit(
            "DATABASE_URL must be a PostgreSQL URL in production, such as "
            "postgresql+psycopg://rounds:PASSWORD@127.0.0.1:5432/rounds"
        )
    return f"postgresql+psycopg://{rest}"


class TestConfig(Config):
    """Tests: a database URL is always given by the fixtures; hashing is cheap."""

    TESTING = True
    SECRET_KEY = "test-only-not-a-secret"  # noqa: S105 - used only by the test suite
    SOCKETIO_ALLOWED_ORIGINS = ["http://localhost"]
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    # Tests share one process and one address; the rate-limit tests switch it on themselves.
    RATELIMIT_ENABLED = False
    ARGON2_PARALLELISM = 1


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    """The settings class named by ``name`` or ``ROUNDS_CONFIG`` (default: development)."""
    name = name or os.environ.get("ROUNDS_CONFIG", "development")
    if name not in CONFIGS:
        raise SystemExit(f"ROUNDS_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
