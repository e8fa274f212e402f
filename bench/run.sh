#!/bin/sh
# make bench: build, make the reference caches if missing, run the benchmarks,
# print a table of every figure against the bars of design.md section 5.
#
#   sh bench/run.sh            full run: the 50,000-household county cache and
#                              the 500-household field worker's cache (minutes)
#   sh bench/run.sh --quick    the 500-household cache only, few trials (seconds);
#                              a sample for make check, not a measurement
#   --no-build                 use the binaries already in build/ (tests do)
#
# Caches live in $BENCH_DATA (default build/bench/data) and are reused while
# the generator, the schema and the loader are unchanged. Raw figures go to
# $BENCH_DATA/results-{full,quick}.txt as "METRIC name value unit" lines.
set -eu

quick=0
build=1
for arg in "$@"; do
	case "$arg" in
	--quick) quick=1 ;;
	--no-build) build=0 ;;
	-h | --help)
		sed -n '2,15p' "$0"
		exit 0
		;;
	*)
		echo "bench/run.sh: unknown option $arg" >&2
		exit 2
		;;
	esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bin=build/bench
data=${BENCH_DATA:-build/bench/data}
pass="doorstep bench passphrase"

if [ $build -eq 1 ]; then
	make -s -j2 all "$bin/make_cache" "$bin/bench_store" "$bin/load_server" "$bin/tui_bench" \
		"$bin/sync_bench" >&2
fi
for b in make_cache bench_store load_server tui_bench sync_bench; do
	if [ ! -x "$bin/$b" ]; then
		echo "bench/run.sh: $bin/$b is missing (make tests, or run without --no-build)" >&2
		exit 1
	fi
done
for tool in sqlcipher openssl; do
	command -v $tool >/dev/null 2>&1 || {
		echo "bench/run.sh: $tool is needed (apt-get install $tool)" >&2
		exit 1
	}
done
mkdir -p "$data"

# A cache is rebuilt when what made it changed: its options, the generator, the schema, the loader.
stamp_of() { # ARGS...
	{
		echo "$*"
		cat core/gen.c core/gen_names.c core/gen.h store/migrate.c store/bulk.c
	} | sha256sum | cut -c1-16
}

# cache NAME ARGS...: make $data/NAME unless an up-to-date one is there.
cache() {
	name=$1
	shift
	dir="$data/$name"
	want=$(stamp_of "$@")
	if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$want" ] && [ -f "$dir/cache.db" ]; then
		return 0
	fi
	echo "bench: making the $name cache ($*)" >&2
	rm -rf "$dir" "$dir.tmp"
	"$bin/make_cache" --dir "$dir.tmp" --passphrase "$pass" "$@" >"$data/$name.make.txt"
	echo "$want" >"$dir.tmp/stamp"
	mv "$dir.tmp" "$dir"
}

# make_cache's "key value" lines as METRIC lines with units.
make_metrics() { # PREFIX
	awk -v p="$1" '{
		u = "count"
		if ($1 ~ /_per_second$/) u = "records/s"; else if ($1 ~ /_seconds$/) u = "s"; else if ($1 ~ /_bytes$/) u = "bytes"
		print "METRIC " p $1 " " $2 " " u
	}'
}

# ---- the server, driven by bench/load_server over loopback TLS -------------------------
spid=""
stop_server() {
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null || :
		wait "$spid" 2>/dev/null || :
		spid=""
	fi
}
trap stop_server EXIT
trap 'exit 1' INT TERM

start_server() { # DB
	rm -f "$sdir/port"
	build/doorstep-server serve --db "$1" --listen 127.0.0.1:0 --cert "$sdir/cert.pem" \
		--key "$sdir/key.pem" --port-file "$sdir/port" 2>>"$sdir/server.log" &
	spid=$!
	i=0
	while [ ! -s "$sdir/port" ]; do
		i=$((i + 1))
		if [ $i -gt 150 ] || ! kill -0 "$spid" 2>/dev/null; then
			echo "bench/run.sh: the server did not start; its log:" >&2
			cat "$sdir/server.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	url="https://127.0.0.1:$(cat "$sdir/port")"
}

