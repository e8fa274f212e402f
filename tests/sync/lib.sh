# Shared by tests/sync/*-test: the real build/doorstep-server over TLS on
# loopback with a certificate made here, clients (build/doorstep) each with
# their own HOME, config and cache, the fault proxy, and the tally line.
# Source it; do not run it.
#
# Overrides: DOORSTEP_SERVER, DOORSTEP (e.g. build/asan/doorstep).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
name=$(basename "$0")
SERVER=${DOORSTEP_SERVER:-$top/build/doorstep-server}
CLIENT=${DOORSTEP:-$top/build/doorstep}
TOOL=$top/build/tests/tools/sync_cache
PROXY=$top/build/tests/tools/faultproxy
AGREE=$top/build/tests/tools/sync_agree
tmp=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-sync-test.XXXXXX")
DB=$tmp/server.db
export DOORSTEP_DB="$DB"
server_pid=""
proxy_pid=""
passed=0
failed=0
URL=""
PROXY_URL=""
unset XDG_CONFIG_HOME XDG_DATA_HOME DOORSTEP_PASSPHRASE_FILE LC_ALL LANGUAGE
export LANG=C.UTF-8 TZ=UTC
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"
umask 077

stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=""
	fi
}

stop_proxy() {
	if [ -n "$proxy_pid" ]; then
		kill "$proxy_pid" 2>/dev/null
		wait "$proxy_pid" 2>/dev/null
		proxy_pid=""
	fi
}

cleanup() {
	stop_proxy
	stop_server
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
}

# check DESCRIPTION COMMAND...
check() {
	desc=$1
	shift
	if "$@"; then ok; else fail "$desc"; fi
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok; else fail "$1: got '$2', want '$3'"; fi
}

report() {
	stop_proxy
	stop_server
	echo "# $name: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# needs_tools: skip (with a note, counting nothing) when the pieces are not built.
needs_tools() {
	for f in "$SERVER" "$CLIENT" "$TOOL" "$PROXY" "$AGREE"; do
		if [ ! -x "$f" ]; then
			echo "skip: $f is not built (make all tests)"
			echo "# $name: 0 passed, 0 failed"
			exit 0
		fi
	done
	if ! "$SERVER" serve --help 2>&1 | grep -q -- '--port-file'; then
		echo "skip: $SERVER has no sync server yet"
		echo "# $name: 0 passed, 0 failed"
		exit 0
	fi
}

# make_cert [PREFIX]: a self-signed certificate for 127.0.0.1 in $tmp/PREFIX{cert,key}.pem.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$tmp/${1:-}key.pem" -out "$tmp/${1:-}cert.pem" -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
}

# pin_of PEM: the sha256// public-key pin of a certificate.
pin_of() {
	printf 'sha256//%s' "$(openssl x509 -in "$1" -pubkey -noout |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
}

# start_server [serve options]: TLS on a free loopback port (the same one again after a
# restart, so clients keep their server_url); waits until it answers.
start_server() {
	[ -f "$tmp/cert.pem" ] || make_cert || { echo "cannot make a certificate" >&2; exit 1; }
	listen_port=0
	[ -s "$tmp/port" ] && listen_port=$(cat "$tmp/port")
	rm -f "$tmp/port"
	"$SERVER" serve --db "$DB" --listen "127.0.0.1:$listen_port" --cert "$tmp/cert.pem" \
		--key "$tmp/key.pem" --port-file "$tmp/port" "$@" 2>>"$tmp/server.log" &
	server_pid=$!
	i=0
	while [ $i -lt 150 ]; do
		if [ -s "$tmp/port" ]; then
			URL="https://127.0.0.1:$(cat "$tmp/port")"
			code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/cert.pem" \
				--max-time 2 "$URL/sync/v1/ref/schema" 2>/dev/null)
			[ "$code" = 401 ] && return 0
		fi
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "server exited; its log:" >&2
			cat "$tmp/server.log" >&2
			exit 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "server did not become ready" >&2
	exit 1
}

