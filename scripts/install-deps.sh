#!/bin/sh
# Installs the Debian packages Doorstep needs to build, test and run the demo.
# As root it calls apt-get; otherwise it prints the command to run and fails.
# Run by `make check` and `make demo`, so a fresh Debian 12 machine needs nothing else.
set -eu

packages="make gcc pkg-config
libncurses-dev libsqlcipher-dev sqlcipher libcurl4-openssl-dev libcjson-dev
libsodium-dev zlib1g-dev libmicrohttpd-dev libsqlite3-dev
gettext locales tmux openssl curl clang-format clang libclang-rt-14-dev ca-certificates"

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "doorstep: missing Debian packages:$missing" >&2
	echo "doorstep: install them with: sudo apt-get install$missing" >&2
	exit 1
fi

echo "doorstep: installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# An old package list may not know the packages; refresh it once, quietly.
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
