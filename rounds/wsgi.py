"""Production entry point for gunicorn: ``gunicorn -c deploy/gunicorn.conf.py rounds.wsgi:app``.

gevent must patch the standard library before psycopg is imported (psycopg picks its wait
function at import time), so the patch comes first. gunicorn's gevent worker has already
patched by the time it imports this module; patching here too keeps a ``--preload`` or a
plain ``import`` from quietly making database calls block the whole process.
"""

from gevent import monkey

monkey.patch_all()

from rounds import create_app  # noqa: E402 - must follow the patch

app = create_app("production")
