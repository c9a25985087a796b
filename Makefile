.PHONY: run test production
# Serve the embedded default (SQLite, one process) with fictional demo data on :5000.
run:
	scripts/run.sh
# Set up (install missing programs; start PostgreSQL and Redis if they are not running), lint,
# then the whole suite (SQLite + PostgreSQL + Redis + sockets + Chromium).
test:
	scripts/test.sh
# Production mode on one machine: 2 gunicorn processes, nginx (TLS), PostgreSQL, Redis.
production:
	scripts/production.sh
