"""gunicorn settings for one Rounds process: one gevent worker, many long-lived sockets.

Run several of these, each on its own port, behind a sticky proxy (see deploy/nginx/):
    PORT=8001 ROUNDS_PROCESS_NAME=app1 gunicorn -c deploy/gunicorn.conf.py rounds.wsgi:app

One worker per process: Socket.IO long-polling needs every request of a session to reach the
same worker, and only the proxy can promise that.
"""

import os
import re

from gunicorn.glogging import Logger

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8001')}"
worker_class = "gevent"
workers = 1
# The gevent default of 1,000 silently hangs connection 1,001 and every request after it.
worker_connections = int(os.environ.get("ROUNDS_WORKER_CONNECTIONS", "10000"))
# Two processes on one host would otherwise fight over the same control socket.
control_socket_disable = True
# Long-lived sockets are normal here; a worker is only killed if it stops answering at all.
timeout = 60
graceful_timeout = 10
# nginx on the same host terminates TLS and says so in X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = f"rounds-{os.environ.get('ROUNDS_PROCESS_NAME', 'app')}"
# Access logs carry URLs only (ids, never names or health information); off unless asked.
accesslog = "-" if os.environ.get("ROUNDS_ACCESS_LOG", "0") == "1" else None
errorlog = "-"
loglevel = os.environ.get("ROUNDS_LOG_LEVEL", "info")


# An invitation link carries its token in the path. It works once and is swapped for a
# session state at once, but no log line may hold it even so: the path stays, the token goes.
# (Here, not in the app: the master loads this before gevent patches the worker.)
INVITATION_PATH = re.compile(r"/join/[A-Za-z0-9_-]{20,}")


class RedactingLogger(Logger):
    """gunicorn's logger; every atom of an access-log line (request line, path, referer...)
    without invitation tokens."""

    def atoms(self, resp, req, environ, request_time):
        return {
            key: INVITATION_PATH.sub("/join/[invitation]", value)
            if isinstance(value, str)
            else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }


logger_class = RedactingLogger
