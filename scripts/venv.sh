#!/usr/bin/env bash
# Make .venv and install the pinned dependencies, only when pyproject.toml changed.
# Usage: scripts/venv.sh [test]   ("test" adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/pip ]; then
  # A half-made venv (say, python3-venv missing) is made again, not trusted.
  rm -rf .venv
  "$python" -m venv .venv || { rm -rf .venv; echo "Could not make .venv: install python3-venv."; exit 1; }
fi
want="$(sha256sum pyproject.toml | cut -c1-16)-${extra:-run}"
have="$(cat .venv/.rounds-installed 2>/dev/null || true)"
case "$have" in
  *"$want"*) ;;
  *)
    echo "Installing Rounds' dependencies into .venv ..."
    target="."
    [ "$extra" = "test" ] && target=".[test]"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
    echo "$want $have" > .venv/.rounds-installed
    ;;
esac
