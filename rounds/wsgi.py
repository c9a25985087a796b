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
# lives as long as the process: freeze it out of the collector's walk. The older generations
# are collected less often than Python's default (700, 10, 10). The youngest is kept small:
# at 10,000 objects each of its collections took 7 ms on average (29 at worst), and a post
# that met one waited for it; at 1,000, 0.5 ms (1.7 at worst), less time in all, and the
# unit load's notification p99 fell from 19 to 15 ms (bench/load.py --unit-only; 500 did no
# better).
GC_THRESHOLDS = (1_000, 20, 20)
gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
