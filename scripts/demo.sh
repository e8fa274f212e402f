#!/bin/sh
# make demo: a reference server on loopback with synthetic households, a
# field worker's cache logged in to it and synced, and the screens opened on
# that cache with no question asked.
#
# Everything lives under build/demo and is made afresh on every run: demo
# data, a fixed public passphrase and a self-signed certificate for 127.0.0.1
# only. Never point this at real data.
#
# It never fails: a missing piece is reported as a note and the script still
# exits 0, so `make demo` on a fresh machine always ends with something to read.
set -u
cd "$(dirname "$0")/.." || exit 0

client=$(pwd)/build/doorstep
server=$(pwd)/build/doorstep-server
demo=$(pwd)/build/demo
data=$demo/data
pass=$demo/passphrase
config=$demo/config
households=${DEMO_HOUSEHOLDS:-300}
worker=worker01
password=doorstep-demo

note() { printf 'demo: %s\n' "$*"; }

for bin in "$client" "$server"; do
	if [ ! -x "$bin" ]; then
		note "$bin is missing; run make first."
		exit 0
	fi
done

umask 077
rm -rf "$demo"
mkdir -p "$demo/server" || { note "cannot create $demo"; exit 0; }
chmod 700 "$demo"

# --- the server: self-signed certificate, seeded database, serve on a free port
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	-subj "/CN=doorstep demo" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$demo/server/key.pem" -out "$demo/server/cert.pem" >"$demo/server/openssl.log" 2>&1; then
	note "openssl could not make a demo certificate (see $demo/server/openssl.log)."
	exit 0
fi

note "seeding a demo server with $households synthetic households"
if ! printf '%s\n' "$password" | "$server" seed --db "$demo/server/server.db" \
	--households "$households" --workers 4 --teams 1 --password-stdin >/dev/null; then
	note "the demo server could not be seeded (the line above says why)."
	exit 0
fi

"$server" serve --db "$demo/server/server.db" --listen 127.0.0.1:0 \
	--port-file "$demo/server/port" --cert "$demo/server/cert.pem" \
	--key "$demo/server/key.pem" >"$demo/server/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null' EXIT
trap 'exit 0' INT TERM HUP

# Wait for the port file (the server writes it once it listens), 10 s at most.
tries=0
while [ ! -s "$demo/server/port" ]; do
	if ! kill -0 "$server_pid" 2>/dev/null || [ $tries -ge 100 ]; then
		note "the demo server did not start (see $demo/server/server.log)."
		exit 0
	fi
	tries=$((tries + 1))
	sleep 0.1
done
port=$(cat "$demo/server/port")

# --- the worker's cache: config, login, first sync
printf '%s\n' "$password" >"$pass"
cat >"$config" <<EOF
# Written by scripts/demo.sh for the demo; see config.example.
server_url = https://127.0.0.1:$port
ca_file = $demo/server/cert.pem
username = $worker
data_dir = $data
sync_interval_minutes = 0
EOF

run() { "$client" --config "$config" --passphrase-file "$pass" "$@"; }

note "logging in as $worker and syncing"
if ! printf '%s\n' "$password" | run login --password-stdin; then
	note "login failed (the line above says why)."
elif ! run sync; then
	note "the first sync failed (the line above says why)."
fi
run status || note "the demo cache could not be opened (the line above says why)."

cat <<EOF

  Demo server  https://127.0.0.1:$port  (stops when you leave the screens)
  Accounts     worker01..worker04 (field workers), supervisor01 (team01);
               password for all: $password
  Cache        $data, passphrase in $pass

EOF

if [ ! -t 0 ] || [ ! -t 1 ]; then
	note "not on a terminal, so the screens are not opened. Run: make demo in a terminal."
	exit 0
fi

if ! run; then
	note "the screens did not open (the line above says why)."
fi
exit 0
