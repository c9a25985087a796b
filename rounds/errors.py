"""Error pages: plain words, and the same 404 for "missing" and "not yours"."""

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from rounds.extensions import db, login_manager

# Seconds a browser or client is asked to wait before trying again while the database is away.
RETRY_AFTER = 15
# The forms whose typed text the "Not saved" page keeps, with a button that sends it again.
KEEPS_TEXT = {"staff.post", "staff.correct", "staff.retract"}
UNAVAILABLE_FALLBACK = (
    "<!doctype html><title>Briefly unavailable</title>"
    "<h1>Rounds is briefly unavailable</h1>"
    "<p>Nothing was saved. Please go back and try again in a minute.</p>"
)

MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Please go back and try again.")),
    404: (
        _l("Page not found"),
        _l(
            "This page does not exist, or you do not have access to it. "
            "If you think you should, ask the nurse caring for the child."
        ),
    ),
    405: (_l("That did not work"), _l("Please go back and try again.")),
    413: (_l("That was too long"), _l("Please shorten what you typed and try again.")),
    429: (
        _l("Too many tries"),
        _l(
            "Please wait a few minutes and try again. If you have forgotten your password, "
            "ask the nurse caring for the child."
        ),
    ),
    500: (
        _l("Sorry, something went wrong on our side"),
        _l("Please go back and try again. What you typed may still be on the page before."),
    ),
}


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def _rule() -> str:
    return request.url_rule.rule if request.url_rule else "?"


def database_unreachable(error: DBAPIError) -> bool:
    """The database could not be reached or dropped the connection (not a bad query)."""
    return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)


def register_errorhandlers(app: Flask) -> None:
    """Render HTTP errors as calm pages (or JSON for the live feed)."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title, body = MESSAGES.get(code, (error.name, _l("Please go back and try again.")))
        if _wants_json():
            return jsonify(error=str(title)), code
        return render_template("error.html", title=title, body=body, code=code), code

    @app.errorhandler(PoolTimeout)
    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError | PoolTimeout):
        if isinstance(error, DBAPIError) and not database_unreachable(error):
            return unexpected_error(error)
        try:
            db.session.rollback()
        except DBAPIError:
            db.session.invalidate()
        app.logger.warning(
            "database busy or unreachable (%s) on %s %s",
            type(error).__name__,
            request.method,
            _rule(),
        )
        # The page must not ask the database who is signed in: it is the thing that is gone
        # (and a user loaded before the outage was expired by the rollback).
        g._login_user = login_manager.anonymous_user()
        headers = {"Retry-After": str(RETRY_AFTER)}
        if _wants_json():
            return jsonify(error=_("Temporarily unavailable. Try again shortly.")), 503, headers
        # Only the update forms keep their text: never a sign-in (a password on a page).
        keeps_text = request.method == "POST" and request.endpoint in KEEPS_TEXT
        fields = list(request.form.items(multi=True)) if keeps_text else []
        try:
            page = render_template(
                "unavailable.html",
                saving=request.method == "POST",
                kept=[(n, v) for n, v in fields if n not in {"csrf_token", "action"} and v.strip()],
                resubmit=fields,
            )
        except Exception:  # noqa: BLE001 - the last resort must not fail in turn
            app.logger.error("could not render the unavailable page on %s", _rule())
            page = UNAVAILABLE_FALLBACK
        return page, 503, headers

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        # Logged by type and route only: the exception text could hold what someone typed.
        app.logger.error(
            "unhandled %s on %s %s",
            type(error).__name__,
            request.method,
            _rule(),
            exc_info=app.testing or app.debug,
        )
        title, body = MESSAGES[500]
        if _wants_json():
            return jsonify(error=str(title)), 500
        return render_template("error.html", title=title, body=body, code=500), 500
