"""Error pages: plain words, and the same 404 for "missing" and "not yours"."""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from rounds.extensions import db

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    404: (
        "Page not found",
        "This page does not exist, or you do not have access to it. "
        "If you think you should, ask the nurse caring for the child.",
    ),
    405: ("That did not work", "Please go back and try again."),
    413: ("That was too long", "Please shorten what you typed and try again."),
    500: (
        "Sorry, something went wrong on our side",
        "Nothing you typed was lost on purpose; please go back and try again.",
    ),
}


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def register_errorhandlers(app: Flask) -> None:
    """Render HTTP errors as calm pages (or JSON for the live feed)."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title, body = MESSAGES.get(code, (error.name, "Please go back and try again."))
        if _wants_json():
            return jsonify(error=title), code
        return render_template("error.html", title=title, body=body, code=code), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        # Logged by type and route only: the exception text could hold what someone typed.
        rule = request.url_rule.rule if request.url_rule else "?"
        app.logger.error(
            "unhandled %s on %s %s",
            type(error).__name__,
            request.method,
            rule,
            exc_info=app.testing or app.debug,
        )
        title, body = MESSAGES[500]
        if _wants_json():
            return jsonify(error=title), 500
        return render_template("error.html", title=title, body=body, code=500), 500
