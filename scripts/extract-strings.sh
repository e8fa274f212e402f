#!/bin/sh
# extract-strings.sh OUT.pot: every _() and N_() string of the client's sources.
set -eu
cd "$(dirname "$0")/.."
out=$1
files=$(git ls-files --cached --others --exclude-standard -- 'core/*.c' 'store/*.c' 'sync/*.c' \
	'tui/*.c' 'tui/*.h' 'client/*.c' 2>/dev/null | sort)
# shellcheck disable=SC2086
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --add-comments=TRANSLATORS \
	--package-name=doorstep --msgid-bugs-address= --sort-by-file --omit-header \
	-o "$out" $files
# xgettext writes nothing when there is nothing to extract.
[ -e "$out" ] || : >"$out"
