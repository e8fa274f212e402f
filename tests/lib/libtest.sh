# Screen tests for the Doorstep TUI, driven through a real terminal (tmux),
# in the manner of tig's test/tools/libtest.sh. Source it from a test script:
#
#   . tests/lib/libtest.sh
#   make_cache            # an empty cache with passphrase $PASSPHRASE
#   start_tui             # the real binary in a detached 80x24 tmux session
#   wait_for_text 'Passphrase:'
#   type_text "$PASSPHRASE"; send_keys Enter
#   wait_for_text 'Households by name'
#   assert_screen 'empty list' <<EOF
#   ...the 24 lines as they should look...
#   EOF
#   finish
#
# Everything runs with LANG=C.UTF-8, TZ=Asia/Shanghai, TERM as the test
# asks (default tmux-256color), HOME and XDG dirs in a fresh temp dir, and a
# pinned DOORSTEP_TODAY, so screens are the same on every machine.
# Expected screens are compared with trailing spaces stripped and nothing
# else: alignment is what these tests exist to check. tmux prints a
# 2-column character as one glyph followed by nothing, so write 张三 in an
# expected screen exactly as it reads.
#
# Waiting is always for a screen condition with a time limit
# (LIBTEST_TIMEOUT seconds, default 10), never a fixed sleep.

set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
test_name=$(basename "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-tui.XXXXXX")
session=dt$$
tmux_sock="$tmp/tmux.sock"
passed=0
failed=0
LIBTEST_TIMEOUT=${LIBTEST_TIMEOUT:-10}
COLUMNS_=${COLUMNS_:-80}
LINES_=${LINES_:-24}
TUI_TERM=${TUI_TERM:-tmux-256color}
TODAY=${TODAY:-2024-03-01}
PASSPHRASE='correct horse battery'
DATA_DIR="$tmp/data"
# The real client: `doorstep` with no command opens the screens.
TUI_BIN=${DOORSTEP_TUI_BIN:-$top/build/doorstep}
FIXTURE_BIN=$top/build/tests/tools/tui_fixture

export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/doorstep"
# The client reads its user name from the default config file, as a worker's would.
printf 'username = tester\n' >"$XDG_CONFIG_HOME/doorstep/config"

tm() {
	tmux -S "$tmux_sock" -f /dev/null "$@"
}

