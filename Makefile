.PHONY: run test
# Serve the embedded default (SQLite, one process) with fictional demo data on :5000.
run:
	scripts/run.sh
# Lint, then the whole suite (SQLite + PostgreSQL + Redis + sockets + Chromium).
test:
	scripts/test.sh
