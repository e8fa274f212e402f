#!/bin/sh
# make pot: extract translatable strings into po/doorstep.pot and merge them
# into every po/*.po, so a translator sees what is new. The server speaks
# English to programs and is not translated.
set -eu
cd "$(dirname "$0")/.."
sh scripts/extract-strings.sh po/doorstep.pot
for po in po/*.po; do
	[ -e "$po" ] || continue
	msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" po/doorstep.pot
	echo "updated $po"
done
