#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages the build and the tests need. Idempotent: when every
# package is present it only checks (no apt-get update, no network).
# dpkg-dev and patch: tools/build-libcurl.sh (Debian's curl source -> static libcurl).
# Also shellcheck (make lint); man-db, groff-base: the man page test; iproute2: readme_commands.sh.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev
libcryptsetup-dev cryptsetup-bin libcurl4-openssl-dev curl libmbedtls-dev libssl-dev openssl
dpkg-dev patch
libjson-c-dev libmicrohttpd-dev libfuse3-dev fuse3 libcmocka-dev jq xxd python3
shellcheck man-db groff-base iproute2"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing — run 'make deps' as root" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
