# Shared by tests/server/*-test: a throwaway database and TLS certificate,
# the real build/doorstep-server on a free loopback port, curl requests, and
# the "# NAME: N passed, N failed" tally. Source it; do not run it.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
SERVER=${DOORSTEP_SERVER:-$top/build/doorstep-server}
name=$(basename "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-server-test.XXXXXX")
DB=$tmp/server.db
server_pid=""
passed=0
failed=0
TOKEN=""
URL=""
export DOORSTEP_DB="$DB"

# stop_server: SIGTERM and wait; a sanitizer report in its log is a failure.
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=""
		if grep -q 'Sanitizer' "$tmp/server.log" 2>/dev/null; then
			fail "sanitizer report from the server"
			cat "$tmp/server.log" >&2
			: >"$tmp/server.log"
		fi
	fi
}

cleanup() {
	stop_server
	rm -rf "$tmp"
}
trap cleanup EXIT
# With DOORSTEP_SERVER=build/asan/doorstep-server the same tests run under ASan+UBSan.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"
trap 'exit 1' INT TERM

ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
}

# check DESCRIPTION COMMAND...: one test, passed when COMMAND succeeds.
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
	stop_server
	echo "# $name: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
}

# start_server [serve options]: TLS on 127.0.0.1, a free port, waits until it answers.
start_server() {
	[ -f "$tmp/cert.pem" ] || make_cert || { echo "cannot make a certificate" >&2; exit 1; }
	rm -f "$tmp/port"
	"$SERVER" serve --db "$DB" --listen 127.0.0.1:0 --cert "$tmp/cert.pem" \
		--key "$tmp/key.pem" --port-file "$tmp/port" "$@" 2>>"$tmp/server.log" &
	server_pid=$!
	wait_ready
}

# wait_ready: poll (no fixed sleeps) for the port file and a TLS answer, for up to 15 s.
wait_ready() {
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

# req METHOD PATH [curl options...]: body into $tmp/body, headers into $tmp/headers;
# prints the HTTP status. Sends the bearer token when $TOKEN is set.
req() {
	method=$1 path=$2
	shift 2
	if [ -n "$TOKEN" ]; then
		set -- -H "Authorization: Bearer $TOKEN" "$@"
	fi
	curl -s --cacert "$tmp/cert.pem" --max-time 30 -X "$method" -o "$tmp/body" \
		-D "$tmp/headers" -w '%{http_code}' "$@" "$URL$path"
}

# post PATH JSON [curl options...]
post() {
	path=$1 json=$2
	shift 2
	req POST "$path" -H 'Content-Type: application/json' --data-binary "$json" "$@"
}

# post_file PATH FILE [curl options...]
post_file() {
	path=$1 file=$2
	shift 2
	req POST "$path" -H 'Content-Type: application/json' --data-binary "@$file" "$@"
}

# body_has TEXT: the last response body contains TEXT.
body_has() { grep -qF -- "$1" "$tmp/body"; }

# header_has TEXT: the last response headers contain TEXT (case-insensitive).
header_has() { tr -d '\r' <"$tmp/headers" | grep -qiF -- "$1"; }

# json_str KEY [FILE]: the first "KEY":"value" string in the body.
json_str() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "${2:-$tmp/body}" | head -n 1; }

# json_num KEY [FILE]: the first "KEY":number in the body.
json_num() { sed -n "s/.*\"$1\":\\(-\\{0,1\\}[0-9][0-9]*\\).*/\\1/p" "${2:-$tmp/body}" | head -n 1; }

# useradd NAME ROLE TEAM PASSWORD
useradd() {
	printf '%s\n' "$4" | "$SERVER" useradd "$1" --role "$2" --team "$3" --password-stdin \
		>/dev/null 2>>"$tmp/admin.log"
}

# login USER PASSWORD DEVICE: sets CODE (the status) and TOKEN (empty on failure).
# Call it directly, not in $(...), or the token is lost with the subshell.
login() {
	TOKEN=""
	CODE=$(post /sync/v1/login "{\"username\":\"$1\",\"password\":\"$2\",\"device_id\":\"$3\"}")
	if [ "$CODE" = 200 ]; then
		TOKEN=$(json_str token)
	fi
}

# snapshot FILE: every record and conflict, to compare before and after.
snapshot() { "$SERVER" export --out "$1" 2>/dev/null; }

# uuid: a fresh random UUIDv4.
uuid() {
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' |
		sed -E 's/^(.{8})(.{4}).(.{3})(.)(.{3})(.{12})$/\1-\2-4\3-a\5-\6/'
}

# mut MID HASH OP T RID [MORE_JSON_MEMBERS]: one wire mutation (HLC fixed, id fresh).
mut() {
	printf '{"mid":%s,"id":"%s","hash":"sha256:%s","hlc":"019549f3a2c1.0000.dev","op":"%s","t":"%s","rid":"%s"%s}' \
		"$1" "$(uuid)" "$2" "$3" "$4" "$5" "${6:+,$6}"
}

# push DEVICE MUTATIONS [curl options]: POST a batch (comma-separated mutation objects).
push() {
	dev=$1 muts=$2
	shift 2
	post /sync/v1/push "{\"protocol\":1,\"schema\":\"hh-1\",\"device_id\":\"$dev\",\"mutations\":[$muts]}" "$@"
}

# pull_all DEVICE [CURSOR]: follow pages to the end; every page appended to $tmp/pulled,
# the final cursor in PULL_CURSOR, pages in PULL_PAGES, the last status in PULL_CODE.
# Call it directly, not in $(...).
pull_all() {
	dev=$1 c=${2:-}
	: >"$tmp/pulled"
	PULL_PAGES=0
	PULL_CODE=""
	while :; do
		if [ -n "$c" ]; then cj="\"$c\""; else cj=null; fi
		code=$(post /sync/v1/pull "{\"protocol\":1,\"schema\":\"hh-1\",\"device_id\":\"$dev\",\"cursor\":$cj}")
		PULL_CODE=$code
		[ "$code" = 200 ] || return 0
		PULL_PAGES=$((PULL_PAGES + 1))
		cat "$tmp/body" >>"$tmp/pulled"
		echo >>"$tmp/pulled"
		c=$(json_str cursor)
		PULL_CURSOR=$c
		grep -q '"has_more":true' "$tmp/body" || break
		[ "$PULL_PAGES" -lt 100 ] || break
	done
}

# pulled_count TEXT: how many times TEXT occurs in what pull_all gathered.
pulled_count() { grep -o -F -- "$1" "$tmp/pulled" | wc -l | tr -d ' '; }
