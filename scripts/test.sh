#!/usr/bin/env bash
# The whole suite: ruff (lint, format check), ESLint on static/js, then every test on SQLite
# and PostgreSQL, sockets, live servers and Chromium. Extra arguments go to pytest (then the
# count check is skipped).
# Tests run in ROUNDS_TEST_WORKERS processes (pytest-xdist; 3 by default): much of a test's
# time is a server booting or a browser waiting, and each test has its own databases, ports
# and Redis channel, so they do not meet. ROUNDS_TEST_WORKERS=0 runs them in this process.
# On a fresh machine it sets itself up first (scripts/test_setup.sh): it installs the programs
# it needs (Debian or Ubuntu, as root) and starts PostgreSQL and Redis if they are not running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test_setup.sh
ensure_test_programs
scripts/venv.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
scripts/npm.sh
node_modules/.bin/eslint --max-warnings 0 .
# Only now, when the lint passed: private servers stop again when this script exits.
start_test_services
mkdir -p test-results
if [ "$#" -gt 0 ]; then
  # Not exec: this shell must live on to stop the servers it started.
  .venv/bin/pytest "$@"
  exit
fi
collected=$(.venv/bin/pytest --collect-only -q | grep -Eo '^[0-9]+ tests? collected' | grep -Eo '^[0-9]+')
status=0
workers=${ROUNDS_TEST_WORKERS:-3}
.venv/bin/pytest -n "$workers" --dist worksteal --junitxml=test-results/junit.xml || status=$?
.venv/bin/python scripts/check_junit.py test-results/junit.xml "$collected" || status=1
exit "$status"
