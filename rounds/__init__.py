"""Rounds: live, plain-language rounds updates for the families of children in intensive care."""

import logging
from datetime import timedelta
from pathlib import Path

from flask import Flask, flash, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import config_for
from rounds.forms import LARGEST_ID

BASE_DIR = Path(__file__).resolve().parent.parent
# Marked for translation here, translated when shown (a flash is stored in the session).
SESSION_ENDED = _l(
    "For safety, Rounds signed you out after a time without activity. Please sign in again."
)
PLEASE_SIGN_IN = _l("Please sign in to see this page.")


def numbers_up_to(largest: int) -> str:
    """A regular expression for the whole numbers 0 to ``largest`` (leading zeros allowed, as
    Werkzeug's ``int`` allows them)."""
    top = str(largest)
    ways = [rf"\d{{1,{len(top) - 1}}}"] if len(top) > 1 else []  # fewer digits
    ways += [  # as many: the same up to a digit, then a smaller one
        rf"{top[:i]}[0-{int(digit) - 1}]\d{{{len(top) - i - 1}}}"
        for i, digit in enumerate(top)
        if digit != "0"
    ]
    return "0*(?:" + "|".join([*ways, top]) + ")"


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` limited to what an INTEGER column holds. A larger id matches no route at
    all: refused only once matched, it would answer 405 where another route has the same path
    for another method (family.questions and family.ask), not 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)
        self.regex = numbers_up_to(self.max)


def create_app(
    config_name: str | None = None, overrides: dict | None = None, *, commands: bool = True
) -> Flask:
    """Build the app: load config, init extensions, register blueprints, sockets, errors and,
    unless ``commands`` is False, the command line's commands (``flask db``, demo data).

    A server process (``rounds.wsgi``) leaves the commands out, and with them alembic: a
    seventh of its start, and every process of a hospital restarts at once after a deploy.
    """
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    settings = config_for(config_name)
    app.config.from_object(settings)
    app.config.update(overrides or {})
    settings.init_app(app)
    # A family member's session cookie lasts as long as their idle limit.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=app.config["FAMILY_IDLE_DAYS"])
    # Every <int:...> in a URL fits a database integer: a longer id is a plain 404, not an
    # overflow inside the database driver.
    app.url_map.converters["int"] = DatabaseIdConverter

    from rounds import errors, glossary, i18n, plain_words, security, templating

    register_extensions(app)
    i18n.register_i18n(app)
    register_blueprints(app)
    errors.register_errorhandlers(app)
    security.register_security(app)
    templating.register_templating(app)
    plain_words.register_plain_words(app)
    glossary.register_glossary(app)
    if commands:
        from flask_migrate import Migrate

        from rounds import cli
        from rounds.extensions import db

        Migrate(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
        cli.register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from flask_babel import gettext
    from sqlalchemy import event

    # Socket handlers must be registered before init_app, for every app built in a process.
    from rounds import realtime, sockets  # noqa: F401
    from rounds.auth import sessions
    from rounds.extensions import (
        compress,
        configure_sqlite,
        db,
        drop_transaction_where_marked,
        limiter,
        login_manager,
        socketio,
    )
    from rounds.forms import whole_number

    db.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        event.listen(db.engine, "connect", configure_sqlite)
    # The app's hooks run before the blueprints' (their sign-in checks query the database).
    app.before_request(drop_transaction_where_marked)
    compress.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message_category = "info"
    # "strong" would sign a parent out whenever their phone moves from Wi-Fi to mobile data.
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def sign_in_first():
        from rounds.auth.routes import KEEPS_TEXT, signed_out_while_typing

        # The live feed asks for JSON: a 401 it can act on, not a redirect to an HTML form.
        if request.path.endswith(".json"):
            return jsonify(error=gettext("Please sign in again.")), 401
        expired = sessions.was_expired()
        was_signed_in = expired or "_user_id" in session
        if request.method == "POST" and request.endpoint in KEEPS_TEXT and was_signed_in:
            # Timed out, or signed out elsewhere: nothing is saved, and the text goes back to
            # the browser that sent it. Only to one that was signed in: a post from another
            # site arrives without our cookie (SameSite=Lax), and its made-up text must not be
            # offered to a clinician for saving after they sign in.
            return signed_out_while_typing()
        if expired:
            flash(str(SESSION_ENDED), "info")
        else:
            flash(str(PLEASE_SIGN_IN), "info")
        # After signing in, back to the page asked for (a form's address is not a page).
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.sign_in", next=target))

    @login_manager.user_loader
    def load_user(user_id: str):
        ident = whole_number(user_id)
        if ident is None:
            return None
        if sessions.session_expired():
            sessions.note_expired()
            return None
        # Only while this browser's session record is open: signed out, signed out
        # everywhere or disabled, the cookie signs nobody in.
        return sessions.signed_in_user(ident)

    socket_options = {}
    queue_url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if queue_url:
        # Several processes share Flask-SocketIO's Redis queue; ours also catches sockets
        # up when the queue comes back after an outage.
        socket_options["client_manager"] = realtime.QueueManager(
            queue_url,
            channel=app.config["SOCKETIO_CHANNEL"],
            on_reconnect=lambda: realtime.resync_local_sockets(app),
            # An unreachable Redis host must fail a publish in seconds, not hang a request.
            redis_options={"socket_connect_timeout": 2, "socket_keepalive": True},
        )
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"],
        logger=False,
        engineio_logger=False,
        **socket_options,
    )
    realtime.registry.init_app(app)
    if not app.config["WEBSOCKET_COMPRESSION"]:
        app.wsgi_app = refuse_websocket_compression(app.wsgi_app)
    if app.config["PROXY_COUNT"]:
        # The client's own address (rate limits, the audit hint), not the proxy's.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def refuse_websocket_compression(wsgi_app):
    """Drop a websocket's offer of permessage-deflate before the websocket layer sees it.

    simple-websocket always accepts the offer, and each compressed socket then carries its
    own zlib state (most of ~160 KB a socket, measured). The pushes are a few bytes of
    JSON: compression buys nothing. The nginx sample also clears the header.
    """

    def app(environ, start_response):
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)

    return app


def register_blueprints(app: Flask) -> None:
    """One blueprint per area."""
    from rounds.admin.routes import bp as admin_bp
    from rounds.auth.routes import bp as auth_bp
    from rounds.family import rounds_routes as family_rounds  # noqa: F401 - adds routes
    from rounds.family.routes import bp as family_bp
    from rounds.join.routes import DropInvitationTokens
    from rounds.join.routes import bp as join_bp
    from rounds.staff import (  # noqa: F401 - they add the staff routes
        access_routes,
        rounds_routes,
        routes,
        translation_routes,
    )
    from rounds.staff import bp as staff_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(family_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(join_bp)
    request_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropInvitationTokens) for f in request_log.filters):
        request_log.addFilter(DropInvitationTokens())
