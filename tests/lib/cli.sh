# Shared helpers for tests/cli/*-test: source it, call cli_setup NAME, then
# checks, then cli_report (which prints "# NAME: N passed, N failed" and
# exits with the result).
#
# Each test gets a private $TMP with its own HOME, so the user's real
# configuration and cache are never read or touched. DOORSTEP overrides
# the binary (e.g. DOORSTEP=build/asan/doorstep).

cli_setup() {
	cli_name=$1
	cli_passed=0
	cli_failed=0
	cli_top=$(cd "$(dirname "$0")/../.." && pwd)
	DOORSTEP=${DOORSTEP:-$cli_top/build/doorstep}
	case "$DOORSTEP" in /*) ;; *) DOORSTEP=$cli_top/$DOORSTEP ;; esac
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-$cli_name.XXXXXX")
	cli_mounts=""
	trap 'cli_cleanup' EXIT
	trap 'exit 130' INT TERM
	export HOME="$TMP/home" LANG=C.UTF-8 TZ=UTC
	unset LC_ALL LC_MESSAGES LANGUAGE XDG_CONFIG_HOME XDG_DATA_HOME DOORSTEP_PASSPHRASE_FILE
	mkdir -p "$HOME" "$TMP/.cap"
	umask 077
	# The ASan build must not stop at the first leak report of a child it did not write.
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:exitcode=86}"
	if [ ! -x "$DOORSTEP" ]; then
		echo "$DOORSTEP is not built (run make)"
		cli_fail "binary present"
		cli_report
	fi
}

cli_cleanup() {
	for _cc_m in $cli_mounts; do
		umount "$_cc_m" 2>/dev/null || umount -l "$_cc_m" 2>/dev/null
	done
	chmod -R u+rwx "$TMP" 2>/dev/null
	rm -rf "$TMP"
}

cli_pass() {
	cli_passed=$((cli_passed + 1))
	printf 'ok   %s\n' "$1"
}

cli_fail() {
	cli_failed=$((cli_failed + 1))
	printf 'FAIL %s\n' "$1"
	shift
	for _cf_line in "$@"; do
		printf '     %s\n' "$_cf_line"
	done
}

# cli_skip NAME WHY: a case that cannot run here; reported, not counted.
cli_skip() {
	printf 'skip %s: %s\n' "$1" "$2"
}

cli_report() {
	echo "# $cli_name: $cli_passed passed, $cli_failed failed"
	[ "$cli_failed" -eq 0 ]
	exit $?
}

# run CMD...: runs it, leaving $rc, $out (stdout) and $err (stderr). It runs
# in a new session, without a controlling terminal, so a passphrase prompt
# fails at once instead of waiting on the terminal of whoever runs the tests.
run() {
	setsid -w "$@" >"$TMP/.cap/out" 2>"$TMP/.cap/err" </dev/null
	rc=$?
	out=$(cat "$TMP/.cap/out")
	err=$(cat "$TMP/.cap/err")
}

# ds ARGS...: run the client, with the output in $rc, $out, $err.
ds() {
	run "$DOORSTEP" "$@"
}

# tree_sum DIR: one checksum over the names, types, modes and file contents
# below DIR (the captured output in $TMP/.cap aside), to prove that a failed
# command left everything as it was.
tree_sum() {
	(
		cd "$1" 2>/dev/null || { echo "missing"; exit 0; }
		find . -path ./.cap -prune -o -printf '%p %y %m\n' | LC_ALL=C sort
		find . -path ./.cap -prune -o -type f -print0 | LC_ALL=C sort -z |
			xargs -0 -r sha256sum
	) | sha256sum | cut -d' ' -f1
}

# expect_fail NAME WANT_RC PATTERN: after ds/run, check a failure with exit
# WANT_RC ("nonzero" for any), no stdout, and exactly one stderr line that
# starts with "doorstep: " and matches the extended regex PATTERN.
expect_fail() {
	_ef_name=$1 _ef_want=$2 _ef_pattern=$3
	_ef_lines=$(printf '%s' "$err" | awk 'END { print NR }')
	_ef_problems=""
	if [ "$_ef_want" = nonzero ]; then
		[ "$rc" -ne 0 ] || _ef_problems="exit 0, wanted non-zero"
	else
		[ "$rc" -eq "$_ef_want" ] || _ef_problems="exit $rc, wanted $_ef_want"
	fi
	[ "$_ef_lines" -eq 1 ] || _ef_problems="$_ef_problems; $_ef_lines lines on stderr, wanted 1"
	case "$err" in "doorstep: "*) ;; *) _ef_problems="$_ef_problems; no 'doorstep: ' prefix" ;; esac
	printf '%s' "$err" | grep -Eq -- "$_ef_pattern" ||
		_ef_problems="$_ef_problems; stderr does not match /$_ef_pattern/"
	[ -z "$out" ] || _ef_problems="$_ef_problems; unexpected stdout"
	if [ -z "$_ef_problems" ]; then
		cli_pass "$_ef_name"
	else
		cli_fail "$_ef_name" "$_ef_problems" "stderr: $err" \
			"stdout: $(printf '%s' "$out" | head -c 300)"
	fi
}

# expect_ok NAME: after ds/run, check exit 0 and an empty stderr.
expect_ok() {
	if [ "$rc" -eq 0 ] && [ -z "$err" ]; then
		cli_pass "$1"
	else
		cli_fail "$1" "exit $rc" "stderr: $err"
	fi
}

# expect_same NAME BEFORE AFTER: the tree checksums match.
expect_same() {
	if [ "$2" = "$3" ]; then
		cli_pass "$1"
	else
		cli_fail "$1" "files changed on disk"
	fi
}

# same_cache NAME DIR BEFORE: DIR's tree_sum still equals BEFORE, or the only
# difference is SQLite's -wal/-shm sidecars appearing next to an unchanged
# cache.db (a read-only connection, or one on a full disk, cannot remove
# them; they hold no committed change). Run it only on a DIR that had no
# sidecars before.
same_cache() {
	_sc_now=$(tree_sum "$2")
	if [ "$_sc_now" = "$3" ]; then
		cli_pass "$1"
		return
	fi
	_sc_tmp=$TMP/.cap/sidecars
	rm -rf "$_sc_tmp"
	mkdir -p "$_sc_tmp"
	cp -a "$2/." "$_sc_tmp/"
	rm -f "$_sc_tmp/cache.db-wal" "$_sc_tmp/cache.db-shm"
	_sc_wal_size=$(stat -c %s "$2/cache.db-wal" 2>/dev/null || echo 0)
	if [ "$(tree_sum "$_sc_tmp")" = "$3" ] && [ "$_sc_wal_size" -eq 0 ]; then
		cli_pass "$1 (SQLite left its empty -wal/-shm sidecars)"
	else
		cli_fail "$1" "files changed on disk:" "$(ls -la "$2")"
	fi
	rm -rf "$_sc_tmp"
}

# passfile PATH TEXT: a 0600 passphrase file.
passfile() {
	printf '%s\n' "$2" >"$1"
	chmod 600 "$1"
}

# can_mount: true when this test may mount a tmpfs (root, or a user namespace is no help
# here since the binary must see the mount too).
can_mount() {
	[ "$(id -u)" -eq 0 ] || return 1
	mkdir -p "$TMP/.probe"
	if mount -t tmpfs -o size=64k tmpfs "$TMP/.probe" 2>/dev/null; then
		umount "$TMP/.probe"
		rmdir "$TMP/.probe"
		return 0
	fi
	rmdir "$TMP/.probe"
	return 1
}

# mount_tmpfs DIR SIZE: a small tmpfs, unmounted at exit.
mount_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2,mode=0700" tmpfs "$1" || return 1
	cli_mounts="$1 $cli_mounts"
}
