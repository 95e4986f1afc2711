#!/usr/bin/env bash
# Extract the resident-visible strings and merge them into each language's catalogue.
# Then translate the new entries (msgstr "") and run `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
pot=kiosk/locale/kiosk.pot
find kiosk -name '*.py' | sort | xargs xgettext --language=Python --from-code=UTF-8 \
    --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --keyword=gettext_for:2 \
    --keyword=ngettext_for:2,3 --add-comments=TRANSLATORS: --package-name=borne \
    --no-location --sort-output -o "$pot"
for po in kiosk/locale/*.po; do
    msgmerge --quiet --update --backup=none --no-fuzzy-matching --sort-output "$po" "$pot"
done
echo "updated $(ls kiosk/locale/*.po | tr '\n' ' ')"
