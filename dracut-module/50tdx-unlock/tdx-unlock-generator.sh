#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tdx-unlock-generator — systemd generator in the initrd (installed by 50tdx-unlock).
# Reads the kernel command line only (generators must not touch devices or the network):
#   rd.tdx_unlock=0              disable (tdx-unlock.service has the same condition)
#   rd.tdx_unlock.url=URL        key server, repeatable (overrides the token's URLs)
#   rd.tdx_unlock.timeout=SEC    overall deadline, 5..3600
#   rd.tdx_unlock.debug          verbose helper/plugin (also rd.debug)
#   rd.tdx_unlock.tsm=DIR        TESTS: configfs-tsm report directory (the simulator)
#   rd.luks.uuid=UUID            devices tdx-unlock.service pulls in (the helper waits for them)
# and writes
#   /run/tdx-unlock/env          TDX_UNLOCK_* (the validated values) in the environment of
#                                tdx-unlock.service and, through the systemd-cryptsetup@
#                                drop-in, of the token plugin — for diagnostics and tools
#   $1/tdx-unlock.service.d/50-generated.conf   Wants= of the devices, start timeout
# The helper and the plugin parse /proc/cmdline themselves (that is authoritative); this
# only feeds what units need: which devices to pull in and how long to let them run.
set -f -u
out=${1:-/tmp}
[ -e /etc/initrd-release ] || exit 0
read -r cmdline </proc/cmdline || exit 0

# shellcheck disable=SC1007  # empty assignments
urls= timeout= debug= tsm= devs=
for a in $cmdline; do
	case $a in
	rd.tdx_unlock=0 | rd.tdx_unlock=no | rd.tdx_unlock=off) exit 0 ;;
	rd.tdx_unlock.url=https://*)
		case ${a#*=} in *[!A-Za-z0-9:/._~%@+=,-]*) continue ;; esac   # no quoting games, no IPv6 literals
		urls="$urls ${a#*=}" ;;
	rd.tdx_unlock.timeout=*)
		case ${a#*=} in '' | *[!0-9]*) continue ;; esac
		[ "${a#*=}" -ge 5 ] && [ "${a#*=}" -le 3600 ] && timeout=${a#*=} ;;
	rd.tdx_unlock.debug | rd.tdx_unlock.debug=1 | rd.debug) debug=1 ;;
	rd.tdx_unlock.tsm=/*)
		case ${a#*=} in *[!A-Za-z0-9/._-]*) continue ;; esac
		tsm=${a#*=} ;;
	rd.luks.uuid=*)
		u=${a#*=}
		u=${u#luks-}
		case $u in *[!A-Fa-f0-9-]*) continue ;; esac
		devs="$devs $u" ;;
	esac
done
mkdir -p /run/tdx-unlock
{
	echo "TDX_UNLOCK_URLS=${urls# }"
	echo "TDX_UNLOCK_TIMEOUT=$timeout"
	echo "TDX_UNLOCK_DEBUG=$debug"
	echo "TDX_UNLOCK_TSM_DIR=$tsm"
} >/run/tdx-unlock/env

d=$out/tdx-unlock.service.d
mkdir -p "$d"
{
	echo "[Unit]"
	# Wanted, not waited for: the helper waits for them itself (rd.luks.uuid=) and, when the
	# measured configuration names the servers, attests while udev brings them up.
	for u in $devs; do
		echo "Wants=dev-disk-by\\x2duuid-$(echo "$u" | sed 's/-/\\x2d/g').device"
	done
	# the helper's own deadline + 30 s margin
	[ -n "$timeout" ] && printf '[Service]\nTimeoutStartSec=%s\n' $((timeout + 30))
} >"$d/50-generated.conf"
exit 0
