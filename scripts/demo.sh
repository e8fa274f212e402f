#!/bin/sh
# make demo: a demo cache of synthetic households under build/demo, opened in
# the screens with no question asked. Demo data and a fixed demo passphrase
# only: never point this at real data.
#
# It never fails: a missing piece (the screens, the data generator) is reported
# as a note and the script still exits 0, so `make demo` on a fresh machine
# always ends with something to read.
set -u
cd "$(dirname "$0")/.." || exit 0

bin=build/doorstep
demo=$(pwd)/build/demo
data=$demo/data
pass=$demo/passphrase
config=$demo/config
households=${DEMO_HOUSEHOLDS:-300}

note() { printf 'demo: %s\n' "$*"; }

if [ ! -x "$bin" ]; then
	note "build/doorstep is missing; run make first."
	exit 0
fi

umask 077
mkdir -p "$demo" && chmod 700 "$demo" || { note "cannot create $demo"; exit 0; }

# The demo passphrase is fixed and public: it protects synthetic data only.
if [ ! -s "$pass" ]; then
	printf '%s\n' 'doorstep-demo' >"$pass"
fi
chmod 600 "$pass"

if [ ! -e "$config" ]; then
	cat >"$config" <<EOF
# Written by scripts/demo.sh for the demo cache; see config.example.
data_dir = $data
sync_interval_minutes = 0
EOF
fi

run() { "$bin" --config "$config" --data-dir "$data" --passphrase-file "$pass" "$@"; }

if [ ! -e "$data/cache.db" ]; then
	note "making a demo cache of $households synthetic households in $data"
	if ! run seed-cache --households "$households" --seed 1; then
		note "could not fill the demo cache (the line above says why); opening it as it is."
	fi
fi

run status || note "the demo cache could not be opened (the line above says why)."

if [ ! -t 0 ] || [ ! -t 1 ]; then
	note "not on a terminal, so the screens are not opened. Run: make demo in a terminal."
	exit 0
fi

if ! run; then
	note "the screens did not open (the line above says why)."
	note "the demo cache is ready: $bin --config $config --passphrase-file $pass status"
fi
exit 0
