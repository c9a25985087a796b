#!/usr/bin/env bash
# The embedded default: venv, migrate SQLite, load the fictional demo, serve on :5000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
.venv/bin/flask --app app db upgrade
.venv/bin/flask --app app seed-demo
echo "Rounds is starting on http://127.0.0.1:${PORT:-5000} (Ctrl+C to stop)"
exec .venv/bin/python app.py
