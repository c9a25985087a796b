#!/usr/bin/env bash
# The embedded default: venv, migrate SQLite, load the fictional demo, serve on :5000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
.venv/bin/flask --app app db upgrade
.venv/bin/flask --app app seed-demo
exec .venv/bin/python app.py
