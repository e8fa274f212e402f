#!/bin/sh
# make lint: banned functions, layering, formatting and whitespace.
# Prints one line per problem as FILE:LINE: reason, and fails if there is any.
set -u
cd "$(dirname "$0")/.."

status=0
sources=$(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' 2>/dev/null ||
	find core store sync tui client server tests bench -name '*.[ch]')
[ -n "$sources" ] || { echo "lint: no sources found" >&2; exit 1; }

# grep_report REASON PATTERN FILES...: report every match, set failure.
grep_report() {
	reason=$1 pattern=$2
	shift 2
	[ $# -gt 0 ] || return 0
	hits=$(grep -nE "$pattern" "$@" /dev/null 2>/dev/null | grep -vE ':[0-9]+:\s*(/\*|\*|//)')
	if [ -n "$hits" ]; then
		printf '%s\n' "$hits" | sed "s|\$|   <- $reason|"
		status=1
	fi
}

matching() { # PATTERN... : the sources matching any of the shell patterns
	for f in $sources; do
		for d in "$@"; do
			# shellcheck disable=SC2254
			case "$f" in $d) echo "$f"; break ;; esac
		done
	done
}

not_matching() { # PATTERN... : the sources matching none of them
	for f in $sources; do
		keep=1
		for d in "$@"; do
			# shellcheck disable=SC2254
			case "$f" in $d) keep=0 ;; esac
		done
		[ $keep -eq 1 ] && echo "$f"
	done
}

# 1. Functions with no bound on their output, or that hide errors.
# shellcheck disable=SC2046
grep_report "banned function (use snprintf / a bounded copy / strtol)" \
	'(^|[^A-Za-z0-9_])(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|gets|system)[[:space:]]*\(' \
	$sources

# 2. Layers: curses only in tui/, SQL only in store/ and server/,
#    HTTP client only in sync/, JSON never in the screens.
# shellcheck disable=SC2046
grep_report "curses outside tui/" '#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/)' \
	$(not_matching "tui/*")
# shellcheck disable=SC2046
grep_report "sqlite outside store/ and server/" '#[[:space:]]*include[[:space:]]*[<"]sqlite|sqlite3_' \
	$(not_matching "store/*" "server/*" "tests/unit/test_store*" "tests/server-unit/*" "bench/*")
# shellcheck disable=SC2046
grep_report "curl outside sync/" '#[[:space:]]*include[[:space:]]*[<"]curl/|curl_easy_|curl_multi_' \
	$(not_matching "sync/*" "tests/tools/*" "bench/*")
# shellcheck disable=SC2046
grep_report "JSON in the screens (ask store/ for structs)" 'cJSON' $(matching "tui/*")

# 3. Formatting, by .clang-format.
if command -v clang-format >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	if ! clang-format --dry-run --Werror $sources 2>"${TMPDIR:-/tmp}/doorstep-fmt.$$"; then
		grep -E '^[^ ].*: (error|warning):' "${TMPDIR:-/tmp}/doorstep-fmt.$$" | head -n 40
		echo "lint: formatting differs from .clang-format; run: clang-format -i FILE"
		status=1
	fi
	rm -f "${TMPDIR:-/tmp}/doorstep-fmt.$$"
else
	echo "lint: clang-format not installed (make deps)" >&2
	status=1
fi

# 4. Whitespace errors in what git knows.
if git rev-parse --git-dir >/dev/null 2>&1 && git rev-parse --verify -q HEAD >/dev/null; then
	git diff --check HEAD -- . || status=1
fi

[ $status -eq 0 ] && echo "lint: ok"
exit $status
