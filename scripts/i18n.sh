#!/usr/bin/env bash
# Keep the translation catalogs in step with the code: find every marked word in the Python,
# templates and scripts, then add new ones to (and drop gone ones from) each language's .po.
# New entries arrive empty; tests/unit/test_translations.py fails until each is translated.
# Usage: scripts/i18n.sh            (after changing any family-facing words)
set -euo pipefail
cd "$(dirname "$0")/.."
pot="$(mktemp --suffix=.pot)"
trap 'rm -f "$pot"' EXIT
.venv/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext \
  --add-location=file --sort-by-file --no-wrap --project=Rounds -o "$pot" .
for locale in es ht pt_BR ar; do
  if [ -f "rounds/translations/$locale/LC_MESSAGES/messages.po" ]; then
    .venv/bin/pybabel -q update -i "$pot" -d rounds/translations -l "$locale" \
      --no-fuzzy-matching --ignore-obsolete --no-wrap --ignore-pot-creation-date
  else
    .venv/bin/pybabel -q init -i "$pot" -d rounds/translations -l "$locale" --no-wrap
  fi
done
