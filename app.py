"""Entry point. ``python app.py`` serves the embedded default on http://127.0.0.1:5000.

The README's run command migrates and seeds first; production uses gunicorn instead.
"""

import logging
import os

from rounds import create_app
from rounds.extensions import socketio

app = create_app()

# Werkzeug's start-up banner and Flask-SocketIO's (for allow_unsafe_werkzeug) warn against a
# "production deployment". Right for a hospital, alarming for someone trying the demo: the
# one line printed below says what this mode is and where production mode is described.
SERVER_WARNINGS = (
    "WARNING: This is a development server. Do not use it in a production deployment.",
    "Werkzeug appears to be used in a production deployment.",
)


class DropServerWarnings(logging.Filter):
    """Removes those warnings from Werkzeug's log; every other line (requests too) stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not any(warning in message for warning in SERVER_WARNINGS):
            return True
        # The banner is one record: the warning, then " * Running on http://...", kept.
        kept = [
            line
            for line in message.splitlines()
            if not any(warning in line for warning in SERVER_WARNINGS)
        ]
        record.msg, record.args = "\n".join(kept), ()
        return bool(kept)


if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    logging.getLogger("werkzeug").addFilter(DropServerWarnings())
    print(
        f"Rounds, embedded default, on http://{host}:{port} (Ctrl+C stops it): one process, for"
        ' a demo or a trial. For a hospital: production mode, README.md "Production mode".',
        flush=True,
    )
    socketio.run(
        app,
        host=host,
        port=port,
        # The embedded default runs Werkzeug's server, one process, by design.
        allow_unsafe_werkzeug=True,
        debug=False,
        log_output=os.environ.get("ROUNDS_ACCESS_LOG", "1") == "1",
    )
