"""Entry point. ``python app.py`` serves the embedded default on http://127.0.0.1:5000.

The README's run command migrates and seeds first; production uses gunicorn instead.
"""

import os

from rounds import create_app
from rounds.extensions import socketio

app = create_app()

if __name__ == "__main__":
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        # The embedded default runs Werkzeug's server, one process, by design.
        allow_unsafe_werkzeug=True,
        debug=False,
        log_output=os.environ.get("ROUNDS_ACCESS_LOG", "1") == "1",
    )