# start_proxy: the fault proxy in front of the server; rules in $tmp/rules, log in $tmp/proxy.log.
start_proxy() {
	rm -f "$tmp/proxy.port"
	: >"$tmp/rules"
	: >"$tmp/proxy.log"
	"$PROXY" --upstream "$URL" --cacert "$tmp/cert.pem" --port-file "$tmp/proxy.port" \
		--rules "$tmp/rules" --log "$tmp/proxy.log" 2>>"$tmp/proxy.err" &
	proxy_pid=$!
	i=0
	while [ ! -s "$tmp/proxy.port" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	PROXY_URL="http://127.0.0.1:$(cat "$tmp/proxy.port")"
}

# rule LINE: add one fault rule (see tests/tools/faultproxy.c).
rule() { printf '%s\n' "$*" >>"$tmp/rules"; }

# proxy_count PATTERN: requests in the proxy log matching PATTERN since the last proxy_mark.
proxy_mark() { : >"$tmp/proxy.log"; }
proxy_count() { grep -c -- "$1" "$tmp/proxy.log"; }

# seed HOUSEHOLDS WORKERS: demo data; every account's password is "pw-$name".
seed() {
	printf 'pw-demo-123\n' | "$SERVER" seed --households "$1" --workers "$2" --teams 1 \
		--password-stdin >/dev/null 2>>"$tmp/admin.log"
}

# client NAME USER [SERVER_URL] [extra config lines...]: a client with its own HOME.
client() {
	cn=$1 cu=$2
	curl_url=${3:-$URL}
	shift 2
	[ $# -gt 0 ] && shift
	mkdir -p "$tmp/$cn/home/.config/doorstep"
	{
		printf 'server_url = %s\n' "$curl_url"
		printf 'ca_file = %s\n' "$tmp/cert.pem"
		printf 'username = %s\n' "$cu"
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$tmp/$cn/home/.config/doorstep/config"
	printf 'cache-passphrase-%s\n' "$cn" >"$tmp/$cn/pass"
	chmod 600 "$tmp/$cn/pass"
}

# set_config NAME KEY VALUE: replace (or add) one config key of a client.
set_config() {
	f=$tmp/$1/home/.config/doorstep/config
	grep -v "^$2 " "$f" >"$f.new"
	printf '%s = %s\n' "$2" "$3" >>"$f.new"
	mv "$f.new" "$f"
}

# dc NAME ARGS...: run the client as NAME; output in $tmp/out, errors in $tmp/err; sets rc.
dc() {
	cn=$1
	shift
	HOME="$tmp/$cn/home" "$CLIENT" --passphrase-file "$tmp/$cn/pass" "$@" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

# login NAME [PASSWORD]
login() {
	printf '%s\n' "${2:-pw-demo-123}" | HOME="$tmp/$1/home" "$CLIENT" \
		--passphrase-file "$tmp/$1/pass" login --password-stdin >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# cache NAME ARGS...: the test tool on NAME's cache. Every edit it saves goes into
# $tmp/ledger, for the closing check that nothing saved was lost (finish).
cache() {
	cn=$1
	shift
	DOORSTEP_LEDGER="$tmp/ledger" DOORSTEP_LEDGER_WHO="$cn" \
		"$TOOL" "$tmp/$cn/home/.local/share/doorstep" "$tmp/$cn/pass" "$@"
}

# finish NAME...: how every test ends. Each client syncs twice round (the second
# round brings everyone what the others sent in the first); then each client's
# cache must equal the server's view of its scope (records, versions, every
# field, open conflicts), hold nothing unsent, and every value the test saved
# through it must still be somewhere: on the server, in a conflict, or kept as
# an edit the server refused (tests/tools/sync_agree).
finish() {
	for round in 1 2; do
		for c in "$@"; do
			dc "$c" sync
			[ "$rc" -eq 0 ] || fail "finish: $c: sync (round $round) failed: $(cat "$tmp/err")"
		done
	done
	server_export
	for c in "$@"; do
		if "$AGREE" "$tmp/$c/home/.local/share/doorstep" "$tmp/$c/pass" "$tmp/export" \
			"$tmp/ledger" "$c" >"$tmp/agree" 2>&1; then
			ok
		else
			fail "finish: $c and the server disagree or an edit was lost:
$(cat "$tmp/agree")"
		fi
	done
}

# server_export: every server record as JSON lines, into $tmp/export.
server_export() { "$SERVER" export --out "$tmp/export" 2>/dev/null; }

# server_field T ID FIELD: a field of a record as the server holds it (after server_export).
server_field() {
	grep "\"id\":\"$2\"" "$tmp/export" | grep "^{\"t\":\"$1\"" |
		sed -n "s/.*\"$3\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

# server_v T ID: the record's version (after server_export).
server_v() {
	grep "\"id\":\"$2\"" "$tmp/export" | grep "^{\"t\":\"$1\"" |
		sed -n 's/.*"v":\([0-9]*\).*/\1/p' | head -n 1
}

# households_of USER: how many live households the server assigns to USER.
households_of() {
	server_export
	grep '^{"t":"household"' "$tmp/export" | grep '"deleted":false' |
		grep -c "\"assigned_to\":\"$1\""
}

# one_line: the error output is exactly one line starting with "doorstep: ".
one_line() {
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^doorstep: ' "$tmp/err"
}
