#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-unlock-generator (dracut-module/50tdx-unlock): kernel command line -> env file and
# tdx-unlock.service drop-in. Runs the generator in a private mount namespace with a fake
# /proc/cmdline, /etc (initrd-release) and /run. Needs root and unshare; no QEMU.
source "$(dirname "$0")/lib.bash"
GEN=$PWD/dracut-module/50tdx-unlock/tdx-unlock-generator.sh
[ "$(id -u)" = 0 ] && command -v unshare >/dev/null || skip "needs root and unshare"
unshare -m true 2>/dev/null || skip "mount namespaces unavailable"

# run_gen "CMDLINE": generator output dir in $TMP/out, env file in $TMP/run/tdx-unlock/env
run_gen() {
	rm -rf "${TMP:?}/etc" "$TMP/run" "$TMP/out" && mkdir -p "$TMP/etc" "$TMP/run" "$TMP/out"
	touch "$TMP/etc/initrd-release"
	echo "$1" >"$TMP/cmdline"
	timeout 10 unshare -m sh -c "mount --bind '$TMP/cmdline' /proc/cmdline && mount --bind '$TMP/etc' /etc &&
		mount --bind '$TMP/run' /run && sh '$GEN' '$TMP/out'" || fail "generator exited non-zero"
}

run_gen 'root=UUID=x rd.luks.uuid=luks-9e6e3b46-48af-4606-9806-06d3f56e55bc rd.tdx_unlock.url=https://10.0.2.100:8443 rd.tdx_unlock.url=https://kbs2.example:8443 rd.tdx_unlock.url=https://a$(id) rd.tdx_unlock.timeout=60 rd.tdx_unlock.debug rd.tdx_unlock.tsm=/run/tdx-sim'
env=$TMP/run/tdx-unlock/env dropin=$TMP/out/tdx-unlock.service.d/50-generated.conf
grep -qx 'TDX_UNLOCK_URLS=https://10.0.2.100:8443 https://kbs2.example:8443' "$env" || fail "URLs: $(grep URLS "$env")"
grep -qx 'TDX_UNLOCK_TIMEOUT=60' "$env" || fail "timeout not passed"
grep -qx 'TDX_UNLOCK_TSM_DIR=/run/tdx-sim' "$env" || fail "tsm dir not passed"
grep -qx 'TDX_UNLOCK_DEBUG=1' "$env" || fail "debug not passed"
grep -q 'id' "$env" && fail "a URL with shell syntax was passed on"
grep -qx 'Wants=dev-disk-by\\x2duuid-9e6e3b46\\x2d48af\\x2d4606\\x2d9806\\x2d06d3f56e55bc.device' "$dropin" ||
	fail "device not pulled in: $(cat "$dropin")"
# not ordered after it: the helper waits for the device itself and attests meanwhile
grep -q '^After=' "$dropin" && fail "the unit is ordered after the device: $(cat "$dropin")"
grep -qx 'TimeoutStartSec=90' "$dropin" || fail "start timeout is not deadline + 30 s"
ok "URLs, timeout, debug, tsm dir, device wanted (not waited for)"

run_gen 'root=UUID=x rd.tdx_unlock.timeout=99999 rd.tdx_unlock.tsm=relative'
grep -qx 'TDX_UNLOCK_TIMEOUT=' "$env" && grep -qx 'TDX_UNLOCK_TSM_DIR=' "$env" ||
	fail "out-of-range timeout or relative tsm dir accepted: $(cat "$env")"
grep -q TimeoutStartSec "$dropin" && fail "timeout drop-in without a valid timeout"
ok "invalid values ignored (unit default 150 s stays)"

run_gen 'root=UUID=x rd.tdx_unlock=0 rd.tdx_unlock.url=https://a.example'
[ -e "$env" ] || [ -n "$(ls -A "$TMP/out")" ] && fail "rd.tdx_unlock=0 still generated output"
ok "rd.tdx_unlock=0 generates nothing"