cleanup() {
	tm kill-server >/dev/null 2>&1
	stop_servers
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

ok() {
	passed=$((passed + 1))
	echo "ok   $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "FAIL $1"
}

# The environment the program sees; extra NAME=VALUE words may follow.
tui_env() {
	echo "env -i PATH=/usr/bin:/bin HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
		"XDG_DATA_HOME=$XDG_DATA_HOME LANG=C.UTF-8 TZ=Asia/Shanghai TERM=$TUI_TERM" \
		"DOORSTEP_TODAY=$TODAY $*"
}

# make_cache [FIXTURE-ARGS...]: a cache in $DATA_DIR with $PASSPHRASE (and fixture data).
make_cache() {
	printf '%s\n' "$PASSPHRASE" >"$tmp/passphrase"
	if ! "$FIXTURE_BIN" "$DATA_DIR" "$tmp/passphrase" "$@" >"$tmp/fixture.log" 2>&1; then
		echo "make_cache failed:"
		cat "$tmp/fixture.log"
		not_ok "make_cache"
		finish
	fi
}

# start_tui [NAME=VALUE...]: run the client in a fresh tmux session, 80x24 unless COLUMNS_/LINES_.
# The client runs under sh, which stays on after it exits (so a test can see the exit status
# and the restored terminal, and job control for Ctrl-Z works).
start_tui() {
	tm kill-session -t "$session" >/dev/null 2>&1
	cat >"$tmp/run.sh" <<-EOF
		$(tui_env "$@") $TUI_BIN --data-dir $DATA_DIR
		echo "[exit \$?]"
	EOF
	tm new-session -d -s "$session" -x "$COLUMNS_" -y "$LINES_" \
		"env -i PATH=/usr/bin:/bin HOME=$HOME TERM=$TUI_TERM PS1='$ ' sh -i"
	tm set-option -t "$session" status off >/dev/null
	tm set-option -t "$session" remain-on-exit on >/dev/null
	tm send-keys -t "$session" "sh $tmp/run.sh" Enter
}

# rerun_tui: run the client again in the same shell (after it exited).
rerun_tui() {
	tm send-keys -t "$session" clear C-j "sh $tmp/run.sh" C-j
}

# send_keys KEY...: tmux key names (Enter, Escape, Up, C-c, PageDown, BTab, ...).
send_keys() {
	tm send-keys -t "$session" "$@"
}

# type_text TEXT: literally, as if typed (UTF-8 included).
type_text() {
	tm send-keys -t "$session" -l -- "$1"
}

# capture [ESC]: the screen as text (with ESC: with colour/attribute escapes).
capture() {
	if [ "${1:-}" = ESC ]; then
		tm capture-pane -p -e -t "$session"
	else
		tm capture-pane -p -t "$session"
	fi
}

# Poll the screen until `grep -F -- TEXT` finds it or time runs out.
wait_for_text() {
	_want=$1
	_limit=${2:-$LIBTEST_TIMEOUT}
	_start=$(date +%s)
	while :; do
		if capture | grep -qF -- "$_want"; then
			return 0
		fi
		if [ $(($(date +%s) - _start)) -ge "$_limit" ]; then
			echo "  timed out after ${_limit}s waiting for: $_want"
			capture | sed 's/^/  | /'
			return 1
		fi
		sleep 0.05
	done
}

# Poll until TEXT is gone from the screen.
wait_for_no_text() {
	_gone=$1
	_limit=${2:-$LIBTEST_TIMEOUT}
	_start=$(date +%s)
	while capture | grep -qF -- "$_gone"; do
		if [ $(($(date +%s) - _start)) -ge "$_limit" ]; then
			echo "  timed out after ${_limit}s waiting for this to go: $_gone"
			capture | sed 's/^/  | /'
			return 1
		fi
		sleep 0.05
	done
}

# screen_has TEXT / screen_lacks TEXT: the screen right now (for assert_true).
screen_has() {
	capture | grep -qF -- "$1"
}

screen_lacks() {
	! capture | grep -qF -- "$1"
}

# expect_text NAME TEXT: a named check that waits for TEXT.
expect_text() {
	if wait_for_text "$2"; then ok "$1"; else not_ok "$1"; fi
}

expect_no_text() {
	if wait_for_no_text "$2"; then ok "$1"; else not_ok "$1"; fi
}

# save_screen NAME: the current screen into $tmp/NAME.screen (trailing spaces stripped).
# LIBTEST_MASK, when set, is a sed script applied first, for what differs between runs
# (a server's port, the time of a sync): e.g. 's/Synced [0-9:]*/Synced HH:MM/'.
save_screen() {
	capture | sed -e "${LIBTEST_MASK:-}" -e 's/[[:space:]]*$//' >"$tmp/$1.screen"
}

# assert_screen NAME <<EOF ... EOF: the screen equals the expected text, line by line,
# after stripping trailing spaces on both sides (never -w: alignment must match).
# Waits (up to the timeout) for the screen to settle into the expected one, so that
# a test need not guess when drawing is done.
assert_screen() {
	_name=$1
	_file=$(printf '%s' "$_name" | tr -c 'A-Za-z0-9_-' '_')
	sed 's/[[:space:]]*$//' >"$tmp/$_file.expected"
	# Expected screens may leave out trailing blank lines.
	_start=$(date +%s)
	while :; do
		save_screen "$_file"
		_lines=$(wc -l <"$tmp/$_file.expected")
		head -n "$_lines" "$tmp/$_file.screen" >"$tmp/$_file.head"
		if cmp -s "$tmp/$_file.head" "$tmp/$_file.expected" &&
			[ -z "$(tail -n +$((_lines + 1)) "$tmp/$_file.screen" | tr -d '[:space:]')" ]; then
			ok "$_name"
			return 0
		fi
		if [ $(($(date +%s) - _start)) -ge "$LIBTEST_TIMEOUT" ]; then
			not_ok "$_name"
			diff -u "$tmp/$_file.expected" "$tmp/$_file.screen" | sed 's/^/  /'
			return 1
		fi
		sleep 0.05
	done
}

# assert_true NAME COMMAND...: a plain check.
assert_true() {
	_n=$1
	shift
	if "$@"; then ok "$_n"; else not_ok "$_n"; fi
}

# shell_ready: the pane's shell takes commands again (after the client exited or stopped).
shell_ready() {
	_n=$$
	# C-j (LF) ends the line even if a killed client left the terminal raw.
	tm send-keys -t "$session" "echo ready-\$((${_n} + 1))" C-j
	wait_for_text "ready-$((_n + 1))"
}

# resize COLS LINES: resize the terminal the client runs in.
resize() {
	tm resize-window -t "$session" -x "$1" -y "$2"
}

# The client's process id, for signals: pane shell -> sh run.sh -> the client.
tui_pid() {
	_shell=$(tm display-message -p -t "$session" '#{pane_pid}')
	_runner=$(pgrep -P "$_shell" -n)
	[ -n "$_runner" ] && pgrep -P "$_runner" -n
}

# ---- the real sync server, for the sync screens ----------------------------------------
# The same start-up as tests/sync/lib.sh, kept minimal: build/doorstep-server over TLS on a
# free loopback port with a certificate made here, the fault proxy, and a second client
# (build/doorstep on the command line, its own HOME) to make the other side of a conflict.
SERVER_BIN=${DOORSTEP_SERVER:-$top/build/doorstep-server}
CLI_BIN=${DOORSTEP:-$TUI_BIN}
SYNC_CACHE_BIN=$top/build/tests/tools/sync_cache
PROXY_BIN=$top/build/tests/tools/faultproxy
SRV_DB="$tmp/server.db"
SRV_PASSWORD=pw-demo-123
URL=""
PROXY_URL=""
server_pid=""
proxy_pid=""

# needs_server: skip the whole test (counting nothing) when the server parts are not built.
needs_server() {
	for _f in "$SERVER_BIN" "$PROXY_BIN"; do
		if [ ! -x "$_f" ]; then
			echo "skip: $_f is not built (make all tests)"
			echo "# $test_name: 0 passed, 0 failed"
			exit 0
		fi
	done
	if ! command -v openssl >/dev/null 2>&1; then
		echo "skip: openssl is not installed"
		echo "# $test_name: 0 passed, 0 failed"
		exit 0
	fi
}

# seed_server HOUSEHOLDS WORKERS: demo data; every account's password is $SRV_PASSWORD.
seed_server() {
	printf '%s\n' "$SRV_PASSWORD" | "$SERVER_BIN" seed --db "$SRV_DB" --households "$1" \
		--workers "$2" --teams 1 --password-stdin >/dev/null 2>>"$tmp/admin.log"
}

# start_server: TLS on a free loopback port; waits until it answers. Sets URL.
start_server() {
	if [ ! -f "$tmp/cert.pem" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=127.0.0.1 \
			-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || {
			not_ok "make a certificate"
			finish
		}
	fi
	rm -f "$tmp/port"
	"$SERVER_BIN" serve --db "$SRV_DB" --listen 127.0.0.1:0 --cert "$tmp/cert.pem" \
		--key "$tmp/key.pem" --port-file "$tmp/port" 2>>"$tmp/server.log" &
	server_pid=$!
	_i=0
	while [ $_i -lt 150 ]; do
		if [ -s "$tmp/port" ]; then
			URL="https://127.0.0.1:$(cat "$tmp/port")"
			_code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/cert.pem" \
				--max-time 2 "$URL/sync/v1/ref/schema" 2>/dev/null)
			[ "$_code" = 401 ] && return 0
		fi
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "server exited; its log:"
			cat "$tmp/server.log"
			not_ok "start the server"
			finish
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	not_ok "the server did not become ready"
	finish
}

# start_proxy: the fault proxy in front of the server; rules in $tmp/rules. Sets PROXY_URL.
start_proxy() {
	rm -f "$tmp/proxy.port"
	: >"$tmp/rules"
	: >"$tmp/proxy.log"
	"$PROXY_BIN" --upstream "$URL" --cacert "$tmp/cert.pem" --port-file "$tmp/proxy.port" \
		--rules "$tmp/rules" --log "$tmp/proxy.log" 2>>"$tmp/proxy.err" &
	proxy_pid=$!
	_i=0
	while [ ! -s "$tmp/proxy.port" ] && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	PROXY_URL="http://127.0.0.1:$(cat "$tmp/proxy.port")"
}

# rule LINE: add one fault rule (tests/tools/faultproxy.c).
rule() { printf '%s\n' "$*" >>"$tmp/rules"; }

# tui_config USER [SERVER_URL] [extra lines...]: the screens' config names the server.
tui_config() {
	_user=$1
	_url=${2:-$URL}
	shift
	[ $# -gt 0 ] && shift
	{
		printf 'username = %s\n' "$_user"
		printf 'server_url = %s\n' "$_url"
		printf 'ca_file = %s\n' "$tmp/cert.pem"
		for _line in "$@"; do printf '%s\n' "$_line"; done
	} >"$XDG_CONFIG_HOME/doorstep/config"
}

# other_client USER: a second device on the command line, logged in, with its own HOME.
other_client() {
	mkdir -p "$tmp/other/.config/doorstep"
	{
		printf 'server_url = %s\n' "$URL"
		printf 'ca_file = %s\n' "$tmp/cert.pem"
		printf 'username = %s\n' "$1"
	} >"$tmp/other/.config/doorstep/config"
	printf 'other-device-passphrase\n' >"$tmp/other.pass"
	chmod 600 "$tmp/other.pass"
	printf '%s\n' "$SRV_PASSWORD" | other login --password-stdin
}

# first_run_login [NAME=VALUE...]: start the screens on no cache, choose the passphrase, log in
# as the configured user (Enter keeps the prefilled name) and wait for the first sync.
first_run_login() {
	printf '%s\n' "$PASSPHRASE" >"$tmp/passphrase"
	start_tui "$@"
	wait_for_text 'New passphrase:' || return 1
	type_text "$PASSPHRASE"
	send_keys Enter
	wait_for_text 'Type the new passphrase again:' || return 1
	type_text "$PASSPHRASE"
	send_keys Enter
	wait_for_text 'User name:' || return 1
	send_keys Enter
	wait_for_text 'Password:' || return 1
	type_text "$SRV_PASSWORD"
	send_keys Enter
	wait_for_text 'Synced ' 20
}

# other_cache ARGS...: tests/tools/sync_cache on the second device's cache (its edits).
other_cache() {
	"$SYNC_CACHE_BIN" "$tmp/other/.local/share/doorstep" "$tmp/other.pass" "$@"
}

# tui_cache ARGS...: tests/tools/sync_cache on the screens' cache (to look, not to edit).
tui_cache() {
	"$SYNC_CACHE_BIN" "$DATA_DIR" "$tmp/passphrase" "$@"
}

# other ARGS...: run build/doorstep as the second device; output in $tmp/other.out; sets rc.
other() {
	env -i PATH=/usr/bin:/bin HOME="$tmp/other" LANG=C.UTF-8 TZ=Asia/Shanghai \
		"$CLI_BIN" --passphrase-file "$tmp/other.pass" "$@" >"$tmp/other.out" 2>&1
	rc=$?
	return $rc
}

# tui_cli ARGS...: the command line on the screens' own cache (after the screens quit).
tui_cli() {
	chmod 600 "$tmp/passphrase"
	env -i PATH=/usr/bin:/bin HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
		XDG_DATA_HOME="$XDG_DATA_HOME" LANG=C.UTF-8 TZ=Asia/Shanghai \
		"$CLI_BIN" --data-dir "$DATA_DIR" --passphrase-file "$tmp/passphrase" "$@" \
		>"$tmp/cli.out" 2>&1
}

# server_export: every server record as JSON lines, into $tmp/export.
server_export() { "$SERVER_BIN" export --db "$SRV_DB" --out "$tmp/export" 2>/dev/null; }

# server_field T ID FIELD: a field of a record as the server holds it (after server_export).
server_field() {
	grep "\"id\":\"$2\"" "$tmp/export" | grep "^{\"t\":\"$1\"" |
		sed -n "s/.*\"$3\":\"\([^\"]*\)\".*/\1/p" | head -n 1
}

stop_servers() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	proxy_pid=""
	server_pid=""
}

# finish: print the tally tests/run reads and exit with the result.
finish() {
	echo "# $test_name: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

for _tool in tmux pgrep; do
	if ! command -v "$_tool" >/dev/null 2>&1; then
		echo "libtest: $_tool is not installed"
		not_ok "needs $_tool"
		finish
	fi
done
if [ ! -x "$TUI_BIN" ]; then
	echo "libtest: $TUI_BIN is not built (make tests)"
	not_ok "needs $TUI_BIN"
	finish
fi