# server_bench WORKER_HOUSEHOLDS STORM_HOUSEHOLDS STORM_WORKERS NOOP_CLIENTS NOOP_SECONDS
server_bench() {
	sdir="$data/server"
	rm -rf "$sdir"
	mkdir -p "$sdir"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$sdir/key.pem" -out "$sdir/cert.pem" -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	build/doorstep-server seed --households "$1" --workers 1 --db "$sdir/worker.db" >/dev/null
	build/doorstep-server seed --households "$2" --workers "$3" --db "$sdir/storm.db" >/dev/null
	build/doorstep-server export --db "$sdir/storm.db" --out "$sdir/storm.jsonl" 2>/dev/null
	start_server "$sdir/worker.db"
	"$bin/load_server" first-sync --url "$url" --cacert "$sdir/cert.pem" --user worker01
	"$bin/load_server" first-sync --url "$url" --cacert "$sdir/cert.pem" --user worker01 \
		--limit 5000 --max-bytes 4194304 | sed 's/METRIC \([a-z]*_sync\)_/METRIC \1_large_pages_/'
	# The client's own sync into fresh caches: default pages, then the largest it asks for.
	"$bin/sync_bench" --data-dir "$sdir/client-1" --url "$url" --cacert "$sdir/cert.pem" \
		--user worker01
	"$bin/sync_bench" --data-dir "$sdir/client-2" --url "$url" --cacert "$sdir/cert.pem" \
		--user worker01 --limit 1000 --max-bytes 1048576 --prefix client_large_
	rm -rf "$sdir/client-1" "$sdir/client-2"
	stop_server
	start_server "$sdir/storm.db"
	"$bin/load_server" storm --url "$url" --cacert "$sdir/cert.pem" --workers "$3" \
		--export "$sdir/storm.jsonl"
	"$bin/load_server" noop --url "$url" --cacert "$sdir/cert.pem" --workers "$3" \
		--clients "$4" --seconds "$5"
	stop_server
	rm -f "$sdir"/*.db "$sdir"/*.db-* "$sdir/storm.jsonl"
}

# tui_bench PREFIX CACHE ARGS...: the real client ($BENCH_CLIENT, default build/doorstep)
# in a pty, typing the passphrase at its
# unlock screen. Until the screens are on main it finds no list: nothing is printed
# and the table says "not measured yet".
tui_bench() {
	prefix=$1 cache_dir=$2
	shift 2
	home="$data/home"
	mkdir -p "$home"
	if HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
		"$bin/tui_bench" --data-dir "$cache_dir" --passphrase "$pass" "$@" -- \
		"${BENCH_CLIENT:-build/doorstep}" --data-dir "$cache_dir" >"$data/tui.out" 2>"$data/tui.err"; then
		sed "s/^METRIC /METRIC $prefix/" "$data/tui.out"
	else
		echo "bench: the client's screens did not come up; TUI figures not measured" >&2
	fi
}

if [ $quick -eq 1 ]; then
	results="$data/results-quick.txt"
	cache field-500 --households 500 --workers 1 --history-months 16
	{
		make_metrics field_cache_ <"$data/field-500.make.txt"
		"$bin/bench_store" open "$data/field-500" --trials 3 --passphrase "$pass" |
			sed 's/^METRIC /METRIC field_/'
		"$bin/bench_store" search "$data/field-500" --targets 3 --passphrase "$pass" |
			sed 's/^METRIC /METRIC field_/'
		"$bin/bench_store" search-alt "$data/field-500" --targets 2 --passphrase "$pass" |
			sed 's/^METRIC /METRIC field_/'
		tui_bench field_ "$data/field-500" --trials 2 --moves 5 --targets 2
		"$bin/bench_store" apply --households 200 --tmp "$data" --passphrase "$pass"
		server_bench 50 100 5 10 1
	} >"$results"
	scale=field
else
	results="$data/results-full.txt"
	cache field-500 --households 500 --workers 1 --history-months 16
	cache county-50k --households 50000 --workers 100 --history-months 16 --cache-kib 262144
	{
		make_metrics county_cache_ <"$data/county-50k.make.txt"
		"$bin/bench_store" open "$data/county-50k" --trials 15 --passphrase "$pass" |
			sed 's/^METRIC /METRIC county_/'
		"$bin/bench_store" search "$data/county-50k" --targets 20 --passphrase "$pass" |
			sed 's/^METRIC /METRIC county_/'
		"$bin/bench_store" search-alt "$data/county-50k" --targets 10 --passphrase "$pass" |
			sed 's/^METRIC /METRIC county_/'
		"$bin/bench_store" open "$data/field-500" --trials 15 --passphrase "$pass" |
			sed 's/^METRIC /METRIC field_/'
		"$bin/bench_store" search "$data/field-500" --targets 20 --passphrase "$pass" |
			sed 's/^METRIC /METRIC field_/'
		tui_bench county_ "$data/county-50k" --trials 10 --moves 15 --targets 10
		tui_bench field_ "$data/field-500" --trials 5 --moves 15 --targets 5
		"$bin/bench_store" apply --households 5000 --tmp "$data" --passphrase "$pass"
		server_bench 500 5000 200 500 20
	} >"$results"
	scale=county
fi

# ---- the table ------------------------------------------------------------------------
echo
echo "Doorstep benchmarks ($( [ $quick -eq 1 ] && echo "quick sample: 500-household cache, few trials; NOT a measurement" || echo "full run"))"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
awk -v s="$scale" '
$1 == "METRIC" { v[$2] = $3; u[$2] = $4 }
function show(label, key, bar, op, limit,    val, status) {
	if (!(key in v)) { printf "%-46s %12s %-9s %-18s %s\n", label, "MISSING", "", bar, "FAIL"; bad++; return }
	val = v[key]
	status = "info"
	if (op == "<") status = (val + 0 < limit + 0) ? "pass" : "FAIL"
	if (op == "<=") status = (val + 0 <= limit + 0) ? "pass" : "FAIL"
	if (op == ">=") status = (val + 0 >= limit + 0) ? "pass" : "FAIL"
	printf "%-46s %12.2f %-9s %-18s %s\n", label, val, u[key], bar, status
}
function show_tui(label, key, bar, op, limit) {
	if (key in v) show(label, key, bar, op, limit); else not_yet(label, bar)
}
function not_yet(label, bar) { printf "%-46s %12s %-9s %-18s %s\n", label, "-", "", bar, "not measured yet" }
END {
	printf "%-46s %12s %-9s %-18s %s\n", "metric", "measured", "", "bar", "status"
	printf "%-46s %12s %-9s %-18s %s\n", "------", "--------", "", "---", "------"
	p = s "_"
	if ((p "tui_start_to_list_median") in v && v[p "process_first_screen_sqlcipher_shell_median"] > 0) {
		v[p "tui_ratio"] = v[p "tui_start_to_list_median"] / v[p "process_first_screen_sqlcipher_shell_median"]
		u[p "tui_ratio"] = "x"
	}
	show("start to first screen (process, store)", p "process_first_screen_store_median", "< 150 ms", "<", 150)
	show("  same via sqlcipher shell", p "process_first_screen_sqlcipher_shell_median", "", "", 0)
	show("  ratio store / sqlcipher shell", p "process_first_screen_ratio", "<= 3x", "<=", 3)
	show("  in process: store_open+count+window", p "open_first_screen_store_median", "", "", 0)
	show("  in process: SQLite API, same key", p "open_first_screen_sqlite_api_median", "", "", 0)
	show("  ratio in process", p "open_first_screen_ratio", "<= 3x", "<=", 3)
	show("search keystroke, median", p "search_keystroke_median", "< 20 ms", "<", 20)
	show("search keystroke, p95", p "search_keystroke_p95", "", "", 0)
	show("  name prefix, median", p "search_keystroke_name_median", "", "", 0)
	show("  ID-number tail, median", p "search_keystroke_id_tail_median", "", "", 0)
	show("  phone, median", p "search_keystroke_phone_median", "", "", 0)
	show("  address, median", p "search_keystroke_address_median", "", "", 0)
	show("  typed targets found (name+ID+phone)", p "search_targets_found", "", "", 0)
	show("  of a keystroke: count, median", p "alt_store_count_median", "", "", 0)
	show("  of a keystroke: window, median", p "alt_store_window_median", "", "", 0)
	show("  prototype: narrowing, median", p "alt_narrowing_keystroke_median", "(< 20 ms)", "", 0)
	show("  prototype: narrowing, p95", p "alt_narrowing_keystroke_p95", "", "", 0)
	show("  prototype: counts differing from store", p "alt_narrowing_count_mismatches", "", "", 0)
	show("page down, median", p "page_down_median", "", "", 0)
	show("jump to end of list", p "jump_to_end", "", "", 0)
	show("peak RSS, open + first screen (process)", p "process_first_screen_store_peak_rss", "< 32 MiB", "<", 32)
	show("peak RSS, search + paging session", p "search_session_peak_rss", "< 32 MiB", "<", 32)
	if (s == "county") {
		show("field cache (500): first screen (process)", "field_process_first_screen_store_median", "", "", 0)
		show("field cache (500): search keystroke median", "field_search_keystroke_median", "", "", 0)
		show("county cache build (bulk load, 256 MiB cache)", "county_cache_load_records_per_second", "", "", 0)
	}
	show("apply: raw SQLite, 1 transaction", "apply_raw_sqlite_rate", "", "", 0)
	show("apply: raw SQLCipher, 1 transaction", "apply_raw_sqlcipher_rate", "", "", 0)
	show("apply: raw INSERT into the cache schema", "apply_raw_into_cache_schema_rate", "", "", 0)
	show("apply: store bulk, 1 transaction", "apply_store_one_txn_rate", "", "", 0)
	show("apply: store bulk, pages of 500", "apply_store_pages_of_500_rate", "", "", 0)
	show("apply: store bulk, 1 txn, 256 MiB cache", "apply_store_one_txn_256mib_cache_rate", "", "", 0)
	show("apply ratio: bulk 1 txn / raw SQLite", "apply_ratio_one_txn_vs_raw_sqlite", ">= 0.5x", ">=", 0.5)
	show("apply ratio: bulk pages / raw SQLite", "apply_ratio_pages_vs_raw_sqlite", ">= 0.5x", ">=", 0.5)
	show("apply ratio: bulk 1 txn / raw into schema", "apply_ratio_one_txn_vs_raw_into_cache_schema", "", "", 0)
	show_tui("TUI: start to first drawn list screen", p "tui_start_to_list_median", "< 150 ms", "<", 150)
	show_tui("  ratio to the sqlcipher shell", p "tui_ratio", "<= 3x", "<=", 3)
	show_tui("TUI: bytes written per cursor move, median", p "tui_cursor_move_bytes_median", "< 300 B", "<", 300)
	show_tui("  largest", p "tui_cursor_move_bytes_max", "< 300 B", "<", 300)
	show_tui("TUI: search keystroke to redrawn screen", p "tui_search_keystroke_median", "< 20 ms", "<", 20)
	show_tui("TUI: peak RSS", p "tui_peak_rss", "< 32 MiB", "<", 32)
	hh = (s == "county") ? "500" : "50"
	if ("client_first_sync_ms" in v) {
		v["client_total_ms"] = v["client_open_ms"] + v["client_login_ms"] + v["client_first_sync_ms"]
		u["client_total_ms"] = "ms"
	}
	if (v["first_sync_rows_json_gzip_bytes"] > 0) {
		v["client_wire_vs_gzip"] = v["client_first_sync_wire_bytes_with_login"] / v["first_sync_rows_json_gzip_bytes"]
		u["client_wire_vs_gzip"] = "x"
	}
	show("client first sync (" hh " hh): open+login+sync", "client_total_ms", "<= 2000 ms", "<=", 2000)
	show("  of which the sync (pull + apply)", "client_first_sync_ms", "", "", 0)
	show("  requests with login, default pages", "client_first_sync_requests_with_login", "<= 6", "<=", 6)
	show("  requests with login, pages of 1000/1M", "client_large_first_sync_requests_with_login", "<= 6", "<=", 6)
	show("  records applied", "client_first_sync_records", "", "", 0)
	show("  apply rate inside the sync", "client_first_sync_apply_rate", "", "", 0)
	show("  wire bytes with login / gzip of rows", "client_wire_vs_gzip", "<= 1.3x", "<=", 1.3)
	show("client sync with nothing to do: requests", "client_noop_sync_requests", "1", "<=", 1)
	show("  bytes (HTTP level)", "client_noop_sync_wire_bytes", "< 1024 B", "<", 1024)
	show("protocol first sync (" hh " hh): time", "first_sync_ms", "<= 2000 ms", "<=", 2000)
	show("  requests, default pages (500/256K)", "first_sync_requests", "<= 6", "<=", 6)
	show("  requests, pages of 5000/4M", "first_sync_large_pages_requests", "<= 6", "<=", 6)
	show("  time, pages of 5000/4M", "first_sync_large_pages_ms", "<= 2000 ms", "<=", 2000)
	show("  records", "first_sync_records", "", "", 0)
	show("  wire bytes / gzip of rows as JSON", "first_sync_wire_vs_gzip", "<= 1.3x", "<=", 1.3)
	show("  same, pages of 5000/4M", "first_sync_large_pages_wire_vs_gzip", "<= 1.3x", "<=", 1.3)
	show("protocol sync with nothing to do: requests", "noop_sync_requests", "1", "<=", 1)
	show("  bytes (HTTP level)", "noop_sync_wire_bytes", "< 1024 B", "<", 1024)
	show("server: no-op sync loop, clients", "noop_clients_ready", "500", "", 0)
	show("  requests in the loop", "noop_requests", "", "", 0)
	show("  requests per second", "noop_requests_per_second", "", "", 0)
	show("  errors", "noop_errors", "0", "<=", 0)
	show("  latency p50", "noop_latency_p50", "", "", 0)
	show("  latency p99", "noop_latency_p99", "reported", "", 0)
	show("  setup (logins + first pulls)", "noop_setup_seconds", "", "", 0)
	show("server: first-sync storm, workers complete", "storm_workers_complete", "all", "", 0)
	show("  records expected", "storm_records_expected", "", "", 0)
	show("  records delivered", "storm_records_delivered", "", "", 0)
	show("  duplicates", "storm_duplicates", "0", "<=", 0)
	show("  missing", "storm_missing", "0", "<=", 0)
	show("  errors", "storm_errors", "0", "<=", 0)
	show("  storm time (all pulls at once)", "storm_seconds", "", "", 0)
	show("  first sync p99 within the storm", "storm_first_sync_p99", "", "", 0)
	exit bad > 0
}' "$results"
echo
echo "raw figures: $results"
