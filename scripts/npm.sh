#!/usr/bin/env bash
# Install the pinned JavaScript lint tools (package-lock.json) into node_modules, only when
# node_modules is missing or package-lock.json changed: the npm side of scripts/venv.sh.
# Nothing here is needed to run Rounds; only make test uses it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: make test lints static/js with ESLint, which needs Node.js 18.18 or" >&2
  echo "later and npm (on Debian: apt-get install -y nodejs npm)." >&2
  exit 1
fi
want="$(sha256sum package-lock.json | cut -c1-16)"
have="$(cat node_modules/.rounds-installed 2>/dev/null || true)"
if [ ! -x node_modules/.bin/eslint ] || [ "$have" != "$want" ]; then
  echo "Installing the JavaScript lint tools into node_modules ..."
  # npm ci starts from an empty node_modules and installs exactly what the lock file says.
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > node_modules/.rounds-installed
fi
