"""Production entry point for gunicorn: ``gunicorn -c deploy/gunicorn.conf.py rounds.wsgi:app``.

gevent must patch the standard library before psycopg is imported (psycopg picks its wait
function at import time), so the patch comes first. gunicorn's gevent worker has already
patched by the time it imports this module; patching here too keeps a ``--preload`` or a
plain ``import`` from quietly making database calls block the whole process.
"""

import gc

from gevent import monkey

monkey.patch_all()

from rounds import create_app  # noqa: E402 - must follow the patch

app = create_app("production", commands=False)

# One gevent worker holds a thousand sockets and serves every request in one thread, so a
# full garbage collection stops all of them at once: measured at 70-250 ms per collection
# with 1,000 sockets, about 30 of them over one run of bench/load.py. What is loaded by now
# lives as long as the process: freeze it out of the collector's walk. Collect the youngest
# objects less often (each request makes thousands, nearly all gone by its end).
GC_THRESHOLDS = (10_000, 20, 20)
gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
